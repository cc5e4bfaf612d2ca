/**
 * `policies/retention.yaml`, loaded and validated like the other policies: a PolicyLoadError naming
 * the file, the key and the rule for an unknown data kind, a bad ISO 8601 duration, a missing legal
 * basis, an event or action the data kind does not have, a rule below its kind's minimum, or a kind
 * of data with no rule at all. The process refuses to start on it.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { LEGAL_BASES, type LegalBasis } from '../../core/policyModel';
import { PolicyLoadError, readYamlFile } from '../../policy';
import { DATA_KINDS, dataKind, RETENTION_ACTIONS, type DataKind, type RetentionAction } from './dataKinds';
import { atLeast, parseDuration, type Duration } from './duration';

export const RETENTION_FILE = 'retention.yaml';

const text = z.string().trim().min(1, 'must not be empty');
const ruleSchema = z.strictObject({
  data: text,
  keepFor: text,
  after: text,
  action: z.enum(RETENTION_ACTIONS as [RetentionAction, ...RetentionAction[]]),
  legalBasis: z.enum(LEGAL_BASES),
  reason: text,
});
const fileSchema = z.strictObject({
  rules: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case words joined by "-"'), ruleSchema),
});

/** One rule of the schedule, validated. */
export interface RetentionRule {
  id: string;
  data: string;
  kind: DataKind;
  keepFor: Duration;
  after: string;
  action: RetentionAction;
  legalBasis: LegalBasis;
  reason: string;
}

export interface RetentionSchedule {
  file: string;
  /** In file order: the order a disposal run applies them. */
  rules: RetentionRule[];
}

/** Loads `<dir>/retention.yaml` (default dir `policies`). Throws PolicyLoadError on the first problem. */
export function loadRetention(dir = 'policies'): RetentionSchedule {
  const file = join(dir, RETENTION_FILE);
  const { data } = readYamlFile(file, fileSchema);
  const rules: RetentionRule[] = [];
  for (const [id, r] of Object.entries(data.rules)) {
    const at = (key: string) => `rules.${id}.${key}`;
    const kind = dataKind(r.data);
    if (!kind) throw new PolicyLoadError(file, at('data'), `unknown data kind "${r.data}" (known: ${DATA_KINDS.map((k) => k.id).join(', ')})`);
    const keepFor = parseDuration(r.keepFor);
    if (!keepFor) throw new PolicyLoadError(file, at('keepFor'), `must be an ISO 8601 duration of whole units, e.g. P3Y, P18M, P30D or PT12H (received "${r.keepFor.slice(0, 40)}")`);
    if (!kind.events[r.after]) throw new PolicyLoadError(file, at('after'), `data kind ${kind.id} counts from ${Object.keys(kind.events).join(' or ')} (received "${r.after.slice(0, 40)}")`);
    if (!kind.actions.includes(r.action)) throw new PolicyLoadError(file, at('action'), `data kind ${kind.id} may only be disposed of by ${kind.actions.join(' or ')} (received "${r.action}")`);
    if (kind.minimum && !atLeast(keepFor, parseDuration(kind.minimum)!)) {
      throw new PolicyLoadError(file, at('keepFor'), `${kind.id} is kept as proof: at least ${kind.minimum} (received ${keepFor.text})`);
    }
    rules.push({ id, data: kind.id, kind, keepFor, after: r.after, action: r.action, legalBasis: r.legalBasis, reason: r.reason });
  }
  for (const kind of DATA_KINDS) {
    if (!rules.some((r) => r.kind === kind)) throw new PolicyLoadError(file, 'rules', `no rule for data kind ${kind.id}: every kind of data needs a retention rule`);
  }
  return { file, rules };
}
