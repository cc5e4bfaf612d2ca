import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordLeafHash } from '../../../src/audit/tlog/canonical';
import { MemoryNodeStore } from '../../../src/audit/tlog/memoryNodeStore';
import { TreeBuilder, appendLeaves, consistencyProof, leafHash, nodeKeyId, rootAt, type NodeKey, type ReadNodes } from '../../../src/audit/tlog/merkle';
import { formatVerifierKey, signCheckpoint, signNote, formatCheckpoint } from '../../../src/audit/tlog/note';
import { generateSigningKey } from '../../../src/audit/tlog/signingKey';
import { verifyLog, type LeafEntry } from '../../../src/audit/tlog/verify';

const ORIGIN = 'crm.example.com/tlog';
const key = generateSigningKey(ORIGIN);
const vkey = key.verifierKey;

interface Log {
  records: { _id: string; leafIndex: number; at: Date; subjectId: string; fieldsRead: string[] }[];
  hashes: Buffer[];
  store: MemoryNodeStore;
  checkpoints: string[];
  sizes: number[];
}

/** A log of `n` access records, sequenced in batches, with a signed checkpoint after each batch in `sizes`. */
async function buildLog(n: number, sizes: number[]): Promise<Log> {
  const records = Array.from({ length: n }, (_, i) => ({
    _id: `rec-${i}`,
    leafIndex: i,
    at: new Date(Date.UTC(2024, 0, 1) + i * 1000),
    subjectId: `cust-${i % 17}`,
    fieldsRead: ['email', i % 2 ? 'phone' : 'address'],
  }));
  const hashes = records.map((r) => recordLeafHash('accessLog', r, { omit: ['leafIndex'] }));
  const store = new MemoryNodeStore();
  const checkpoints: string[] = [];
  let size = 0;
  for (const target of sizes) {
    const result = await appendLeaves(size, store.readNodes, hashes.slice(size, target));
    store.put(result.nodes);
    size = result.size;
    checkpoints.push(signCheckpoint({ size, rootHash: result.root }, key.signer));
  }
  const rest = await appendLeaves(size, store.readNodes, hashes.slice(size));
  store.put(rest.nodes);
  return { records, hashes, store, checkpoints, sizes };
}

/** Leaf entries as a verify command would build them: recomputed hash, claimed index, stored leaf hash, id. */
function entries(log: Log, records = log.records): LeafEntry[] {
  return records.map((r) => ({
    leafHash: recordLeafHash('accessLog', r, { omit: ['leafIndex'] }),
    index: r.leafIndex,
    storedLeafHash: log.store.get({ level: 0, index: r.leafIndex }),
    id: r._id,
  }));
}

describe('verifyLog', () => {
  it('verifies an untouched log, including a size-0 and a repeated checkpoint, and reports unanchored records', async () => {
    const log = await buildLog(1000, [0, 1, 2, 7, 64, 64, 333, 999]);
    const result = await verifyLog({ leaves: entries(log), checkpoints: log.checkpoints, verifiers: vkey });
    expect(result).toMatchObject({ ok: true, leaves: 1000, checkpoints: 8, unanchoredLeaves: 1 });
    if (!result.ok) return;
    expect(result.latest?.size).toBe(999);
    expect(result.summary).toMatch(/^verified 1000 records against 8 checkpoints; latest checkpoint: size 999, root .+; 1 newer records are not yet covered by a checkpoint$/);
    // Bare hashes, an async source, and stored consistency proofs verify too.
    expect((await verifyLog({ leaves: log.hashes, checkpoints: log.checkpoints, verifiers: vkey, origin: ORIGIN })).ok).toBe(true);
    async function* cursor() {
      for (const e of entries(log)) yield e;
    }
    const withProofs = await verifyLog({
      leaves: cursor(),
      checkpoints: log.checkpoints,
      verifiers: [vkey],
      consistencyProof: (m, n) => consistencyProof(m, n, log.store.readNodes),
    });
    expect(withProofs.ok).toBe(true);
  });

  it('verifies an empty log with no checkpoints, and one with only a size-0 checkpoint', async () => {
    expect(await verifyLog({ leaves: [], checkpoints: [], verifiers: vkey })).toMatchObject({ ok: true, leaves: 0, latest: null });
    const empty = signCheckpoint({ size: 0, rootHash: await rootAt(0, async () => []) }, key.signer);
    expect(await verifyLog({ leaves: [], checkpoints: [empty], verifiers: vkey })).toMatchObject({ ok: true, leaves: 0 });
    const wrong = signCheckpoint({ size: 0, rootHash: leafHash(Buffer.from('not empty')) }, key.signer);
    const result = await verifyLog({ leaves: [], checkpoints: [wrong], verifiers: vkey });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'checkpoint-root', checkpoint: 0, size: 0 } });
    expect(result.summary).toMatch(/^checkpoint #0 \(size 0\) is signed over root .+, but the empty tree's root is 47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU=$/);
  });

  describe('names the first failure', () => {
    it('an edited record: by its leaf index when the stored leaf hash is given, else by the checkpoint whose root breaks', async () => {
      const log = await buildLog(600, [100, 250, 500]);
      const edited = log.records.map((r) => (r.leafIndex === 321 ? { ...r, fieldsRead: ['email', 'medicalHistory'] } : r));
      const named = await verifyLog({ leaves: entries(log, edited), checkpoints: log.checkpoints, verifiers: vkey });
      expect(named).toMatchObject({ ok: false, leavesChecked: 321, failure: { kind: 'leaf-stored-hash', leaf: 321, id: 'rec-321' } });
      expect(named.summary).toBe('leaf 321 (record rec-321) does not hash to the stored leaf hash: the record was changed after it was logged');

      // The stored leaf hash was rewritten too (or is not consulted): the signed root catches it.
      const bare = edited.map((r) => recordLeafHash('accessLog', r, { omit: ['leafIndex'] }));
      const byRoot = await verifyLog({ leaves: bare, checkpoints: log.checkpoints, verifiers: vkey });
      expect(byRoot).toMatchObject({ ok: false, failure: { kind: 'checkpoint-root', checkpoint: 2, size: 500, leafRange: [250, 500] } });
      expect(byRoot.summary).toContain('a record among leaves 250..499 was changed, removed, inserted or reordered');
    });

    it('an edit after the last checkpoint is only caught through the stored leaf hash', async () => {
      const log = await buildLog(300, [200]);
      const edited = log.records.map((r) => (r.leafIndex === 250 ? { ...r, subjectId: 'someone-else' } : r));
      const bare = edited.map((r) => recordLeafHash('accessLog', r, { omit: ['leafIndex'] }));
      expect(await verifyLog({ leaves: bare, checkpoints: log.checkpoints, verifiers: vkey })).toMatchObject({ ok: true, unanchoredLeaves: 100 });
      expect(await verifyLog({ leaves: entries(log, edited), checkpoints: log.checkpoints, verifiers: vkey })).toMatchObject({
        ok: false,
        failure: { kind: 'leaf-stored-hash', leaf: 250 },
      });
    });

    it('a deleted record: by the index gap, else by the root', async () => {
      const log = await buildLog(400, [150, 390]);
      const without = log.records.filter((r) => r.leafIndex !== 200);
      expect(await verifyLog({ leaves: entries(log, without), checkpoints: log.checkpoints, verifiers: vkey })).toMatchObject({
        ok: false,
        failure: { kind: 'leaf-index', leaf: 200, claimed: 201, id: 'rec-201' },
      });
      const bare = without.map((r) => recordLeafHash('accessLog', r, { omit: ['leafIndex'] }));
      expect(await verifyLog({ leaves: bare, checkpoints: log.checkpoints, verifiers: vkey })).toMatchObject({
        ok: false,
        failure: { kind: 'checkpoint-root', checkpoint: 1, leafRange: [150, 390] },
      });
    });

    it('records deleted at the end: the checkpoint beyond the log', async () => {
      const log = await buildLog(300, [100, 280]);
      const result = await verifyLog({ leaves: log.hashes.slice(0, 250), checkpoints: log.checkpoints, verifiers: vkey });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'checkpoint-beyond-log', checkpoint: 1, size: 280, leaves: 250 } });
      expect(result.summary).toBe('checkpoint #1 is signed at size 280 but the log holds 250 records: records 250..279 are missing');
    });

    it('a replaced checkpoint: unsigned by the log key, edited, or validly signed over another tree', async () => {
      const log = await buildLog(200, [50, 120, 180]);
      const other = generateSigningKey(ORIGIN).signer; // same name, another key
      const root120 = await rootAt(120, log.store.readNodes);
      const cases: [string[], object][] = [
        [[log.checkpoints[0]!, signCheckpoint({ size: 120, rootHash: root120 }, other), log.checkpoints[2]!], { kind: 'checkpoint-invalid', checkpoint: 1, code: 'unverified' }],
        [[log.checkpoints[0]!, log.checkpoints[1]!.replace('\n120\n', '\n121\n'), log.checkpoints[2]!], { kind: 'checkpoint-invalid', checkpoint: 1, code: 'invalid-signature' }],
        [[log.checkpoints[0]!, signCheckpoint({ size: 120, rootHash: leafHash(Buffer.from('another tree')) }, key.signer), log.checkpoints[2]!], { kind: 'checkpoint-root', checkpoint: 1, leafRange: [50, 120] }],
        [[log.checkpoints[0]!, signCheckpoint({ origin: 'other.example/log', size: 120, rootHash: root120 }, key.signer)], { kind: 'checkpoint-invalid', checkpoint: 1, code: 'wrong-origin' }],
        [[log.checkpoints[0]!, signNote('not a checkpoint\n', key.signer)], { kind: 'checkpoint-invalid', checkpoint: 1, code: 'not-a-checkpoint' }],
      ];
      for (const [checkpoints, failure] of cases) {
        expect(await verifyLog({ leaves: log.hashes, checkpoints, verifiers: vkey })).toMatchObject({ ok: false, failure });
      }
    });

    it('a bad signature, named with the key', async () => {
      const log = await buildLog(100, [10, 90]);
      const note = log.checkpoints[1]!;
      const sigStart = note.lastIndexOf(' ') + 1;
      const flipped = note.slice(0, sigStart + 10) + (note[sigStart + 10] === 'A' ? 'B' : 'A') + note.slice(sigStart + 11);
      const result = await verifyLog({ leaves: log.hashes, checkpoints: [log.checkpoints[0]!, flipped], verifiers: vkey });
      expect(result).toMatchObject({ ok: false, leavesChecked: 0, failure: { kind: 'checkpoint-invalid', checkpoint: 1, code: 'invalid-signature' } });
      expect(result.summary).toBe(`checkpoint #1 does not verify: the signature by key ${vkey.split('+').slice(0, 2).join('+')} does not verify`);
    });

    it('checkpoints out of order, and two signed roots for one size (a fork)', async () => {
      const log = await buildLog(100, [10, 90]);
      expect(await verifyLog({ leaves: log.hashes, checkpoints: [log.checkpoints[1]!, log.checkpoints[0]!], verifiers: vkey })).toMatchObject({
        ok: false,
        failure: { kind: 'checkpoint-order', checkpoint: 1, size: 10, previousSize: 90 },
      });
      const fork = signNote(formatCheckpoint({ origin: ORIGIN, size: 90, rootHash: leafHash(Buffer.from('fork')) }), key.signer);
      expect(await verifyLog({ leaves: log.hashes, checkpoints: [...log.checkpoints, fork], verifiers: vkey })).toMatchObject({
        ok: false,
        failure: { kind: 'checkpoint-fork', checkpoint: 2, size: 90 },
      });
    });

    it('a tampered stored node: the stored consistency proof fails; a missing node is named', async () => {
      const log = await buildLog(300, [100, 200, 300]);
      // Tamper with a node that the proof from 100 to 200 reads.
      const read: NodeKey[] = [];
      await consistencyProof(100, 200, async (keys) => {
        read.push(...keys);
        return log.store.readNodes(keys);
      });
      const victim = read[read.length - 1]!;
      const tampered: ReadNodes = async (keys) => {
        const values = await log.store.readNodes(keys);
        return keys.map((k, i) => (nodeKeyId(k) === nodeKeyId(victim) ? leafHash(Buffer.from('x')) : values[i]));
      };
      const result = await verifyLog({ leaves: log.hashes, checkpoints: log.checkpoints, verifiers: vkey, consistencyProof: (m, n) => consistencyProof(m, n, tampered) });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'consistency', checkpoint: 1, from: 100, to: 200 } });
      expect(result.summary).toMatch(/^the stored consistency proof from checkpoint #0 \(size 100\) to checkpoint #1 \(size 200\) does not verify: the (first|second) root computed/);
      const missing = await verifyLog({ leaves: log.hashes, checkpoints: log.checkpoints, verifiers: vkey, consistencyProof: (m, n) => consistencyProof(m, n, async (keys) => keys.map(() => undefined)) });
      expect(missing).toMatchObject({ ok: false, failure: { kind: 'consistency', checkpoint: 1, from: 100, to: 200 } });
      expect(missing.summary).toMatch(/the proof could not be produced: Merkle tree node \(level \d+, index \d+\) is not in the node store$/);
    });

    it('a malformed leaf', async () => {
      const result = await verifyLog({ leaves: [Buffer.alloc(32), Buffer.alloc(31)], checkpoints: [], verifiers: vkey });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'leaf-malformed', leaf: 1 } });
      const entry = await verifyLog({ leaves: [{ leafHash: 'abc' as unknown as Uint8Array, id: 'r0' }], checkpoints: [], verifiers: vkey });
      expect(entry.summary).toBe('leaf 0 (record r0) has no 32-byte leaf hash');
    });
  });

  it('refuses a malformed verifier key (configuration) by throwing', async () => {
    await expect(verifyLog({ leaves: [], checkpoints: [], verifiers: 'nope' })).rejects.toThrow('a verifier key is <name>+<8 lowercase hex key ID>');
    expect(formatVerifierKey(ORIGIN, key.signer.publicKey)).toBe(vkey);
  });
});
