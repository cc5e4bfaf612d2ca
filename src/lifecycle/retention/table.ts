/**
 * The retention test table (`policies/retention_test.yaml`): rows of date × record → kept or
 * disposed, checked against the filter the disposal job really queries with (evaluated by the
 * embedded store's query engine). A malformed row is a PolicyLoadError naming the file and key.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { compileFilter } from '../../db/embedded/query/mingoEngine';
import { formatKeyPath, parseYaml, PolicyLoadError, zodToLoadError } from '../../policy';
import { subtractDuration } from './duration';
import type { RetentionRule, RetentionSchedule } from './schedule';

const caseSchema = z.strictObject({
  it: z.string().trim().min(1),
  rule: z.string().min(1),
  /** The date the run happens (ISO 8601). Default: the table's `now`. */
  now: z.string().optional(),
  /** The stored record, as far as the rule looks at it; ISO date-time strings are read as dates. */
  record: z.record(z.string(), z.unknown()),
  expect: z.enum(['kept', 'disposed']),
});
const tableSchema = z.strictObject({
  description: z.string().optional(),
  now: z.string(),
  cases: z.array(caseSchema).min(1),
});

export interface RetentionCase {
  index: number;
  it: string;
  rule: RetentionRule;
  now: Date;
  record: Record<string, unknown>;
  expect: 'kept' | 'disposed';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

function withDates(value: unknown): unknown {
  if (typeof value === 'string' && ISO_DATE.test(value)) return new Date(value);
  if (Array.isArray(value)) return value.map(withDates);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDates(v)]));
  return value;
}

export function loadRetentionTable(file: string, schedule: RetentionSchedule): RetentionCase[] {
  const raw = parseYaml(file, readFileSync(file, 'utf8')) ?? {};
  const parsed = tableSchema.safeParse(raw);
  if (!parsed.success) throw zodToLoadError(file, parsed.error, raw);
  const date = (text: string, key: (string | number)[]) => {
    const d = new Date(text);
    if (!ISO_DATE.test(text) || Number.isNaN(d.getTime())) throw new PolicyLoadError(file, formatKeyPath(key), 'must be an ISO 8601 date or date-time');
    return d;
  };
  const tableNow = date(parsed.data.now, ['now']);
  return parsed.data.cases.map((c, index) => {
    const rule = schedule.rules.find((r) => r.id === c.rule);
    if (!rule) throw new PolicyLoadError(file, formatKeyPath(['cases', index, 'rule']), `unknown rule "${c.rule}" (not in ${schedule.file})`);
    return { index, it: c.it, rule, now: c.now ? date(c.now, ['cases', index, 'now']) : tableNow, record: withDates(c.record) as Record<string, unknown>, expect: c.expect };
  });
}

/** The filter of the records a rule disposes of in a run at `now`. */
export function dueFilter(rule: RetentionRule, now: Date): Record<string, unknown> {
  return rule.kind.events[rule.after]!(subtractDuration(now, rule.keepFor));
}

/** What a run at `c.now` does with `c.record`. */
export function evaluateRetentionCase(c: RetentionCase): 'kept' | 'disposed' {
  return compileFilter(dueFilter(c.rule, c.now))(c.record) ? 'disposed' : 'kept';
}
