import type { Model } from 'mongoose';
import type { DataKeyDoc } from './dataKeyModel';
import type { KeyProvider } from './keyProvider';
import { logger } from '../logger';

/** Counts reported by a rotation. */
export interface RotationResult {
  /** Keys that were rewrapped under the new provider by this run. */
  rewrapped: number;
  /** Keys already under the new provider before this run (an earlier, interrupted run). */
  alreadyCurrent: number;
  /** Keys that could not be unwrapped with the configured providers; left untouched. */
  failed: number;
  /** Keys destroyed (erasure) while the rotation ran; nothing to do for them. */
  vanished: number;
}

/** Keys read and rewritten per round trip. */
const BATCH_SIZE = 500;

/**
 * Walks `dataKeys` in `_id` order, BATCH_SIZE at a time, unwraps each key that is not yet under
 * `newProvider` and writes it back rewrapped. Each write is conditional on the old `providerId`, so a
 * concurrent destroy or rotation is never undone. Customer documents are not read or written.
 */
export async function rotateDataKeys(
  model: Model<DataKeyDoc>,
  unwrap: (doc: DataKeyDoc) => Promise<Buffer>,
  newProvider: KeyProvider,
): Promise<RotationResult> {
  const result: RotationResult = { rewrapped: 0, alreadyCurrent: 0, failed: 0, vanished: 0 };
  result.alreadyCurrent = await model.countDocuments({ providerId: newProvider.id }).exec();
  let after: string | null = null;
  for (;;) {
    const filter: Record<string, unknown> = { providerId: { $ne: newProvider.id } };
    if (after !== null) filter._id = { $gt: after };
    const docs = await model.find(filter).sort({ _id: 1 }).limit(BATCH_SIZE).lean<DataKeyDoc[]>().exec();
    if (docs.length === 0) break;
    after = docs[docs.length - 1]._id;
    const rotatedAt = new Date();
    const ops = [];
    for (const doc of docs) {
      try {
        const wrapped = await newProvider.wrap(await unwrap(doc));
        ops.push({
          updateOne: {
            filter: { _id: doc._id, providerId: doc.providerId },
            update: { $set: { wrapped, providerId: newProvider.id, rotatedAt } },
          },
        });
      } catch (err) {
        result.failed += 1;
        logger.error('crypto: cannot rewrap a data key', { customerId: doc._id, providerId: doc.providerId, error: (err as Error).name });
      }
    }
    if (ops.length > 0) {
      const res = await model.bulkWrite(ops, { ordered: false });
      result.rewrapped += res.modifiedCount;
      result.vanished += ops.length - res.matchedCount;
    }
    if (docs.length < BATCH_SIZE) break;
  }
  logger.info('crypto: data keys rotated', { providerId: newProvider.id, ...result });
  return result;
}
