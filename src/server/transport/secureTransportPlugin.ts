import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, SafeError } from '../errors';
import type { RequestContext } from '../requestContext';
import { carriesRestrictedInput, DEFAULT_RESTRICTED_INPUT_TYPES } from './restrictedInputs';

export interface SecureTransportOptions {
  /** Refuse restricted inputs over plain HTTP. The gateway turns it on in production (NODE_ENV=production). */
  enforce: boolean;
  /** Input types that carry restricted attributes. Default PaymentCardInput, HealthInput. */
  restrictedInputTypes?: readonly string[];
}

/**
 * Secure collection: before anything runs, an operation that sends a card number or health data over
 * plain HTTP is refused with INSECURE_TRANSPORT (HTTP 403), and recorded in the access log. A request
 * is secure when it came over HTTPS, or through a trusted proxy (TRUST_PROXY) that says
 * `X-Forwarded-Proto: https` (ctx.secure, from express's req.secure).
 */
export function secureTransportPlugin(opts: SecureTransportOptions): ApolloServerPlugin<RequestContext> {
  const types = opts.restrictedInputTypes ?? DEFAULT_RESTRICTED_INPUT_TYPES;
  return {
    async requestDidStart() {
      if (!opts.enforce) return {};
      return {
        async didResolveOperation({ contextValue: ctx, document, operation, request, schema }) {
          if (ctx.secure || !operation) return;
          if (!carriesRestrictedInput(schema, document, operation, request.variables, types)) return;
          const reason = 'restricted data (payment card, health) is accepted only over HTTPS';
          ctx.audit.operationDenied(ErrorCode.INSECURE_TRANSPORT, reason);
          throw new SafeError(ErrorCode.INSECURE_TRANSPORT, `Refused: ${reason}; this request came over plain HTTP and nothing was stored. Send it to the https:// address.`, {
            http: { status: 403 },
          });
        },
      };
    },
  };
}
