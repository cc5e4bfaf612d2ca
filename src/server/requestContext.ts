import type DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import type { AuditBuffer } from '../audit/auditBuffer';
import type { AppAbility, PurposeDef } from '../policy';
import type { FieldGuard } from '../policy/fieldGuard';
import type { CustomerDoc } from '../customers/customerModel';
import type { TaskDoc } from '../tasks/taskModel';
import type { FieldCipher } from '../crypto';
import type { AppServices } from './appServices';
import type { SafeError } from './errors';

export type Audience = 'staff' | 'self' | 'partner';

/** DataLoaders, created once per request and never shared across users. */
export interface Loaders {
  /** Customers the caller may read, by id (null: outside scope or absent, the same answer). */
  customer: DataLoader<string, CustomerDoc | null>;
}

/** Why the request may not touch customer data, decided once when the context is built. */
export interface Gate {
  /** Not logged in (or the token does not fit this audience). */
  auth: SafeError | null;
  /** Logged in, but the purpose or task does not let the caller act. */
  purpose: SafeError | null;
}

/** The GraphQL context: who, why, what, and the record of it. Built once per request. */
export interface RequestContext {
  requestId: string;
  audience: Audience;
  principal: Principal | null;
  purpose: PurposeDef | null;
  task: TaskDoc | null;
  gate: Gate;
  ability: AppAbility;
  guard: FieldGuard;
  audit: AuditBuffer;
  loaders: Loaders;
  app: AppServices;
  /** Field encryption with this request's batched, cached data keys. */
  cipher: FieldCipher;
  /** HTTPS on the socket, or X-Forwarded-Proto: https from a trusted proxy (TRUST_PROXY). */
  secure: boolean;
  /** Extra per-request values a capability attaches (its own loaders, caches). */
  extras: Map<string, unknown>;
}
