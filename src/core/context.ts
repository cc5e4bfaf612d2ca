/**
 * The request context (the GraphQL context, built once per request by the server) and the
 * interfaces of the request-scoped parts the inner layers implement: the recorder (audit/), the
 * field guard (policy/) and the cipher (crypto/). Capabilities code against these.
 */
import type { Connection } from 'mongoose';
import type { Config } from '../config';
import type { Capability } from './capability';
import type { SafeError } from './errors';
import type { Action, AppAbility, NamedSubjectType, PolicySet, PurposeDef, TaskScope } from './policyModel';

export type PrincipalKind = 'staff' | 'partner' | 'customer';

/** Who is calling, from a verified token. */
export interface Principal {
  kind: PrincipalKind;
  /** Staff id, partner user id, or customer id (`sub`). */
  id: string;
  /** Staff roles; empty for partners and customers. */
  roles: string[];
  /** Partner id, for kind `partner`. */
  partner?: string;
}

export type Audience = 'staff' | 'self' | 'partner';

/** Why the request may not touch customer data, decided once when the context is built. */
export interface Gate {
  /** Not logged in (or the token does not fit this audience, or the partner's agreement is not in force). */
  auth: SafeError | null;
  /** Logged in, but the purpose or task does not let the caller act. */
  purpose: SafeError | null;
}

/** The selected sub-fields of an object field: field name → its own selection (null for a leaf). */
export type Selection = ReadonlyMap<string, Selection | null>;

/** A subject document as the guard sees it: an id and its stored attributes. */
export type SubjectDoc = { _id: string } & Record<string, unknown>;

/** A write the access log records before it commits. */
export interface WriteIntent {
  subjectType: string;
  subjectId: string | null;
  fields: readonly string[];
}

/** The request's access-log buffer (src/audit). Flushed once, before the response leaves. */
export interface Recorder {
  /** `fields` of one subject were read (`id` included for every row returned). */
  read(subjectType: string, subjectId: string, fields: Iterable<string>): void;
  /** A read of `field` was denied. */
  denied(subjectType: string, subjectId: string | null, field: string, reason?: string): void;
  /** These subjects were counted (e.g. `totalCount`): each is recorded as a read of that field. */
  counted(subjectType: string, subjectIds: readonly string[], field: string): void;
  /** An operation refused as a whole (PURPOSE_NOT_ALLOWED, TASK_INVALID, FORBIDDEN, ...). */
  operationDenied(code: string, reason: string, subjectType?: string, subjectId?: string | null): void;
  /**
   * Write-ahead: the intent record of `writes` is durable before `commit` runs; the outcome is
   * recorded with the request's records. If the intent cannot be written, `commit` never runs and
   * AUDIT_UNAVAILABLE is thrown.
   */
  commit<T>(writes: readonly WriteIntent[], commit: () => Promise<T>): Promise<T>;
  /** Subjects recorded so far. */
  readonly size: number;
}

/** The request's field guard (src/policy): every guarded attribute read and every write goes through it. */
export interface Guard {
  /** One guard pass over a subject document: the object GraphQL resolves from (denied attributes null). */
  view(typeName: string, doc: SubjectDoc, selection: Selection): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Loads what views of these documents will need (their data keys, in one round trip), so each view is built without waiting. */
  prepare(typeName: string, docs: readonly SubjectDoc[], selection: Selection): Promise<void>;
  /** The one write check: all or nothing. Records the denials and throws FORBIDDEN_FIELD naming every denied attribute. */
  authorize(subjectType: NamedSubjectType, doc: SubjectDoc, action: Action, fields: readonly string[]): void;
  /** The stored paths a query for this selection needs: the selected attributes that may be read, and what row conditions look at. */
  projection(typeName: string, selection: Selection): Record<string, 1>;
  /** Every attribute of a guarded type, as a selection (exports). */
  everything(typeName: string): Selection;
  /** May `field` be read on some row under this request's ability (row conditions ignored)? For filters and projections. */
  readable(subjectType: NamedSubjectType, field: string): boolean;
  /** One FORBIDDEN_FIELD error per denied field coordinate, with the number of rows affected. */
  errors(): SafeError[];
}

/** Field encryption with this request's data keys (src/crypto). */
export interface Cipher {
  encrypt(customerId: string, path: string, plaintext: string): Promise<unknown>;
  encryptJson(customerId: string, path: string, value: unknown): Promise<unknown>;
  decrypt(customerId: string, path: string, value: unknown): Promise<string>;
  decryptJson<T = unknown>(customerId: string, path: string, value: unknown): Promise<T>;
  /** Loads the data keys of these customers in one round trip, so `decryptSync` works for them. */
  preload(customerIds: readonly string[]): Promise<void>;
  /** Encrypts with a key already loaded; throws if it is not (call `preload` first). */
  encryptSync(customerId: string, path: string, plaintext: string): unknown;
  /** Decrypts with a key already loaded; throws if it is not (call `preload` first). */
  decryptSync(customerId: string, path: string, value: unknown): string;
  /** True when the customer's key is loaded (or known to be destroyed). */
  loaded(customerId: string): boolean;
}

/** Per-customer data keys (src/crypto). Keys are created at enrolment only. */
export interface DataKeys {
  /** Creates the customer's data key; fails if it exists. Enrolment (and system imports) only. */
  create(customerId: string): Promise<Buffer>;
  /** Creates the data keys of many new customers in one round trip (imports, demo data). */
  createMany(customerIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** The customer's data key; rejects if it does not exist (destroyed, or never created). */
  get(customerId: string): Promise<Buffer>;
  /** Crypto-shredding: destroys the key. Resolves true if one existed. */
  destroy(customerId: string): Promise<boolean>;
}

/** Keyed blind indexes (src/crypto/blindIndex.ts): lookups on encrypted attributes without their plaintext. */
export interface BlindIndexer {
  /** The index value of an attribute (email, country, phone...), normalised (case ignored). */
  of(field: string, value: string): string;
  /** The tokens a full name is indexed by (every prefix of 2 to 24 characters of each word). */
  nameTokens(fullName: string): string[];
  /** The tokens a name search looks for: one per word of the query. */
  searchTokens(query: string): string[];
}

/** What every request shares. */
export interface AppServices {
  config: Config;
  conn: Connection;
  /** Current policies (with the partner roles); replaced as a whole on reload, never mutated. */
  policies: PolicySet;
  keys: DataKeys;
  /** Blind indexes under the vault's index key. */
  index: BlindIndexer;
  /** The capability manifests the gateway was composed from, in order. */
  capabilities: readonly Capability[];
}

/** The GraphQL context: who, why, what, and the record of it. Built once per request. */
export interface RequestContext {
  readonly requestId: string;
  readonly audience: Audience;
  readonly principal: Principal | null;
  readonly purpose: PurposeDef | null;
  readonly task: (TaskScope & Record<string, unknown>) | null;
  readonly gate: Gate;
  /** One CASL ability per request (no rules at all when the gate refused). */
  readonly ability: AppAbility;
  readonly guard: Guard;
  readonly log: Recorder;
  readonly cipher: Cipher;
  readonly services: AppServices;
  /** HTTPS on the socket, or X-Forwarded-Proto: https from a trusted proxy (TRUST_PROXY). */
  readonly secure: boolean;
  /** A value created once per request and kept for it (DataLoaders, caches): never shared across requests. */
  perRequest<T>(key: symbol, make: () => T): T;
}
