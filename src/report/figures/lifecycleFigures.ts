/**
 * The records lifecycle: disposal runs started in the range (by status, items per rule, dry runs
 * apart), storage assets registered by the end of the range by kind and current status, and the
 * sanitization certificates of the range by method. One aggregation per collection.
 */
import type { Db } from 'mongodb';
import { COLLECTIONS } from '../collections';
import { shown } from './counts';
import type { ReportRange } from '../range';
import type { AssetFigures, DisposalFigures } from '../recordTypes';
import { byCountDesc } from '../utils';

interface RawRuns {
  status?: Array<{ _id: { status: string; dryRun: boolean }; n: number }>;
  items?: Array<{ _id: { rule: string; data: string; action: string }; runs: number; records: number }>;
}

export async function disposalFigures(db: Db, range: ReportRange): Promise<DisposalFigures> {
  const [raw = {}] = await db.collection(COLLECTIONS.disposalRuns).aggregate<RawRuns>([
    { $match: { startedAt: { $gte: range.start, $lt: range.end } } },
    {
      $facet: {
        status: [{ $group: { _id: { status: '$status', dryRun: { $eq: ['$dryRun', true] } }, n: { $sum: 1 } } }],
        items: [
          { $match: { dryRun: { $ne: true } } },
          { $unwind: '$items' },
          {
            $group: {
              _id: { rule: '$items.rule', data: { $ifNull: ['$items.data', ''] }, action: { $ifNull: ['$items.action', ''] } },
              runs: { $addToSet: '$_id' }, records: { $sum: { $ifNull: ['$items.count', 0] } },
            },
          },
          { $project: { runs: { $size: '$runs' }, records: 1 } },
        ],
      },
    },
  ]).toArray();
  const statuses = new Map<string, number>();
  let runs = 0;
  let dryRuns = 0;
  for (const { _id, n } of raw.status ?? []) {
    runs += n;
    if (_id.dryRun) dryRuns += n;
    statuses.set(String(_id.status), (statuses.get(String(_id.status)) ?? 0) + n);
  }
  return {
    runs: shown(runs),
    dryRuns: shown(dryRuns),
    byStatus: byCountDesc([...statuses].map(([_id, n]) => ({ _id, n }))).map(({ _id, n }) => ({ status: _id, count: shown(n) })),
    items: [...(raw.items ?? [])]
      .sort((a, b) => b.records - a.records || `${a._id.rule}`.localeCompare(`${b._id.rule}`))
      .map(({ _id, runs: r, records }) => ({ rule: String(_id.rule), data: String(_id.data), action: String(_id.action), runs: shown(r), records: shown(records) })),
  };
}

export async function assetFigures(db: Db, range: ReportRange): Promise<AssetFigures> {
  const [assets, certificates] = await Promise.all([
    db.collection(COLLECTIONS.storageAssets).aggregate<{ _id: { kind: string; status: string }; n: number }>([
      { $match: { registeredAt: { $lt: range.end } } },
      { $group: { _id: { kind: '$kind', status: '$status' }, n: { $sum: 1 } } },
    ]).toArray(),
    db.collection(COLLECTIONS.disposalCertificates).aggregate<{ _id: string; n: number }>([
      { $match: { performedAt: { $gte: range.start, $lt: range.end } } },
      { $group: { _id: '$method', n: { $sum: 1 } } },
    ]).toArray(),
  ]);
  const statuses = new Map<string, number>();
  for (const { _id, n } of assets) statuses.set(String(_id.status), (statuses.get(String(_id.status)) ?? 0) + n);
  return {
    byStatus: byCountDesc([...statuses].map(([_id, n]) => ({ _id, n }))).map(({ _id, n }) => ({ status: _id, count: shown(n) })),
    byKindStatus: [...assets]
      .sort((a, b) => `${a._id.kind}/${a._id.status}`.localeCompare(`${b._id.kind}/${b._id.status}`))
      .map(({ _id, n }) => ({ kind: String(_id.kind), status: String(_id.status), count: shown(n) })),
    sanitizedByMethod: byCountDesc(certificates).map(({ _id, n }) => ({ method: String(_id), count: shown(n) })),
  };
}
