import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, recordLeafHash } from '../../../src/audit/tlog/canonical';
import { MemoryNodeStore } from '../../../src/audit/tlog/memoryNodeStore';
import { appendLeaves, consistencyProof, inclusionProof } from '../../../src/audit/tlog/merkle';
import { openCheckpoint, parseVerifierKey, signCheckpoint } from '../../../src/audit/tlog/note';
import { generateSigningKey } from '../../../src/audit/tlog/signingKey';

// The auditor's script and the example checkpoint, exactly as docs/transparency-log.md shows them.
const doc = readFileSync(join(__dirname, '../../../docs/transparency-log.md'), 'utf8');
const between = (begin: string, end: string) => {
  const match = new RegExp(`<!-- ${begin} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`\\n<!-- ${end} -->`).exec(doc);
  if (!match) throw new Error(`docs/transparency-log.md has no block between <!-- ${begin} --> and <!-- ${end} -->`);
  return match[1]!;
};
const script = between('auditor-script:begin', 'auditor-script:end');
const exampleCheckpoint = between('example-checkpoint:begin', 'example-checkpoint:end');
const EXAMPLE_VKEY = 'example.com/crm-tlog+0068403e+AUSIKJ19HabomAUtqahKuyOUHzJN+x06m9kLixxZqWj3';

const key = generateSigningKey('crm.example.com/tlog');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
let dir: string;
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const run = (...args: string[]) => {
  const result = spawnSync(process.execPath, [join(dir, 'tlog-audit.mjs'), ...args], { encoding: 'utf8' });
  return { code: result.status, out: `${result.stdout}${result.stderr}`.trim() };
};

const records = Array.from({ length: 37 }, (_, i) => ({
  _id: new ObjectId(`65f0c0ffee0000000000${i.toString(16).padStart(4, '0')}`),
  at: new Date(Date.UTC(2024, 4, 1, 12, 0, i)),
  requestId: `req-${i}`,
  actor: { kind: 'staff', id: 'u-7', roles: ['agent'] },
  purpose: 'support',
  subjectId: `cust-${i % 5}`,
  fieldsRead: ['email', 'phone'],
  decision: 'allowed',
}));
const store = new MemoryNodeStore();
const checkpoints: Record<number, string> = {};

async function proofFile(index: number, size: number, edit: (p: Record<string, unknown>) => void = () => {}) {
  const proof: Record<string, unknown> = {
    recordId: records[index]!._id.toHexString(),
    leafIndex: index,
    treeSize: size,
    leafHash: b64(recordLeafHash('accessLog', records[index]!)),
    hashes: (await inclusionProof(index, size, store.readNodes)).map(b64),
    checkpoint: checkpoints[size],
  };
  edit(proof);
  return file(`proof-${index}-${size}.json`, JSON.stringify(proof));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlog-audit-'));
  writeFileSync(join(dir, 'tlog-audit.mjs'), script);
  let size = 0;
  for (const target of [20, 37]) {
    const result = await appendLeaves(size, store.readNodes, records.slice(size, target).map((r) => recordLeafHash('accessLog', r)));
    store.put(result.nodes);
    size = result.size;
    checkpoints[size] = signCheckpoint({ size, rootHash: result.root }, key.signer);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the auditor script in docs/transparency-log.md', () => {
  it('the example checkpoint in the doc verifies under the example verifier key', () => {
    expect(openCheckpoint(exampleCheckpoint, parseVerifierKey(EXAMPLE_VKEY)).ok).toBe(true);
    expect(run('checkpoint', EXAMPLE_VKEY, file('example.txt', exampleCheckpoint))).toEqual({
      code: 0,
      out: 'OK checkpoint of example.com/crm-tlog: size 1000, root 9v10mBjTWqaoCqA+OR2NCT0wZf2D+WuMA53K3VmTO94=',
    });
  });

  it('checks a checkpoint, and refuses one signed by another key or edited', () => {
    expect(run('checkpoint', key.verifierKey, file('cp37.txt', checkpoints[37]!))).toMatchObject({ code: 0, out: expect.stringMatching(/^OK checkpoint of crm\.example\.com\/tlog: size 37, root /) });
    expect(run('checkpoint', EXAMPLE_VKEY, file('cp37.txt', checkpoints[37]!))).toEqual({ code: 1, out: 'FAIL the note is not signed by example.com/crm-tlog' });
    expect(run('checkpoint', key.verifierKey, file('edited.txt', checkpoints[37]!.replace('\n37\n', '\n38\n')))).toEqual({ code: 1, out: 'FAIL the log signature does not verify' });
    expect(run('checkpoint', key.verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'), file('cp37.txt', checkpoints[37]!))).toEqual({
      code: 1,
      out: 'FAIL the verifier key ID does not match its name and key',
    });
  });

  it('checks inclusion proofs, with and without the record', async () => {
    for (const [index, size] of [[0, 37], [19, 20], [36, 37]] as const) {
      const proof = await proofFile(index, size);
      expect(run('inclusion', key.verifierKey, proof)).toEqual({ code: 0, out: `OK record ${records[index]!._id.toHexString()} is leaf ${index} of the signed tree of size ${size}` });
    }
    const proof = await proofFile(13, 37);
    const record = file('record-13.json', canonicalJson(records[13]));
    expect(run('inclusion', key.verifierKey, proof, record, 'accessLog').code).toBe(0);
    expect(run('inclusion', key.verifierKey, proof, record).code).toBe(0);
    // The record as JSON with members in another order still hashes the same (JCS sorts them).
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(canonicalJson(records[13]))).reverse()));
    expect(run('inclusion', key.verifierKey, proof, file('reordered.json', reordered)).code).toBe(0);
  });

  it('refuses an edited record, a wrong index, a tampered path, and a proof paired with another checkpoint', async () => {
    const proof = await proofFile(13, 37);
    const edited = file('edited-record.json', canonicalJson({ ...records[13], fieldsRead: ['email', 'medicalHistory'] }));
    expect(run('inclusion', key.verifierKey, proof, edited)).toEqual({ code: 1, out: 'FAIL the record does not hash to the leaf hash of the proof' });
    expect(run('inclusion', key.verifierKey, proof, file('other-kind.json', canonicalJson(records[13])), 'consentEvent').code).toBe(1);
    expect(run('inclusion', key.verifierKey, await proofFile(13, 37, (p) => (p.leafIndex = 12)))).toEqual({
      code: 1,
      out: 'FAIL the proof does not place the leaf at index 12 of the signed tree',
    });
    const tampered = await proofFile(13, 37, (p) => {
      const hashes = p.hashes as string[];
      hashes[1] = b64(Buffer.alloc(32, 1));
    });
    expect(run('inclusion', key.verifierKey, tampered).code).toBe(1);
    expect(run('inclusion', key.verifierKey, await proofFile(13, 37, (p) => (p.checkpoint = checkpoints[20])))).toEqual({
      code: 1,
      out: 'FAIL the proof is for size 37 but its checkpoint is at size 20',
    });
  });

  it('checks a consistency proof, and refuses swapped checkpoints or a tampered proof', async () => {
    const older = file('cp20.txt', checkpoints[20]!);
    const newer = file('cp37.txt', checkpoints[37]!);
    const hashes = (await consistencyProof(20, 37, store.readNodes)).map(b64);
    const proof = file('consistency.json', JSON.stringify(hashes));
    expect(run('consistency', key.verifierKey, older, newer, proof)).toEqual({ code: 0, out: 'OK the tree of size 37 extends the tree of size 20' });
    expect(run('consistency', key.verifierKey, newer, older, proof).code).toBe(1);
    const bad = file('bad-consistency.json', JSON.stringify([hashes[0], b64(Buffer.alloc(32)), ...hashes.slice(2)]));
    expect(run('consistency', key.verifierKey, older, newer, bad)).toEqual({ code: 1, out: 'FAIL the tree of size 37 does not extend the tree of size 20' });
  });
});
