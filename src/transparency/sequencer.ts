/**
 * The sequencer: the one process (under the `tlog-sequencer` lease in MongoDB) that gives records
 * their place in the transparency log. Gateways only insert records; every tick (TLOG_CHECKPOINT_MS)
 * the lease holder
 *
 *  1. reads the records not yet sequenced (`leaf` unset) of every source, oldest first by their
 *     ObjectId (then kind, then id): a total, deterministic order; whatever order two gateways'
 *     inserts land in, each record is taken once, because `leaf` is what marks it taken;
 *  2. writes the batch plan into the tree head (`pending`, compare-and-set on the size), so a crash
 *     resumes the same batch;
 *  3. appends the leaf hashes (nodes insert-only), stamps each document's `leaf` (its first leaf
 *     index), advances the tree head;
 *  4. signs a checkpoint of the new size and keeps it (tlogCheckpoints).
 *
 * A record therefore waits at most one tick plus the time to sequence the backlog before it is in a
 * signed checkpoint (measured: docs/transparency-log.md "Sequencing").
 */
import type { Connection } from 'mongoose';
import { leafHashesOf, type RecordSource } from '../audit';
import { appendLeaves, rootAt } from '../audit/tlog/merkle';
import { MongoNodeStore, type StoredNode } from '../audit/tlog/mongoNodeStore';
import { signCheckpoint, type NoteSigner } from '../audit/tlog/note';
import { Lease } from '../db/lease';
import { logger } from '../logger';
import { metrics } from '../metrics';
import { idText, recordId, writtenAt } from './sources';
import { bytesOf, checkpointColl, latestCheckpoint, readState, stateColl, type Batch, type BatchItem, type CheckpointDoc } from './store';

/** The lease the sequencer runs under. */
export const SEQUENCER_LEASE = 'tlog-sequencer';

export interface SequencerOptions {
  /** Tick period: a checkpoint is signed at least this often when there are new leaves (TLOG_CHECKPOINT_MS). */
  checkpointMs: number;
  /** Most leaves per batch (each batch is a few round trips; large `$in` lists are slow on the embedded store). Default 500. */
  batchLeaves?: number;
  /** Lease time to live. Default max(10 000, 10 × checkpointMs) ms: a crashed holder is replaced after it. */
  leaseTtlMs?: number;
  /** Lease holder id. Default random. */
  holder?: string;
  /** Clock. Default now. */
  now?: () => Date;
}

/** What the sequencer has seen: for the docs and the tests. */
export interface SequencerStats {
  ticks: number;
  leaves: number;
  checkpoints: number;
  /** Longest time from a record's write (its ObjectId) to the signed checkpoint that covers it, ms. */
  maxWaitMs: number;
}

/** Thrown when the tree head changed under this sequencer (another holder): the tick stops. */
export class SequencerRaceError extends Error {
  constructor(size: number) {
    super(`the tree head is no longer at size ${size}: another sequencer took over`);
    this.name = 'SequencerRaceError';
  }
}

type Candidate = { source: RecordSource; doc: Record<string, unknown>; t: number };

function order(a: Candidate, b: Candidate): number {
  return a.t - b.t || (a.source.kind < b.source.kind ? -1 : a.source.kind > b.source.kind ? 1 : 0) || (idText(a.doc._id) < idText(b.doc._id) ? -1 : idText(a.doc._id) > idText(b.doc._id) ? 1 : 0);
}

export class Sequencer {
  readonly lease: Lease;
  readonly nodes: MongoNodeStore;
  readonly stats: SequencerStats = { ticks: 0, leaves: 0, checkpoints: 0, maxWaitMs: 0 };
  private readonly batchLeaves: number;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  /** Oldest write time among leaves sequenced since the last checkpoint. */
  private oldestUnsigned: number | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly sources: readonly RecordSource[],
    private readonly signer: NoteSigner,
    private readonly opts: SequencerOptions,
  ) {
    this.batchLeaves = opts.batchLeaves ?? 500;
    this.now = opts.now ?? (() => new Date());
    this.lease = new Lease(conn, SEQUENCER_LEASE, opts.leaseTtlMs ?? Math.max(10_000, 10 * opts.checkpointMs), opts.holder);
    this.nodes = new MongoNodeStore(conn);
  }

  /** Indexes the sequencer reads by: `{ leaf: 1, _id: 1 }` on every source, the nodes' leaf ranges. */
  async ensureIndexes(): Promise<void> {
    for (const s of this.sources) await this.conn.collection(s.collection).createIndex({ leaf: 1, _id: 1 });
    await this.nodes.ensureIndexes();
  }

  /** Starts ticking every checkpointMs. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.tick()
        .catch((err: Error) => logger.error('transparency log sequencer tick failed', { error: err.name, message: err.message }))
        .finally(() => {
          this.running = null;
          this.schedule(Math.max(20, this.opts.checkpointMs - (Date.now() - started)));
        });
    }, delay);
    this.timer.unref();
  }

  /** Stops ticking; if this process holds the lease, sequences and signs what is left, then gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    try {
      if ((await this.lease.current())?.holder === this.lease.holder) {
        await this.tick();
        await this.lease.release();
      }
    } catch (err) {
      logger.error('transparency log sequencer: final tick failed', { error: (err as Error).name, message: (err as Error).message });
    }
  }

  /** One tick: takes or renews the lease; when held, sequences every waiting record and signs a checkpoint. Resolves whether it held the lease. */
  async tick(): Promise<boolean> {
    if (!(await this.lease.acquire(this.now()))) return false;
    this.stats.ticks++;
    for (;;) {
      const appended = await this.sequenceBatch();
      if (appended < this.batchLeaves) break;
      if (!(await this.lease.renew(this.now()))) return false;
    }
    await this.checkpoint();
    return true;
  }

  /** Sequences one batch (a pending one first). Resolves to the number of leaves appended. */
  async sequenceBatch(): Promise<number> {
    const state = await readState(this.conn);
    if (state.pending) return this.apply(state.pending, state.size, await this.reread(state.pending));
    const candidates: Candidate[] = [];
    for (const source of this.sources) {
      const docs = await this.conn.collection(source.collection).find({ leaf: null }).sort({ _id: 1 }).limit(this.batchLeaves).toArray();
      for (const doc of docs) candidates.push({ source, doc, t: writtenAt(doc) ?? 0 });
    }
    metrics.sequencerLag({ seconds: candidates.length ? (this.now().getTime() - Math.min(...candidates.map((c) => c.t))) / 1000 : 0, leaves: candidates.length });
    if (candidates.length === 0) return 0;
    candidates.sort(order);
    const items: BatchItem[] = [];
    const taken = new Map<string, Record<string, unknown>>();
    let leaves = 0;
    let t0 = Infinity;
    for (const c of candidates) {
      if (leaves >= this.batchLeaves) break;
      let n: number;
      try {
        n = leafHashesOf(c.source, c.doc).length;
      } catch (err) {
        // Never sequence what cannot be encoded (it would block every later record): say so, once per tick.
        logger.error('transparency log: a record cannot be encoded and is left unsequenced', { kind: c.source.kind, record: idText(c.doc._id), error: (err as Error).message });
        continue;
      }
      items.push({ c: c.source.collection, id: c.doc._id, n });
      taken.set(`${c.source.collection}/${idText(c.doc._id)}`, c.doc);
      leaves += n;
      t0 = Math.min(t0, c.t);
    }
    if (items.length === 0) return 0;
    const batch: Batch = { from: state.size, leaves, items };
    const planned = await stateColl(this.conn).updateOne(
      { _id: 'tree', size: state.size, pending: { $exists: false } },
      { $set: { pending: batch, updatedAt: this.now() }, $setOnInsert: { root: Buffer.from(state.root) } },
      { upsert: state.size === 0 },
    ).catch((err: { code?: number }) => {
      if (err.code === 11000) return { matchedCount: 0, upsertedCount: 0 };
      throw err;
    });
    if (planned.matchedCount + planned.upsertedCount === 0) throw new SequencerRaceError(state.size);
    this.oldestUnsigned = this.oldestUnsigned === null ? t0 : Math.min(this.oldestUnsigned, t0);
    return this.apply(batch, state.size, taken);
  }

  /** The documents of a pending batch, read again (resuming after a crash), in chunks. */
  private async reread(batch: Batch): Promise<Map<string, Record<string, unknown>>> {
    const docs = new Map<string, Record<string, unknown>>();
    for (const [collection, ids] of groupBy(batch.items)) {
      for (let i = 0; i < ids.length; i += 200) {
        const chunk = ids.slice(i, i + 200);
        for (const doc of await this.conn.collection(collection).find({ _id: { $in: chunk as never[] } }).toArray()) docs.set(`${collection}/${idText(doc._id)}`, doc);
      }
    }
    return docs;
  }

  /** Applies a planned batch: nodes, stamps, tree head. Idempotent. */
  private async apply(batch: Batch, size: number, docs: Map<string, Record<string, unknown>>): Promise<number> {
    if (batch.from !== size) throw new Error(`pending batch starts at ${batch.from} but the tree is at ${size}`);
    const bySource = new Map(this.sources.map((s) => [s.collection, s]));
    const hashes: Uint8Array[] = [];
    const records: string[] = [];
    for (const item of batch.items) {
      const source = bySource.get(item.c);
      const doc = docs.get(`${item.c}/${idText(item.id)}`);
      if (!source || !doc) throw new Error(`record ${item.c}/${idText(item.id)} of the pending batch at ${batch.from} is gone`);
      const own = leafHashesOf(source, doc);
      if (own.length !== item.n) throw new Error(`record ${item.c}/${idText(item.id)} changed its number of leaves while being sequenced`);
      own.forEach((h, j) => {
        hashes.push(h);
        records.push(recordId(source, doc._id, j));
      });
    }
    const appended = await appendLeaves(size, this.nodes.readNodes, hashes);
    const nodes: StoredNode[] = appended.nodes.map((n) => (n.key.level === 0 ? { ...n, record: records[n.key.index - size] } : n));
    await this.nodes.put(nodes);
    let leaf = size;
    const stamps = new Map<string, { updateOne: { filter: Record<string, unknown>; update: Record<string, unknown> } }[]>();
    for (const item of batch.items) {
      const list = stamps.get(item.c) ?? [];
      list.push({ updateOne: { filter: { _id: item.id, leaf: null }, update: { $set: { leaf } } } });
      stamps.set(item.c, list);
      leaf += item.n;
    }
    for (const [collection, ops] of stamps) await this.conn.collection(collection).bulkWrite(ops as never[], { ordered: false });
    const done = await stateColl(this.conn).updateOne(
      { _id: 'tree', size },
      { $set: { size: appended.size, root: appended.root, updatedAt: this.now() }, $unset: { pending: '' } },
    );
    if (done.matchedCount === 0) throw new SequencerRaceError(size);
    this.stats.leaves += batch.leaves;
    return batch.leaves;
  }

  /** Signs and keeps a checkpoint of the tree head when it is larger than the latest checkpoint. */
  async checkpoint(): Promise<CheckpointDoc | null> {
    const state = await readState(this.conn);
    if (state.pending || state.size === 0) return null;
    const latest = await latestCheckpoint(this.conn);
    if (latest && latest.treeSize >= state.size) return null;
    // The root the stored nodes give must be the head's: never sign what the nodes would not prove.
    const root = await rootAt(state.size, this.nodes.readNodes);
    if (!root.equals(bytesOf(state.root))) throw new Error(`the stored nodes give another root than the tree head at size ${state.size}: not signing`);
    const at = this.now();
    const doc: CheckpointDoc = { treeSize: state.size, root: root.toString('base64'), note: signCheckpoint({ size: state.size, rootHash: root }, this.signer), at };
    try {
      await checkpointColl(this.conn).insertOne({ ...doc });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    this.stats.checkpoints++;
    if (this.oldestUnsigned !== null) this.stats.maxWaitMs = Math.max(this.stats.maxWaitMs, at.getTime() - this.oldestUnsigned);
    this.oldestUnsigned = null;
    return doc;
  }
}

function groupBy(items: readonly BatchItem[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const item of items) out.set(item.c, [...(out.get(item.c) ?? []), item.id]);
  return out;
}
