import { accessibleBy } from './casl';
import type { Action, AppAbility, SubjectType } from './types';

/** Matches no document; used when no rule grants the action (fail closed). */
export const MATCH_NOTHING: Readonly<Record<string, unknown>> = Object.freeze({ _id: { $in: [] } });

/**
 * The Mongo query of the rows the ability may `action` (from @casl/mongoose `accessibleBy`).
 * Combine it with the caller's filter under `$and`, never by spreading. When no rule grants the
 * action it returns a query that matches nothing, instead of throwing. `{}` means every row.
 */
export function rowFilter(ability: AppAbility, action: Action, subjectType: Exclude<SubjectType, 'all'>): Record<string, unknown> {
  const grants = ability.rulesFor(action, subjectType).some((r) => !r.inverted);
  if (!grants) return { _id: { $in: [] } };
  const query = accessibleBy(ability, action).ofType(subjectType);
  const expr = (query as { $expr?: { $eq?: unknown[] } }).$expr;
  if (expr && Array.isArray(expr.$eq) && expr.$eq[0] === 0 && expr.$eq[1] === 1 && Object.keys(query).length === 1)
    return { _id: { $in: [] } };
  return query;
}
