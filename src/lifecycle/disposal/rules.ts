/**
 * What one retention rule does in a disposal run: erase the customers past retention through the
 * erasure procedure (reason `retention`), delete records, or prune record bodies to their leaf
 * hashes. Every action is idempotent (a record disposed of no longer matches), and counts what
 * it disposed of; a dry run only counts what it would.
 */
import type { Connection } from 'mongoose';
import { pruneToHash, type RecordSource } from '../../audit';
import { systemWrite } from '../../core/writeScope';
import { eraseCustomer, erasureModel, runErasure, type ErasureDoc, type ErasureServices } from '../../erasure';
import { subtractDuration } from '../retention/duration';
import type { RetentionRule } from '../retention/schedule';
import { RUN_COLLECTION } from './model';

/** Who erasures started by retention name as requester, and their reason. */
export const RETENTION = 'retention';

export interface RuleContext {
  conn: Connection;
  erasure: ErasureServices;
  /** The record sources the capabilities declared (core/capability.ts `records`). */
  records: readonly RecordSource[];
  /** The run's id (pruned records name it) and start (every rule's cutoff counts from it, so a resumed run disposes of the same records). */
  runId: string;
  startedAt: Date;
  /** Called between batches of a long step (renews the lease; throws when it was lost). */
  heartbeat?: () => Promise<void>;
}

/** The filter of the records the rule disposes of in this run. */
export function ruleFilter(rule: RetentionRule, startedAt: Date): Record<string, unknown> {
  return rule.kind.events[rule.after]!(subtractDuration(startedAt, rule.keepFor));
}

function sourceOf(rule: RetentionRule, records: readonly RecordSource[]): RecordSource {
  const source = records.find((s) => s.collection === rule.kind.collection);
  if (!source) throw new Error(`retention rule ${rule.id}: no capability declares ${rule.kind.collection} as a record source, so it cannot be pruned`);
  return source;
}

/** Erases the customers past retention, one erasure procedure each; first completes retention erasures a crash left pending. */
async function eraseCustomers(rc: RuleContext, filter: Record<string, unknown>, collection: string): Promise<number> {
  let count = 0;
  const pending = await erasureModel(rc.conn).find({ status: 'PENDING', requestedBy: RETENTION }).lean<ErasureDoc[]>().exec();
  for (const record of pending) {
    await runErasure(rc.erasure, record);
    count += 1;
  }
  for (;;) {
    const batch = await rc.conn.collection<{ _id: string }>(collection).find(filter, { projection: { _id: 1 } }).limit(100).toArray();
    if (batch.length === 0) return count;
    await rc.heartbeat?.();
    for (const { _id } of batch) {
      await eraseCustomer(rc.erasure, String(_id), { reason: RETENTION, requestedBy: RETENTION });
      count += 1;
    }
  }
}

/**
 * Applies one rule (or, for a dry run, counts what it would dispose of: records an earlier rule of
 * the run would already have disposed of, `earlier`, are not counted twice).
 */
export async function applyRule(rc: RuleContext, rule: RetentionRule, dryRun: boolean, earlier: readonly RetentionRule[] = []): Promise<number> {
  const filter = ruleFilter(rule, rc.startedAt);
  const { collection } = rule.kind;
  const coll = rc.conn.collection(collection);
  if (dryRun) {
    const before = earlier.filter((r) => r.kind.collection === collection).map((r) => ruleFilter(r, rc.startedAt));
    const parts = [filter, ...(rule.action === 'prune' ? [{ pruned: { $exists: false } }] : []), ...(before.length ? [{ $nor: before }] : [])];
    return coll.countDocuments(parts.length === 1 ? filter : { $and: parts });
  }
  return systemWrite(`disposal ${rc.runId}: ${rule.id}`, async () => {
    if (rule.action === 'erase') return eraseCustomers(rc, filter, collection);
    if (rule.action === 'prune') {
      const pruned = await pruneToHash(rc.conn, sourceOf(rule, rc.records), filter, rc.runId, new Date());
      // Disposal records: the run documents behind pruned run records go with them.
      if (rule.kind.id === 'disposalRuns') {
        await rc.conn.collection(RUN_COLLECTION).deleteMany({ status: { $ne: 'RUNNING' }, finishedAt: { $lte: subtractDuration(rc.startedAt, rule.keepFor) } });
      }
      return pruned;
    }
    // The erasure working state: the receipt stays, its step-by-step progress goes.
    if (rule.kind.id === 'erasureWorkingState') return (await coll.updateMany(filter, { $set: { steps: [] } })).modifiedCount;
    return (await coll.deleteMany(filter)).deletedCount;
  });
}
