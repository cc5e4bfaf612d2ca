/** Grants and withdrawals of the consent ledger in the range, by key and by day (one aggregation). */
import type { Db } from 'mongodb';
import { COLLECTIONS } from '../collections';
import { shown } from './counts';
import type { ReportRange } from '../range';
import type { ConsentFigures } from '../recordTypes';

interface Raw {
  byKey?: Array<{ _id: { key: string; granted: boolean }; n: number }>;
  byDay?: Array<{ _id: { day: string; granted: boolean }; n: number }>;
}

type Pair = { granted: number; withdrawn: number };

function tally(rows: Array<{ _id: { granted: boolean }; n: number }>, keyOf: (id: never) => string): Map<string, Pair> {
  const out = new Map<string, Pair>();
  for (const { _id, n } of rows) {
    const k = keyOf(_id as never);
    const p = out.get(k) ?? { granted: 0, withdrawn: 0 };
    if (_id.granted === true) p.granted += n;
    else p.withdrawn += n;
    out.set(k, p);
  }
  return out;
}

export async function consentFigures(db: Db, range: ReportRange): Promise<ConsentFigures> {
  const [raw = {}] = await db.collection(COLLECTIONS.consentEvents).aggregate<Raw>([
    { $match: { at: { $gte: range.start, $lt: range.end } } },
    {
      $facet: {
        byKey: [{ $group: { _id: { key: '$key', granted: '$granted' }, n: { $sum: 1 } } }],
        byDay: [{ $group: { _id: { day: { $dateToString: { format: '%Y-%m-%d', date: '$at' } }, granted: '$granted' }, n: { $sum: 1 } } }],
      },
    },
  ]).toArray();
  const keys = tally(raw.byKey ?? [], (id: { key: string }) => id.key);
  const days = tally(raw.byDay ?? [], (id: { day: string }) => id.day);
  const pair = (p: Pair) => ({ granted: shown(p.granted), withdrawn: shown(p.withdrawn) });
  return {
    byKey: [...keys].sort(([a], [b]) => a.localeCompare(b)).map(([key, p]) => ({ key, ...pair(p) })),
    byDay: [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, p]) => ({ day, ...pair(p) })),
  };
}
