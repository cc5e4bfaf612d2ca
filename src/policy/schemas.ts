/**
 * zod schemas of the policy files (the shape only; cross references are checked by the loader).
 * Objects are strict: a misspelt key (`reasons:`) is an error, not silently ignored.
 */
import { z } from 'zod';
import { ACTIONS, CATEGORIES, LEGAL_BASES, SCOPES, SENSITIVITIES, SUBJECT_TYPES } from '../core/policyModel';

const id = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case words joined by "-"');
const text = z.string().trim().min(1, 'must not be empty');

export const purposeSchema = z.strictObject({
  description: text,
  requiresTask: z.boolean(),
  /** Consent key the customer must have granted (fields.yaml consentKeys). Default: none. */
  consent: id.optional(),
  legalBasis: z.enum(LEGAL_BASES),
  /** Per principal and minute. Defaults: 20,000 rows and 600 requests. */
  limits: z
    .strictObject({
      rowsPerMinute: z.number().int().min(1).max(10_000_000).default(20_000),
      requestsPerMinute: z.number().int().min(1).max(1_000_000).default(600),
    })
    .default({ rowsPerMinute: 20_000, requestsPerMinute: 600 }),
  /** Aggregates: the smallest group shown (k-anonymity). At least 2. Default 10. */
  k: z.number({ error: 'must be a whole number from 2 to 1000' }).int('must be a whole number from 2 to 1000')
    .min(2, 'must be at least 2 (a group of one is a person)').max(1000, 'must be at most 1000').default(10),
  /** Customer ids become pseudonyms (`psn_…`) under this purpose. Default false. */
  pseudonymous: z.boolean().default(false),
});

export const purposesFileSchema = z.strictObject({
  purposes: z.record(id, purposeSchema),
});

export const attributeSchema = z.strictObject({
  category: z.enum(CATEGORIES),
  sensitivity: z.enum(SENSITIVITIES),
  description: text,
  /** Write-only attribute. Default false. */
  neverReadable: z.boolean().default(false),
});

export const consentKeySchema = z.strictObject({
  description: text,
  textVersion: z.union([text, z.number().transform(String)]),
});

export const fieldsFileSchema = z.strictObject({
  attributes: z.record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, 'must be a dotted attribute path'),
    attributeSchema,
  ),
  allowedPreferences: z.array(id).min(1),
  consentKeys: z.record(id, consentKeySchema),
});

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

export const ruleSchema = z.strictObject({
  action: oneOrMany(z.enum(ACTIONS)),
  subject: z.enum(SUBJECT_TYPES),
  /** Attribute paths; a parent means its leaves; `*` or `parent.*` is a wildcard. Default: whole subject. */
  fields: oneOrMany(z.string().min(1)).optional(),
  /** Row scope. Default: `task` if the purpose requires a task, `self` in customer roles, else `all`. */
  scope: z.enum(SCOPES).optional(),
  /** Extra Mongo conditions; "{{principal.id}}", "{{task.id}}", "{{task.customerIds}}" are filled per request. */
  conditions: z.record(z.string(), z.unknown()).optional(),
  /** true: a "cannot" rule. Default false. */
  inverted: z.boolean().default(false),
  reason: text,
});

export const roleFileSchema = z.strictObject({
  /** Must equal the file name without `.yaml`. */
  role: id,
  description: text,
  /** Who holds this role. Default `staff` (by the token's `roles` claim). */
  kind: z.enum(['staff', 'customer', 'partner']).default('staff'),
  /** For kind partner: the partner id (token claim `partner`). */
  partner: id.optional(),
  purposes: z.record(id, z.strictObject({ rules: z.array(ruleSchema).min(1) })),
});

export type PurposesFile = z.output<typeof purposesFileSchema>;
export type FieldsFile = z.output<typeof fieldsFileSchema>;
export type RoleFile = z.output<typeof roleFileSchema>;
export type RuleInput = z.output<typeof ruleSchema>;
