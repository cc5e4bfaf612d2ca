/**
 * A capability's manifest: everything it contributes to the gateway. The server composes the
 * manifests (src/server/capabilities.ts lists them); erasure, export and retention iterate their
 * declared stores. A new capability is a new folder and one line in that list.
 */
import type { Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import type { AppServices, Audience, Principal, RequestContext } from './context';
import type { NamedSubjectType } from './policyModel';

/** Reads a stored attribute of the subject in plaintext (decrypting it when it is stored encrypted). */
export type AttributeReader = (storedPath: string) => unknown;

/** How one GraphQL field of a guarded type maps to a guarded attribute. */
export type GuardedField =
  /** The subject's id: always resolves and is recorded as the read of `id` (a pseudonym under pseudonymous purposes). */
  | { kind: 'id' }
  /**
   * A leaf attribute checked as `path`. Its value is the stored attribute at `path`, or `value`
   * computed from stored attributes (which then lists what it `needs`, for projections).
   */
  | { kind: 'leaf'; path: string; value?: (read: AttributeReader, ctx: RequestContext) => unknown; needs?: readonly string[] }
  /** An object attribute (e.g. address): resolves when any leaf under `path` may be read; its own fields are mapped under `type`. */
  | { kind: 'group'; path: string; type: string };

/** The guarded types of one subject type: every field of every listed GraphQL type must be mapped. */
export interface GuardSpec {
  /** The CASL subject type checked, e.g. `Customer`. */
  subjectType: NamedSubjectType;
  /** The GraphQL type whose objects are subjects, e.g. `Customer`. Every field returning it goes through the guard. */
  root: string;
  /** GraphQL type name → field name → mapping. */
  types: Record<string, Record<string, GuardedField>>;
  /** Stored paths kept encrypted under the subject's data key, and how their plaintext is encoded. */
  encrypted: Record<string, 'text' | 'json'>;
}

/** Who may call a root field: logged in only, or for a declared purpose (any, or one of a list). */
export type OperationRule = 'auth-only' | { purposes: 'any' | readonly string[] };

/** A collection where a capability keeps data about customers, and what erasure and export do with it. */
export interface CustomerDataStore {
  collection: string;
  /** The field that holds the customer id (`_id` for the customer document itself). */
  customerKey: string;
  /**
   * What erasure does: delete the customer's rows (default), pull the id out of an array field
   * (e.g. a task's `customerIds`), or a function of its own (e.g. pruning ledger bodies to hashes).
   * Resolves to the number of records changed.
   */
  erase?: 'delete' | { pull: string } | ((conn: Connection, customerId: string) => Promise<number>);
  /** Erased after every other store (the customer document itself). Default false. */
  eraseLast?: boolean;
  /** What `exportMyData` includes from this store, under `key`. */
  export?: { key: string; read: (ctx: RequestContext, customerId: string) => Promise<unknown> };
}

/**
 * Reacts to every customer write, inside the same recorded write: extra `$set` entries (e.g. a
 * changed email is no longer verified) and work to do once the document is written. `before` is
 * the document as it was, `set` the change about to be written.
 */
export type CustomerWriteHook = (
  before: Readonly<Record<string, unknown>>,
  set: Readonly<Record<string, unknown>>,
) => { set?: Record<string, unknown>; after?: (conn: Connection, customerId: string) => Promise<void> } | null;

/**
 * An append-only collection whose documents are leaves of the transparency log (see
 * audit/records.ts, which holds the same shape with the access log's and the ledger's sources).
 */
export interface RecordSourceDeclaration {
  /** The record kind named in the leaf encoding, e.g. `disposalRun`. */
  kind: string;
  collection: string;
  /** The leaf bodies of one stored document, in order. Default: the document itself. */
  leaves?: (doc: Record<string, unknown>) => Record<string, unknown>[];
}

/** An audience's own rules: who is admitted, and (partners) a schema per principal. */
export interface AudienceRules {
  audience: Audience;
  /** The audience whose composed schema this one starts from. Default: its own. */
  base?: Audience;
  /** Refuses a verified principal before anything runs (throw a SafeError: UNAUTHENTICATED, AGREEMENT_INACTIVE). */
  admit?(principal: Principal, services: AppServices): void | Promise<void>;
  /** A schema per principal: a cache key and how to cut it from the base schema (built once per key). */
  schemaFor?(principal: Principal, base: GraphQLSchema, services: AppServices): { key: string; build: () => GraphQLSchema };
  /** X-Purpose prefilled in GraphiQL's headers. */
  graphiqlPurpose?: string;
}

export interface Capability {
  /** Folder name, e.g. `customers`. */
  name: string;
  /** type-graphql resolver classes, per audience. */
  resolvers?: Partial<Record<Audience, Function[]>>;
  /** Root fields (`Query.myTasks`) and who may call them. Unlisted root fields need a declared purpose (fail closed). */
  operations?: Record<string, OperationRule>;
  /** Guarded types (attributes checked field by field, every row logged). */
  guards?: GuardSpec[];
  /** Where it keeps customer data, for erasure and export. */
  stores?: CustomerDataStore[];
  audiences?: AudienceRules[];
  /** The append-only record collections it writes, which the transparency log sequences. */
  records?: RecordSourceDeclaration[];
  /** Runs on every customer write (see CustomerWriteHook). */
  onCustomerWrite?: CustomerWriteHook;
  /** HTTP routes it serves beside the GraphQL endpoints (mounted at the root). */
  routes?(services: AppServices): Router;
  /** Detail for /readyz's JSON (`detail.<key>`); never changes the status. Bounded by a 1 s timeout. */
  ready?(services: AppServices): Promise<Record<string, unknown>>;
  /** At start, in manifest order: indexes, resumes, registries. */
  start?(services: AppServices): Promise<void>;
  /** At stop, in reverse order. */
  stop?(services: AppServices): Promise<void>;
}
