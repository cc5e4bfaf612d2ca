/**
 * Rights requests made in the range: erasures (requested, completed, pending, median time to
 * complete) and correction requests by status. One aggregation each.
 */
import type { Db } from 'mongodb';
import { COLLECTIONS } from '../collections';
import { shown } from './counts';
import type { ReportRange } from '../range';
import type { ErasureFigures, StatusCount } from '../recordTypes';
import { byCountDesc } from '../utils';

interface RawErasures {
  status?: Array<{ _id: string; n: number }>;
  done?: Array<{ median: number | null }>;
}

export async function erasureFigures(db: Db, range: ReportRange): Promise<ErasureFigures> {
  const [raw = {}] = await db.collection(COLLECTIONS.erasures).aggregate<RawErasures>([
    { $match: { requestedAt: { $gte: range.start, $lt: range.end } } },
    {
      $facet: {
        status: [{ $group: { _id: '$status', n: { $sum: 1 } } }],
        done: [
          { $match: { status: 'DONE', completedAt: { $type: 'date' } } },
          // The duration in its own stage: the accumulator's input stays a plain field path.
          { $project: { ms: { $subtract: ['$completedAt', '$requestedAt'] } } },
          { $group: { _id: null, median: { $median: { input: '$ms', method: 'approximate' } } } },
        ],
      },
    },
  ]).toArray();
  const n = (s: string) => raw.status?.find((r) => r._id === s)?.n ?? 0;
  const requested = (raw.status ?? []).reduce((sum, r) => sum + r.n, 0);
  const median = raw.done?.[0]?.median;
  return {
    requested: shown(requested),
    completed: shown(n('DONE')),
    pending: shown(n('PENDING')),
    medianSecondsToComplete: typeof median === 'number' ? median / 1000 : null,
  };
}

export async function correctionFigures(db: Db, range: ReportRange): Promise<StatusCount[]> {
  const rows = await db.collection(COLLECTIONS.correctionRequests).aggregate<{ _id: string; n: number }>([
    { $match: { requestedAt: { $gte: range.start, $lt: range.end } } },
    { $group: { _id: '$status', n: { $sum: 1 } } },
  ]).toArray();
  return byCountDesc(rows).map(({ _id, n }) => ({ status: String(_id), count: shown(n) }));
}
