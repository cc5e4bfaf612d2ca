/** The transparency log's state: its latest checkpoint, its latest verification, and the verifications of the range. */
import type { Db } from 'mongodb';
import { COLLECTIONS } from '../collections';
import { shown } from './counts';
import type { ReportRange } from '../range';
import type { LogIntegrity } from '../recordTypes';

interface Checkpoint { treeSize?: number; root?: string; at?: Date }
interface Verification { at?: Date; ok?: boolean; treeSize?: number; failure?: string }
interface RawVerifications { last?: Verification[]; inRange?: Array<{ _id: boolean; n: number }> }

const asDate = (v: unknown): Date | null => (v instanceof Date ? v : null);
const asInt = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null);

export async function integrityFigures(db: Db, range: ReportRange): Promise<LogIntegrity> {
  const [checkpoint, verifications] = await Promise.all([
    db.collection<Checkpoint>(COLLECTIONS.tlogCheckpoints).find({}, { projection: { _id: 0, treeSize: 1, root: 1, at: 1 } }).sort({ at: -1, treeSize: -1 }).limit(1).next(),
    db.collection(COLLECTIONS.tlogVerifications).aggregate<RawVerifications>([
      {
        $facet: {
          last: [{ $sort: { at: -1 } }, { $limit: 1 }, { $project: { _id: 0, at: 1, ok: 1, treeSize: 1, failure: 1 } }],
          inRange: [{ $match: { at: { $gte: range.start, $lt: range.end } } }, { $group: { _id: { $eq: ['$ok', true] }, n: { $sum: 1 } } }],
        },
      },
    ]).toArray(),
  ]);
  const raw = verifications[0] ?? {};
  const last = raw.last?.[0] ?? null;
  const ran = (raw.inRange ?? []).reduce((s, r) => s + r.n, 0);
  const failed = raw.inRange?.find((r) => r._id === false)?.n ?? 0;
  return {
    status: !last ? 'UNVERIFIED' : last.ok === true ? 'VERIFIED' : 'FAILED',
    treeSize: asInt(checkpoint?.treeSize),
    lastCheckpointAt: asDate(checkpoint?.at),
    lastCheckpointRoot: typeof checkpoint?.root === 'string' ? checkpoint.root : null,
    lastVerificationAt: asDate(last?.at),
    lastVerificationOk: last ? last.ok === true : null,
    lastVerificationTreeSize: asInt(last?.treeSize),
    lastVerificationFailure: last && last.ok !== true && typeof last.failure === 'string' ? last.failure : null,
    verifications: shown(ran),
    failedVerifications: shown(failed),
  };
}
