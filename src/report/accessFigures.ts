/**
 * The access-log section in one aggregation ($facet): requests, entries by purpose × day ×
 * decision, denials by code, activity by role (actor ids are grouped inside the database and never
 * leave it), and customer attributes read by category. Write intents are not counted: the request
 * record that follows holds the same write with its outcome.
 */
import type { Db, Document } from 'mongodb';
import type { AccessFigures, CodeCount, PurposeDayCount, PurposeTotal, RoleActivity } from './accessTypes';
import { COLLECTIONS, FIELD_DENIAL_CODE } from './collections';
import { shown } from './counts';
import type { ReportRange } from './range';
import { byCountDesc, categoryOf, type CategoryLookup } from './utils';

/** The busiest principals listed per role. */
const BUSIEST = 5;
const SUBJECTS = { $size: { $ifNull: ['$entries.subjectIds', []] } };
const DAY = { $dateToString: { format: '%Y-%m-%d', date: '$at' } };

function pipeline(range: ReportRange): Document[] {
  return [
    { $match: { at: { $gte: range.start, $lt: range.end }, phase: 'request' } },
    {
      $facet: {
        totals: [{ $group: { _id: null, requests: { $sum: 1 }, entries: { $sum: { $ifNull: ['$subjects', 0] } } } }],
        byDay: [
          { $unwind: '$entries' },
          { $group: { _id: { day: DAY, purpose: { $ifNull: ['$purpose', '(refused)'] }, decision: '$entries.decision' }, n: { $sum: SUBJECTS } } },
        ],
        denials: [
          { $unwind: '$entries' },
          { $match: { 'entries.decision': 'denied' } },
          { $group: { _id: { $ifNull: ['$entries.code', FIELD_DENIAL_CODE] }, n: { $sum: SUBJECTS } } },
        ],
        roles: [
          {
            $project: {
              actor: '$actor.id', n: { $ifNull: ['$subjects', 0] },
              role: { $cond: [{ $gt: [{ $size: { $ifNull: ['$actor.roles', []] } }, 0] }, '$actor.roles', [{ $ifNull: ['$actor.kind', 'anonymous'] }]] },
            },
          },
          { $unwind: '$role' },
          { $group: { _id: { role: '$role', actor: '$actor' }, n: { $sum: '$n' } } },
          { $sort: { n: -1 } },
          { $group: { _id: '$_id.role', actors: { $sum: 1 }, accesses: { $sum: '$n' }, top: { $push: '$n' } } },
          { $project: { actors: 1, accesses: 1, top: { $slice: ['$top', BUSIEST] } } },
        ],
        fields: [
          { $unwind: '$entries' },
          { $match: { 'entries.subjectType': 'Customer' } },
          { $project: { field: '$entries.fieldsRead', n: SUBJECTS } },
          { $unwind: '$field' },
          { $group: { _id: '$field', n: { $sum: '$n' } } },
        ],
      },
    },
  ];
}

interface Raw {
  totals?: Array<{ requests: number; entries: number }>;
  byDay?: Array<{ _id: { day: string; purpose: string; decision: string }; n: number }>;
  denials?: Array<{ _id: string; n: number }>;
  roles?: Array<{ _id: string; actors: number; accesses: number; top: number[] }>;
  fields?: Array<{ _id: string; n: number }>;
}

type Tally = { allowed: number; partial: number; denied: number };
const empty = (): Tally => ({ allowed: 0, partial: 0, denied: 0 });
const total = (t: Tally) => t.allowed + t.partial + t.denied;
const tallyShown = (t: Tally) => ({ allowed: shown(t.allowed), partial: shown(t.partial), denied: shown(t.denied), total: shown(total(t)) });

function add(t: Tally, decision: string, n: number): void {
  if (decision === 'allowed' || decision === 'partial' || decision === 'denied') t[decision] += n;
}

export async function accessFigures(db: Db, range: ReportRange, categories: CategoryLookup): Promise<AccessFigures> {
  const [raw = {}] = await db.collection(COLLECTIONS.accessLog).aggregate<Raw>(pipeline(range), { allowDiskUse: true }).toArray();
  const days = new Map<string, Tally>();
  const purposes = new Map<string, Tally>();
  for (const { _id, n } of raw.byDay ?? []) {
    const key = `${_id.day}\u0000${_id.purpose}`;
    if (!days.has(key)) days.set(key, empty());
    if (!purposes.has(_id.purpose)) purposes.set(_id.purpose, empty());
    add(days.get(key)!, _id.decision, n);
    add(purposes.get(_id.purpose)!, _id.decision, n);
  }
  const byPurposeDay: PurposeDayCount[] = [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, t]) => { const [day, purpose] = key.split('\u0000'); return { day, purpose, ...tallyShown(t) }; });
  const byPurpose: PurposeTotal[] = [...purposes.entries()]
    .sort(([a, x], [b, y]) => total(y) - total(x) || a.localeCompare(b))
    .map(([purpose, t]) => ({ purpose, ...tallyShown(t) }));
  const denialsByCode: CodeCount[] = byCountDesc(raw.denials ?? []).map(({ _id, n }) => ({ code: _id, count: shown(n) }));
  const byRole: RoleActivity[] = [...(raw.roles ?? [])]
    .sort((a, b) => b.accesses - a.accesses || a._id.localeCompare(b._id))
    .map((r) => ({ role: r._id, actors: shown(r.actors), accesses: shown(r.accesses), busiest: [...r.top].sort((a, b) => b - a).slice(0, BUSIEST).map(shown) }));
  const reads = new Map<string, number>();
  for (const { _id, n } of raw.fields ?? []) {
    const category = categoryOf(categories, _id);
    reads.set(category, (reads.get(category) ?? 0) + n);
  }
  const t = raw.totals?.[0];
  return {
    requests: shown(t?.requests ?? 0),
    entries: shown(t?.entries ?? 0),
    byPurpose,
    byPurposeDay,
    denialsByCode,
    byRole,
    fieldsReadByCategory: byCountDesc([...reads].map(([_id, n]) => ({ _id, n }))).map(({ _id, n }) => ({ category: _id, reads: shown(n) })),
  };
}
