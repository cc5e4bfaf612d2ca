import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { createMongoAbility } from '@casl/ability';
import { bearerToken, verifyToken } from '../auth/tokens';
import type { Principal } from '../auth/principal';
import { AuditBuffer } from '../audit/auditBuffer';
import { buildAbility, purposeAllowedFor, rowFilter, type AppAbility, type PurposeDef } from '../policy';
import { FieldGuard } from '../policy/fieldGuard';
import { FieldCipher } from '../crypto';
import type { CustomerDoc } from '../customers/customerModel';
import { notErasing } from '../privacy/erasingMark';
import { checkTask } from '../tasks/checkTask';
import type { TaskDoc } from '../tasks/taskModel';
import type { AppServices } from './appServices';
import { ErrorCode, SafeError } from './errors';
import type { Audience, Gate, Loaders, RequestContext } from './requestContext';

/** The principal kind each audience serves. */
const KIND_OF: Record<Audience, Principal['kind']> = { staff: 'staff', self: 'customer', partner: 'partner' };
export const SELF_SERVICE = 'self-service';
const PURPOSE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface RequestHeaders {
  authorization?: string;
  'x-purpose'?: string;
  'x-task-id'?: string;
  'x-request-id'?: string;
}

function header(h: RequestHeaders, name: keyof RequestHeaders): string | undefined {
  const v = h[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function authenticate(app: AppServices, audience: Audience, headers: RequestHeaders): Principal {
  const token = bearerToken(header(headers, 'authorization'));
  if (!token) throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: send "Authorization: Bearer <token>"');
  const principal = verifyToken(app.config.jwtSecret, token);
  if (principal.kind !== KIND_OF[audience]) {
    throw new SafeError(ErrorCode.UNAUTHENTICATED, `Not authenticated: this endpoint takes ${KIND_OF[audience]} tokens, not ${principal.kind} tokens`);
  }
  return principal;
}

function resolvePurpose(app: AppServices, audience: Audience, principal: Principal, headers: RequestHeaders): PurposeDef {
  const declared = audience === 'self' ? SELF_SERVICE : header(headers, 'x-purpose');
  if (!declared) throw new SafeError(ErrorCode.PURPOSE_REQUIRED, 'Declare the purpose of this request in the X-Purpose header');
  const purpose = PURPOSE_ID.test(declared) ? app.policies.purposes.get(declared) : undefined;
  if (!purpose) throw new SafeError(ErrorCode.PURPOSE_UNKNOWN, 'The purpose in X-Purpose is not in the purpose catalogue', { purpose: PURPOSE_ID.test(declared) ? declared : null });
  if (!purposeAllowedFor(app.policies, principal, purpose.id)) {
    throw new SafeError(ErrorCode.PURPOSE_NOT_ALLOWED, `Your roles may not act for purpose ${purpose.id}`, { purpose: purpose.id });
  }
  return purpose;
}

/** Hook for audiences that add checks of their own (a partner's agreement). Throws a SafeError to refuse. */
export type GateCheck = (principal: Principal, app: AppServices) => void | Promise<void>;

/**
 * Builds the request context once: principal, purpose, task, ability, field guard, audit buffer, loaders.
 * It never throws for a refused caller: the refusal is kept in `gate` and the root guard raises it,
 * so operation-level denials are logged like everything else.
 */
export async function buildContext(
  app: AppServices, audience: Audience, headers: RequestHeaders, extraGate?: GateCheck,
  /** How the request arrived; default not secure (fail closed). */
  transport: { secure: boolean } = { secure: false },
): Promise<RequestContext> {
  const requestId = randomUUID();
  const gate: Gate = { auth: null, purpose: null };
  let principal: Principal | null = null;
  let purpose: PurposeDef | null = null;
  let task: TaskDoc | null = null;
  try {
    principal = authenticate(app, audience, headers);
    await extraGate?.(principal, app);
  } catch (err) {
    if (!(err instanceof SafeError)) throw err;
    gate.auth = err;
  }
  if (principal && !gate.auth) {
    try {
      purpose = resolvePurpose(app, audience, principal, headers);
      const taskId = header(headers, 'x-task-id');
      if (purpose.requiresTask && !taskId) {
        throw new SafeError(ErrorCode.TASK_REQUIRED, `Purpose ${purpose.id} needs a task: send its id in X-Task-Id`, { purpose: purpose.id });
      }
      if (taskId) task = await checkTask(app.models.tasks, principal, purpose.id, taskId);
    } catch (err) {
      if (!(err instanceof SafeError)) throw err;
      gate.purpose = err;
    }
  }
  // Fail closed: a refused request gets an ability with no rules at all.
  const ability: AppAbility = principal && purpose && !gate.purpose
    ? buildAbility(app.policies, { principal, purpose: purpose.id, task: task ? { id: task._id, customerIds: task.customerIds } : null })
    : (createMongoAbility([]) as AppAbility);
  const audit = new AuditBuffer({ requestId, principal, purpose: purpose?.id ?? null, taskId: task?._id ?? null, operationName: null });
  const ctx: RequestContext = {
    requestId, audience, principal, purpose, task, gate, ability, audit,
    guard: new FieldGuard(ability, audit, purpose?.id ?? null),
    loaders: createLoaders(app, ability),
    app,
    cipher: new FieldCipher(app.keyStore.forRequest()),
    secure: transport.secure,
    extras: new Map(),
  };
  return ctx;
}

function createLoaders(app: AppServices, ability: AppAbility): Loaders {
  return {
    customer: new DataLoader<string, CustomerDoc | null>(async (ids) => {
      const docs = await app.models.customers
        .find({ $and: [rowFilter(ability, 'read', 'Customer'), { _id: { $in: [...ids] } }, notErasing()] })
        .lean<CustomerDoc[]>()
        .exec();
      const byId = new Map(docs.map((d) => [d._id, d]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
