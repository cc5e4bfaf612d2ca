import type { Request, RequestHandler, Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { randomUUID } from 'node:crypto';
import { AuditBuffer } from '../audit/auditBuffer';
import { flushAudit } from '../audit/flushAudit';
import type { Principal } from '../auth/principal';
import { bearerToken, verifyToken } from '../auth/tokens';
import { logger } from '../logger';
import type { AudienceMount, MountKit } from '../server/app';
import type { AppServices } from '../server/appServices';
import { ErrorCode, SafeError } from '../server/errors';
import type { Agreement, AgreementStatus } from './agreement';
import { agreementInactive, logInactive, partnerGate } from './partnerGate';
import type { PartnerRegistry } from './partnerRegistry';
import { registryOfServices } from './registryOf';
import { PartnerSchemaCache } from './schemaCache';

/** The partner audience's path. */
export const PARTNER_PATH = '/partner/graphql';

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A refusal before any schema is chosen: an error, no data, nothing about any schema. */
function refuse(res: Response, err: SafeError): void {
  res.status(200).json({ errors: [{ message: err.message, extensions: err.extensions }] });
}

/** The verified partner principal of a request, or the UNAUTHENTICATED error to answer. */
function partnerPrincipal(services: AppServices, req: Request): Principal {
  const token = bearerToken(header(req, 'authorization'));
  if (!token) throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: send "Authorization: Bearer <token>"');
  const principal = verifyToken(services.config.jwtSecret, token);
  if (principal.kind !== 'partner') {
    throw new SafeError(ErrorCode.UNAUTHENTICATED, `Not authenticated: this endpoint takes partner tokens, not ${principal.kind} tokens`);
  }
  return principal;
}

/** A refused partner request goes into the access log too (who, which partner, why); a failed write is logged. */
async function recordInactive(services: AppServices, principal: Principal, requestId: string, err: SafeError, req: Request): Promise<void> {
  const purpose = header(req, 'x-purpose');
  const audit = new AuditBuffer({
    requestId, principal, purpose: purpose && /^[a-z0-9][a-z0-9-]{0,63}$/.test(purpose) ? purpose : null, taskId: null, operationName: null,
  });
  audit.operationDenied(ErrorCode.AGREEMENT_INACTIVE, err.message);
  try {
    await flushAudit(services.models.accessLog, audit, { timeoutMs: services.config.auditTimeoutMs });
  } catch (e) {
    logger.error('access log write failed for a refused partner request', { requestId, error: (e as Error).message });
  }
}

export interface PartnerRouteOptions {
  services: AppServices;
  registry: PartnerRegistry;
  /** The guarded staff schema the partner schemas are cut from. */
  schemas: PartnerSchemaCache;
}

/**
 * POST /partner/graphql: verify the token, check the partner's agreement, then hand the request to
 * the ApolloServer of that partner's schema (created lazily, one per partner and agreement version).
 * A bad token answers UNAUTHENTICATED and an agreement not in force AGREEMENT_INACTIVE (logged and
 * recorded), before any schema is involved: nothing about any schema leaks to them.
 */
export function partnerRoute({ services, registry, schemas }: PartnerRouteOptions): (kit: MountKit) => RequestHandler {
  return (kit) => {
    const handlers = new Map<string, Promise<RequestHandler>>();
    const handlerFor = (agreement: Agreement): Promise<RequestHandler> => {
      const key = PartnerSchemaCache.key(agreement);
      let handler = handlers.get(key);
      if (!handler) {
        handler = kit.startApollo(schemas.get(agreement)).then((apollo) => kit.serve(apollo, partnerGate(registry, agreement.id)));
        handler.catch(() => handlers.delete(key));
        handlers.set(key, handler);
      }
      return handler;
    };
    return async (req, res, next) => {
      let principal: Principal;
      try {
        principal = partnerPrincipal(services, req);
      } catch (err) {
        if (err instanceof SafeError) return refuse(res, err);
        return next(err);
      }
      const status: AgreementStatus = registry.status(principal.partner);
      if (!status.active) {
        const requestId = randomUUID();
        logInactive(principal, status, requestId);
        const err = agreementInactive(principal.partner, status);
        await recordInactive(services, principal, requestId, err, req);
        return refuse(res, err);
      }
      try {
        const handler = await handlerFor(status.agreement);
        return handler(req, res, next);
      } catch (err) {
        return next(err);
      }
    };
  };
}

/** The partner audience mount: loads the agreements, watches them, and routes by the token's partner. */
export function partnerMount(services: AppServices, staffSchema: GraphQLSchema): AudienceMount {
  const registry = registryOfServices(services);
  const stopWatching = registry.watch();
  return {
    audience: 'partner',
    path: PARTNER_PATH,
    route: partnerRoute({ services, registry, schemas: new PartnerSchemaCache(staffSchema) }),
    close: stopWatching,
    graphiqlPurpose: 'order-fulfilment',
  };
}
