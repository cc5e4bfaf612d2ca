/**
 * The access-log section in one aggregation: requests, entries by purpose × day × decision,
 * denials by code, activity by role (actor ids are grouped inside the database and never leave it),
 * and customer attributes read by category. Write intents are not counted: the request
 * record that follows holds the same write with its outcome.
 */
import type { Db, Document } from 'mongodb';
import type { AccessFigures, CodeCount, PurposeDayCount, PurposeTotal, RoleActivity } from '../accessTypes';
import { COLLECTIONS, FIELD_DENIAL_CODE } from '../collections';
import { shown } from './counts';
import { dayOf, type ReportRange } from '../range';
import { byCountDesc, categoryOf, type CategoryLookup } from '../utils';

/** The busiest principals listed per role. */
const BUSIEST = 5;
const DAY_MS = 86_400_000;

/**
 * One pass over the range's entries: unwound once, cut to what is counted, then grouped three
 * ways. Days are numbered from the range's start (cheaper than formatting a date per entry).
 */
function pipeline(range: ReportRange): Document[] {
  return [
    { $match: { at: { $gte: range.start, $lt: range.end }, phase: 'request' } },
    { $unwind: { path: '$entries', includeArrayIndex: 'ei' } },
    {
      $project: {
        _id: 0,
        day: { $floor: { $divide: [{ $subtract: ['$at', range.start] }, DAY_MS] } },
        purpose: { $ifNull: ['$purpose', REFUSED] },
        decision: '$entries.decision',
        code: { $cond: [{ $eq: ['$entries.decision', 'denied'] }, { $ifNull: ['$entries.code', FIELD_DENIAL_CODE] }, null] },
        n: { $size: { $ifNull: ['$entries.subjectIds', []] } },
        first: { $cond: [{ $eq: ['$ei', 0] }, 1, 0] },
        actor: '$actor.id',
        roles: { $cond: [{ $gt: [{ $size: { $ifNull: ['$actor.roles', []] } }, 0] }, '$actor.roles', [{ $ifNull: ['$actor.kind', 'anonymous'] }]] },
        fields: { $cond: [{ $eq: ['$entries.subjectType', 'Customer'] }, '$entries.fieldsRead', []] },
      },
    },
    {
      $facet: {
        cells: [{ $group: { _id: { day: '$day', purpose: '$purpose', decision: '$decision', code: '$code' }, n: { $sum: '$n' }, requests: { $sum: '$first' } } }],
        // Actor ids are grouped here and go no further: only counts leave the database.
        roles: [
          { $group: { _id: { actor: '$actor', roles: '$roles' }, n: { $sum: '$n' } } },
          { $unwind: '$_id.roles' },
          { $group: { _id: { role: '$_id.roles', actor: '$_id.actor' }, n: { $sum: '$n' } } },
          { $sort: { n: -1 } },
          { $group: { _id: '$_id.role', actors: { $sum: 1 }, accesses: { $sum: '$n' }, top: { $push: '$n' } } },
          { $project: { actors: 1, accesses: 1, top: { $slice: ['$top', BUSIEST] } } },
        ],
        fields: [
          { $match: { 'fields.0': { $exists: true } } },
          { $unwind: '$fields' },
          { $group: { _id: '$fields', n: { $sum: '$n' } } },
        ],
      },
    },
  ];
}

/** The purpose of requests refused before a purpose was accepted. */
const REFUSED = '(refused)';

interface Raw {
  cells?: Array<{ _id: { day: number; purpose: string; decision: string; code: string | null }; n: number; requests: number }>;
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
  const denials = new Map<string, number>();
  let requests = 0;
  let entries = 0;
  for (const { _id, n, requests: r } of raw.cells ?? []) {
    requests += r;
    entries += n;
    if (_id.code != null) denials.set(_id.code, (denials.get(_id.code) ?? 0) + n);
    const key = `${dayOf(new Date(range.start.getTime() + _id.day * DAY_MS))}\u0000${_id.purpose}`;
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
  const denialsByCode: CodeCount[] = byCountDesc([...denials].map(([_id, n]) => ({ _id, n }))).map(({ _id, n }) => ({ code: _id, count: shown(n) }));
  const byRole: RoleActivity[] = [...(raw.roles ?? [])]
    .sort((a, b) => b.accesses - a.accesses || a._id.localeCompare(b._id))
    .map((r) => ({ role: r._id, actors: shown(r.actors), accesses: shown(r.accesses), busiest: [...r.top].sort((a, b) => b - a).slice(0, BUSIEST).map(shown) }));
  const reads = new Map<string, number>();
  for (const { _id, n } of raw.fields ?? []) {
    const category = categoryOf(categories, _id);
    reads.set(category, (reads.get(category) ?? 0) + n);
  }
  return {
    requests: shown(requests),
    entries: shown(entries),
    byPurpose,
    byPurposeDay,
    denialsByCode,
    byRole,
    fieldsReadByCategory: byCountDesc([...reads].map(([_id, n]) => ({ _id, n }))).map(({ _id, n }) => ({ category: _id, reads: shown(n) })),
  };
}
