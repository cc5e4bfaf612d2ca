/**
 * The vocabulary of `policies/` as loaded: actions, subjects, attribute categories, purposes,
 * attributes, roles and their rules. Pure shapes; the policy layer (src/policy) loads, validates
 * and decides with them.
 */
import type { ForcedSubject, MongoAbility, RawRuleOf } from '@casl/ability';

/** Actions a rule may name. `manage` means every action. */
export const ACTIONS = ['read', 'create', 'update', 'erase', 'manage'] as const;
export type Action = (typeof ACTIONS)[number];

/** Subject types a rule may name in YAML. (`all` exists for CASL but is not accepted in policy files.) */
export const SUBJECT_TYPES = ['Customer', 'Task', 'AccessLog', 'CorrectionRequest', 'StorageAsset', 'DisposalRecord'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number] | 'all';
export type NamedSubjectType = Exclude<SubjectType, 'all'>;

/** A subject is a type name, or a document tagged with `subject('Customer', doc)`. */
export type Subject = SubjectType | ForcedSubject<NamedSubjectType>;

/** The per-request CASL ability. */
export type AppAbility = MongoAbility<[Action, Subject]>;
export type AppRawRule = RawRuleOf<AppAbility>;

/** Fixed taxonomy of attribute categories. Financial and health are restricted categories. */
export const CATEGORIES = ['identity', 'contact', 'commercial', 'financial', 'health', 'consent', 'system'] as const;
export type Category = (typeof CATEGORIES)[number];
/** Categories that a wildcard can never grant: they need explicit leaves. Fixed in code on purpose. */
export const RESTRICTED_CATEGORIES: readonly Category[] = ['financial', 'health'];

export const SENSITIVITIES = ['internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export const LEGAL_BASES = ['consent', 'contract', 'legal-obligation', 'vital-interests', 'public-task', 'legitimate-interests'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** Row scope of a rule. `task`: the task's customers; `self`: the calling customer; `all`: no row limit. */
export const SCOPES = ['task', 'self', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

/** Principal kinds a role file can serve. */
export type RoleKind = 'staff' | 'customer' | 'partner';

/** Per-purpose request limits (policies/purposes.yaml `limits`). */
export interface PurposeLimits {
  /** Customer rows one principal may receive per minute under this purpose. */
  rowsPerMinute: number;
  /** Requests one principal may make per minute under this purpose. */
  requestsPerMinute: number;
}

export interface PurposeDef {
  id: string;
  description: string;
  /** Whether the caller must name a CRM task (`X-Task-Id`). */
  requiresTask: boolean;
  /** Consent key the customer must have granted; its rules only see rows where it is granted. */
  consent: string | null;
  legalBasis: LegalBasis;
  /** Rate limits for this purpose. */
  limits: PurposeLimits;
  /** Smallest group an aggregate may show (k-anonymity threshold); analytics purposes. */
  k: number;
  /** Customer ids are replaced by pseudonyms under this purpose. */
  pseudonymous: boolean;
}

export interface FieldDef {
  /** Leaf attribute path, e.g. `address.country`. */
  path: string;
  category: Category;
  sensitivity: Sensitivity;
  description: string;
  /** Write-only attribute: no rule may grant `read`, and every ability denies it. */
  neverReadable: boolean;
}

export interface ConsentKeyDef {
  key: string;
  description: string;
  /** Version of the consent text shown to the customer. */
  textVersion: string;
}

/** One rule of a role file, after validation and field expansion. */
export interface RuleDef {
  actions: Action[];
  subject: NamedSubjectType;
  /** Expanded leaf paths (Customer), or the listed names (other subjects); undefined = whole subject. */
  fields: string[] | undefined;
  scope: Scope;
  conditions: Record<string, unknown> | undefined;
  inverted: boolean;
  reason: string;
}

export interface RoleDef {
  id: string;
  description: string;
  kind: RoleKind;
  /** For kind `partner`: the partner id whose principals hold this role. */
  partner: string | undefined;
  /** purpose id → rules */
  purposes: Map<string, RuleDef[]>;
  /** The file it came from (for messages). */
  file: string;
}

/** A CASL rule prepared at load time; `dynamic` rules carry placeholders to fill per request. */
export interface CompiledRule {
  raw: AppRawRule;
  dynamic: boolean;
}

/** Everything loaded from `policies/`. Immutable once loaded; replaced whole on reload. */
export interface PolicySet {
  /** Directory it was loaded from. */
  dir: string;
  /** sha256 over the files' names and content: changes whenever a policy file changes. */
  version: string;
  purposes: Map<string, PurposeDef>;
  /** Customer attribute catalogue, by leaf path, in file order. */
  fields: Map<string, FieldDef>;
  roles: Map<string, RoleDef>;
  allowedPreferences: string[];
  consentKeys: Map<string, ConsentKeyDef>;
  /** Leaf paths whose category is restricted (financial, health). */
  restricted: string[];
  /** Leaf paths nobody may ever read. */
  neverReadable: string[];
  /** role id → purpose id → CASL rules (precompiled). */
  compiled: Map<string, Map<string, CompiledRule[]>>;
}

/** The task a request serves (what the policy layer needs of it). */
export interface TaskScope {
  id: string;
  customerIds: string[];
}
