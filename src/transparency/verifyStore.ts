/**
 * Verifies the whole transparency log as stored in one database: every checkpoint (signature under
 * the given verifier key, and its stored treeSize/root against its signed note), the tree the
 * records give against every checkpoint, the stored nodes' consistency proofs between consecutive
 * checkpoints, and that no record was slipped in late. `npm run audit:verify` and the gateway's
 * schedule run it; the outcome names the first record or checkpoint that fails.
 *
 * Records are streamed in leaf order (a merge of every source sorted by `leaf`); a pruned record
 * contributes its kept leaf hashes and is counted as pruned, not missing. Memory O(log n + sources).
 */
import type { Connection } from 'mongoose';
import { isPruned, leafHashesOf, type RecordSource } from '../audit';
import { consistencyProof } from '../audit/tlog/merkle';
import { MongoNodeStore } from '../audit/tlog/mongoNodeStore';
import { openCheckpoint, parseVerifierKey } from '../audit/tlog/note';
import { verifyLog, type LeafEntry, type VerifyFailure } from '../audit/tlog/verify';
import { idText, insertedAt, recordId } from './sources';
import { checkpointColl, readState, verificationColl, type CheckpointDoc, type VerificationDoc } from './store';

export interface StoredLogReport extends VerificationDoc {
  checkpoints: number;
  pruned: number;
  /** Records written but not yet sequenced (not a failure unless they are late). */
  unsequenced: number;
  /** One line: the summary, or the first failure. */
  summary: string;
}

export interface VerifyStoredOptions {
  /** A record written this long before the checkpoint preceding its place (or the latest, when unsequenced) was signed is late. Default 60 000 ms. */
  lateMs?: number;
  /** Keep the outcome in `tlogVerifications`. Default true. */
  persist?: boolean;
}

type Cursorish = AsyncIterator<Record<string, unknown>>;

/** The records of every source, merged in leaf order (ties by collection then id, so duplicates show). */
async function* recordsInLeafOrder(conn: Connection, sources: readonly RecordSource[]): AsyncGenerator<{ source: RecordSource; doc: Record<string, unknown> }> {
  const heads: Array<{ source: RecordSource; it: Cursorish; doc: Record<string, unknown> | null }> = [];
  for (const source of sources) {
    const it = conn.collection(source.collection).find({ leaf: { $ne: null } }).sort({ leaf: 1, _id: 1 })[Symbol.asyncIterator]() as Cursorish;
    const first = await it.next();
    heads.push({ source, it, doc: first.done ? null : first.value });
  }
  for (;;) {
    let best: (typeof heads)[number] | null = null;
    for (const h of heads) {
      if (!h.doc) continue;
      if (!best || Number(h.doc.leaf) < Number(best.doc!.leaf)) best = h;
    }
    if (!best) return;
    yield { source: best.source, doc: best.doc! };
    const next = await best.it.next();
    best.doc = next.done ? null : next.value;
  }
}

/** Verifies the log stored on `conn` against `verifierKey` (`<name>+<hex id>+<base64 key>`). */
export async function verifyStoredLog(conn: Connection, sources: readonly RecordSource[], verifierKey: string, opts: VerifyStoredOptions = {}): Promise<StoredLogReport> {
  const lateMs = opts.lateMs ?? 60_000;
  const verifier = parseVerifierKey(verifierKey);
  const nodes = new MongoNodeStore(conn);
  const stored = await checkpointColl(conn).find({}, { projection: { _id: 0 } }).sort({ treeSize: 1 }).toArray();
  let pruned = 0;
  let records = 0;
  let late: string | null = null;
  let beyond: string | null = null;
  const treeSize = (await readState(conn)).size;
  const finish = async (report: Omit<StoredLogReport, 'at' | 'checkpoints' | 'pruned' | 'records'>): Promise<StoredLogReport> => {
    const full: StoredLogReport = { at: new Date(), checkpoints: stored.length, pruned, records, ...report };
    if (opts.persist !== false) {
      const doc: VerificationDoc = { at: full.at, ok: full.ok, records: full.records, treeSize: full.treeSize, root: full.root, ...(full.failure ? { failure: full.failure } : {}) };
      await verificationColl(conn).insertOne(doc);
    }
    return full;
  };
  const latest = stored[stored.length - 1] ?? null;
  const head = { treeSize: latest?.treeSize ?? 0, root: latest?.root ?? '' };
  const failed = (failure: string) => finish({ ok: false, ...head, unsequenced: 0, failure, summary: `FAILED: ${failure}` });

  // The stored fields of each checkpoint must be what its note signs (the report reads the fields).
  for (let i = 0; i < stored.length; i++) {
    const cp = stored[i]!;
    const opened = openCheckpoint(String(cp.note ?? ''), verifier);
    if (opened.ok && (opened.checkpoint.size !== cp.treeSize || opened.checkpoint.rootHash.toString('base64') !== cp.root)) {
      return failed(`checkpoint #${i} (size ${cp.treeSize}): its stored treeSize or root differs from its signed note (size ${opened.checkpoint.size})`);
    }
  }

  async function* leaves(): AsyncGenerator<LeafEntry> {
    let position = 0;
    let chunk = new Map<number, { hash: Uint8Array | undefined; record?: string }>();
    let chunkEnd = 0;
    let cp = -1; // last checkpoint with treeSize <= position
    for await (const { source, doc } of recordsInLeafOrder(conn, sources)) {
      let hashes: Uint8Array[];
      try {
        hashes = leafHashesOf(source, doc);
      } catch {
        hashes = [new Uint8Array(0)]; // verifyLog names it as a leaf without a hash
      }
      if (isPruned(doc)) pruned += hashes.length;
      const t = insertedAt(doc);
      while (cp + 1 < stored.length && stored[cp + 1]!.treeSize <= position) cp++;
      if (!late && t !== null && cp >= 0 && t < stored[cp]!.at.getTime() - lateMs) {
        late = `record ${recordId(source, doc._id, 0)} (leaf ${position}) was written at ${new Date(t).toISOString()} by its id, but entered the tree after checkpoint #${cp} (size ${stored[cp]!.treeSize}) was signed at ${stored[cp]!.at.toISOString()}: inserted after the fact`;
      }
      for (let j = 0; j < hashes.length; j++) {
        if (position >= treeSize) {
          beyond = `record ${recordId(source, doc._id, j)} claims leaf ${Number(doc.leaf) + j}, but the tree holds ${treeSize} leaves: a forged record`;
          return;
        }
        if (position >= chunkEnd) {
          chunk = await nodes.leaves(position, position + 500);
          chunkEnd = position + 500;
        }
        records++;
        yield { leafHash: hashes[j]!, index: Number(doc.leaf) + j, storedLeafHash: chunk.get(position)?.hash, id: recordId(source, doc._id, j) };
        position++;
      }
    }
  }

  const result = await verifyLog({
    leaves: leaves(),
    checkpoints: stored.map((c: CheckpointDoc) => String(c.note ?? '')),
    verifiers: verifier,
    consistencyProof: (m, n) => consistencyProof(m, n, nodes.readNodes),
  });
  if (!result.ok) return failed(await describe(result.failure, nodes));
  if (beyond) return failed(beyond);
  if (late) return failed(late);

  // Records not yet sequenced: fine while recent; one older than the latest checkpoint was slipped in.
  let unsequenced = 0;
  for (const source of sources) {
    const coll = conn.collection(source.collection);
    unsequenced += await coll.countDocuments({ leaf: null });
    if (latest) {
      for await (const doc of coll.find({ leaf: null }).sort({ _id: 1 }).limit(50)) {
        const t = insertedAt(doc);
        if (t !== null && t < latest.at.getTime() - lateMs) {
          return failed(`record ${idText(doc._id)} of ${source.collection} was written at ${new Date(t).toISOString()} by its id but is in no checkpoint, though checkpoint #${stored.length - 1} was signed at ${latest.at.toISOString()}: inserted after the fact, or it cannot be encoded`);
        }
      }
    }
  }
  const summary = `OK: records ${records}, tree size ${head.treeSize}, root ${head.root || '(no checkpoint yet)'}; ${stored.length} checkpoints, ${pruned} pruned, ${unsequenced} waiting to be sequenced`;
  return finish({ ok: true, ...head, unsequenced, summary });
}

/** The failure in words, naming the record (from the stored leaf when the record is gone). */
async function describe(failure: VerifyFailure, nodes: MongoNodeStore): Promise<string> {
  if (failure.kind === 'leaf-index' && typeof failure.claimed === 'number' && failure.claimed > failure.leaf) {
    const gone = await nodes.leaves(failure.leaf, failure.claimed);
    const names = [...gone.values()].map((l) => l.record).filter(Boolean).slice(0, 5);
    const what = names.length ? `record${names.length > 1 ? 's' : ''} ${names.join(', ')}` : 'records';
    return `leaves ${failure.leaf}..${failure.claimed - 1} are missing: ${what} deleted (the next record present, ${failure.id}, claims leaf ${failure.claimed})`;
  }
  if (failure.kind === 'leaf-index') {
    return `record ${failure.id} claims leaf ${String(failure.claimed)} but comes at leaf ${failure.leaf}: a forged record was inserted, or records were reordered`;
  }
  if (failure.kind === 'leaf-stored-hash') {
    return `record ${failure.id} (leaf ${failure.leaf}) does not hash to the leaf logged at its place: it was changed, forged or moved after it was logged`;
  }
  if (failure.kind === 'leaf-malformed') return `record ${failure.id ?? `at leaf ${failure.leaf}`} cannot be encoded: it was changed after it was logged`;
  return failure.message;
}
