import type { ApolloServerPlugin } from '@apollo/server';
import { flushAudit } from '../../../audit/flushAudit';
import { logger } from '../../../logger';
import { ErrorCode, SafeError } from '../../errors';
import type { RequestContext } from '../../requestContext';

export interface AuditFlushOptions {
  /** Give up on the access-log write after this many ms, and fail the response closed. */
  timeoutMs: number;
  /** Ask for `w: majority, j: true`. Default true. */
  durable?: boolean;
}

/**
 * Before the response leaves: write the request's access-log records with one insertMany, then
 * attach one FORBIDDEN_FIELD error per denied field coordinate. If the write fails, the response
 * carries no data at all: `data: null` and AUDIT_UNAVAILABLE (fail closed).
 */
export function auditFlushPlugin(opts: AuditFlushOptions): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operationName }) {
          contextValue.audit.scope.operationName = operationName ?? null;
        },
        async willSendResponse({ contextValue: ctx, response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          try {
            await flushAudit(ctx.app.models.accessLog, ctx.audit, { timeoutMs: opts.timeoutMs, durable: opts.durable });
          } catch (err) {
            logger.error('access log write failed; response withheld', { requestId: ctx.requestId, error: (err as Error).message });
            const refused = new SafeError(ErrorCode.AUDIT_UNAVAILABLE, 'The access log could not be written, so no data is returned. Try again later.');
            result.data = null;
            result.errors = [refused.toJSON()];
            response.http.status = 503;
            return;
          }
          const denials = ctx.guard.errors();
          if (denials.length) result.errors = [...(result.errors ?? []), ...denials.map((e) => e.toJSON())];
        },
      };
    },
  };
}
