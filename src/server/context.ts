/**
 * The request context, built once per request: who (the token, verified once at the edge, and the
 * audience's admission), why (purpose and task), what (one CASL ability), and the record of it (the
 * recorder), with the field guard and the cipher over this request's data keys. A refused caller
 * is not an exception here: the refusal is kept in `gate`, and the root guard raises it so that it
 * is logged like every other denial.
 */
import { randomUUID } from 'node:crypto';
import { createMongoAbility } from '@casl/ability';
import { AccessRecorder, accessLogModel, LogWriter } from '../audit';
import { bearerToken, verifyToken } from '../auth/tokens';
import type { AppServices, Audience, Gate, Principal, RequestContext } from '../core/context';
import { ErrorCode, isSafeError, SafeError } from '../core/errors';
import { PURPOSE_ID } from '../core/ids';
import type { AppAbility, PurposeDef } from '../core/policyModel';
import { FieldCipher, type KeyStore } from '../crypto';
import { buildAbility, FieldGuard, purposeAllowedFor, rolesOf, type CompiledSpec } from '../policy';
import { checkTask, taskModel, type TaskDoc } from '../tasks';
import { metrics } from '../metrics';

/** The principal kind each audience serves. */
const KIND_OF: Record<Audience, Principal['kind']> = { staff: 'staff', self: 'customer', partner: 'partner' };
export const SELF_SERVICE = 'self-service';

export interface RequestHeaders {
  authorization?: string;
  'x-purpose'?: string;
  'x-task-id'?: string;
}

function header(h: RequestHeaders, name: keyof RequestHeaders): string | undefined {
  const v = h[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The outcome of checking the bearer token: a principal of this audience's kind, or why not. */
export type Authentication = { principal: Principal; error: null } | { principal: null; error: SafeError };

/** Verifies the token once per request (the edge calls this; the context reuses it). */
export function authenticate(services: AppServices, audience: Audience, authorization: string | undefined): Authentication {
  try {
    const token = bearerToken(authorization?.trim() || undefined);
    if (!token) throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: send "Authorization: Bearer <token>"');
    const { config } = services;
    const principal = verifyToken(config.jwtSecret, token, { maxTtlSeconds: config.jwtMaxTtlSeconds, issuer: config.jwtIssuer, audience: config.jwtAudience });
    if (principal.kind !== KIND_OF[audience]) {
      throw new SafeError(ErrorCode.UNAUTHENTICATED, `Not authenticated: this endpoint takes ${KIND_OF[audience]} tokens, not ${principal.kind} tokens`);
    }
    return { principal, error: null };
  } catch (err) {
    if (!isSafeError(err)) throw err;
    return { principal: null, error: err };
  }
}

/** The purposes a principal may act for (listed in PURPOSE_UNKNOWN and PURPOSE_NOT_ALLOWED errors). */
function allowedPurposes(services: AppServices, principal: Principal): string[] {
  const ids = new Set(rolesOf(services.policies, principal).flatMap((r) => [...r.purposes.keys()]));
  return [...services.policies.purposes.keys()].filter((p) => ids.has(p));
}

function resolvePurpose(services: AppServices, audience: Audience, principal: Principal, headers: RequestHeaders): PurposeDef {
  const declared = audience === 'self' ? SELF_SERVICE : header(headers, 'x-purpose');
  if (!declared) throw new SafeError(ErrorCode.PURPOSE_REQUIRED, 'Declare the purpose of this request in the X-Purpose header', { allowed: allowedPurposes(services, principal) });
  const id = declared.toLowerCase(); // purpose ids are lower case: `Marketing` means `marketing`
  const purpose = PURPOSE_ID.test(id) ? services.policies.purposes.get(id) : undefined;
  if (!purpose) {
    const allowed = allowedPurposes(services, principal);
    throw new SafeError(ErrorCode.PURPOSE_UNKNOWN, `The purpose in X-Purpose is not in the purpose catalogue; you may use: ${allowed.join(', ') || '(none)'}`, {
      purpose: PURPOSE_ID.test(id) ? id : null, allowed,
    });
  }
  if (!purposeAllowedFor(services.policies, principal, purpose.id)) {
    const allowed = allowedPurposes(services, principal);
    throw new SafeError(ErrorCode.PURPOSE_NOT_ALLOWED, `Your roles may not act for purpose ${purpose.id}; you may use: ${allowed.join(', ') || '(none)'}`, { purpose: purpose.id, allowed });
  }
  return purpose;
}

/** What the server gives each context: the services, the compiled guard specs, the audience's admission. */
export interface ContextKit {
  services: AppServices;
  keyStore: KeyStore;
  specs: ReadonlyMap<string, CompiledSpec>;
  writer: LogWriter;
}

/** The access-log writer of a gateway (one per process). */
export function logWriterOf(services: AppServices): LogWriter {
  return new LogWriter(accessLogModel(services.conn), { timeoutMs: services.config.auditTimeoutMs, durable: true, observe: (s, ok) => metrics.auditFlush(s, ok) });
}

export interface ContextInput {
  audience: Audience;
  headers: RequestHeaders;
  /** The edge's verification of the token. */
  auth: Authentication;
  /** The audience's admission check, when it has one. */
  admit?: (principal: Principal, services: AppServices) => void | Promise<void>;
  /** How the request arrived; default not secure (fail closed). */
  secure?: boolean;
  requestId?: string;
}

export async function buildContext(kit: ContextKit, input: ContextInput): Promise<RequestContext> {
  const { services } = kit;
  const requestId = input.requestId ?? randomUUID();
  const gate: Gate = { auth: input.auth.error, purpose: null };
  const principal = input.auth.principal;
  let purpose: PurposeDef | null = null;
  let task: TaskDoc | null = null;
  if (principal && input.admit) {
    try {
      await input.admit(principal, services);
    } catch (err) {
      if (!isSafeError(err)) throw err;
      gate.auth = err;
    }
  }
  if (principal && !gate.auth) {
    try {
      purpose = resolvePurpose(services, input.audience, principal, input.headers);
      const taskId = header(input.headers, 'x-task-id');
      if (purpose.requiresTask && !taskId) {
        throw new SafeError(ErrorCode.TASK_REQUIRED, `Purpose ${purpose.id} needs a task: send its id in X-Task-Id`, { purpose: purpose.id });
      }
      if (taskId) task = await checkTask(taskModel(services.conn), principal, purpose.id, taskId);
    } catch (err) {
      if (!isSafeError(err)) throw err;
      gate.purpose = err;
    }
  }
  const admitted = gate.auth ? null : principal;
  // Fail closed: a refused request gets an ability with no rules at all.
  const ability: AppAbility = admitted && purpose && !gate.purpose
    ? buildAbility(services.policies, { principal: admitted, purpose: purpose.id, task: task ? { id: task._id, customerIds: task.customerIds } : null })
    : (createMongoAbility([]) as AppAbility);
  const log = new AccessRecorder(
    { requestId, principal, purpose: purpose?.id ?? null, taskId: task?._id ?? null, operationName: null, audience: input.audience },
    kit.writer,
  );
  const cipher = new FieldCipher(kit.keyStore.forRequest());
  const scoped = new Map<symbol, unknown>();
  const ctx: RequestContext = {
    requestId, audience: input.audience, principal: admitted, purpose, task: task ? { ...task, id: task._id } : null, gate, ability,
    log, cipher, services, secure: input.secure ?? false,
    guard: new FieldGuard({ ability, log, cipher, specs: kit.specs, context: () => ctx }),
    perRequest: <T>(key: symbol, make: () => T): T => {
      if (!scoped.has(key)) scoped.set(key, make());
      return scoped.get(key) as T;
    },
  };
  return ctx;
}
