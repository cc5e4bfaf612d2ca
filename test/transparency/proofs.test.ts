/**
 * Over HTTP: a read's access-log entry gets an inclusion proof that verifies against the published
 * checkpoint and key with the independent verifier (independentVerifier.ts, nothing of src/ merkle);
 * consistency between two checkpoints verifies; bad input gets BAD_USER_INPUT or FORBIDDEN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { flatten } from '../../src/audit';
import { recordBytes } from '../../src/audit/tlog/canonical';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { consistencyHolds, leafOf, openSignedCheckpoint, rootFromAuditPath } from './independentVerifier';

let app: TestApp;
let key: string;
beforeAll(async () => {
  app = await startTestApp({ env: { TLOG_SEQUENCER: '1', TLOG_CHECKPOINT_MS: '200' } });
  key = await (await fetch(`${app.url}/transparency/key`)).text();
}, 120_000);
afterAll(() => app?.stop());

const self = (query: string, variables?: Record<string, unknown>) => gql(app.url, query, { token: app.tokens.customer, endpoint: '/self/graphql', variables });
const pat = (query: string, variables?: Record<string, unknown>) => gql(app.url, query, { token: app.tokens.pat, purpose: 'audit', variables });
const PROOF = 'recordId leafIndex treeSize leafHash hashes checkpoint';

/** Retries while the answer is "not in a signed checkpoint yet" (the sequencer ticks every 200 ms here). */
async function eventually<T>(ask: () => Promise<{ data?: any; errors?: any[] }>, pick: (d: any) => T): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const r = await ask();
    if (!r.errors) return pick(r.data);
    if (!/not in a signed checkpoint yet/.test(r.errors[0].message)) throw new Error(JSON.stringify(r.errors));
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('never sequenced');
}

function checkProof(p: { leafIndex: number; treeSize: number; leafHash: string; hashes: string[]; checkpoint: string }) {
  const cp = openSignedCheckpoint(p.checkpoint, key);
  expect(cp).not.toBeNull();
  expect(cp!.size).toBe(p.treeSize);
  const root = rootFromAuditPath(p.leafIndex, p.treeSize, Buffer.from(p.leafHash, 'base64'), p.hashes.map((h) => Buffer.from(h, 'base64')));
  expect(root?.equals(cp!.root)).toBe(true);
  return cp!;
}

describe('transparency log over HTTP', () => {
  it('publishes a key and a checkpoint signed by it', async () => {
    expect(key).toMatch(/^test\.localhost\/tlog\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    await eventually(async () => ((await fetch(`${app.url}/transparency/checkpoint`)).status === 200 ? {} : { errors: [{ message: 'not in a signed checkpoint yet' }] }), () => 0);
    const res = await fetch(`${app.url}/transparency/checkpoint`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(openSignedCheckpoint(await res.text(), key)).not.toBeNull();
  });

  it("a customer's own access-history entry has an inclusion proof that verifies with only the public key", async () => {
    expect((await self('{ me { id } }')).errors).toBeUndefined();
    const history = await self('{ myAccessHistory(first: 5) { edges { node { id fieldsRead } } } }');
    const id: string = history.data!.myAccessHistory.edges[0].node.id;
    const proof = await eventually(() => self(`query($id: ID!) { myRecordProof(id: $id) { ${PROOF} } }`, { id }), (d) => d.myRecordProof);
    expect(proof.recordId).toBe(id);
    checkProof(proof);
    // The leaf hash is the record's: recompute it from the stored document, as an auditor would from an export.
    const [docId, k] = id.split('.');
    const doc = await app.running.services.conn.collection('accessLog').findOne({ _id: new ObjectId(docId) });
    const { leaf: _leaf, ...body } = doc!;
    const entry = flatten(body as never)[Number(k)]!;
    const leafBody = { ...entry, audience: body.audience, phase: body.phase };
    expect(leafOf(recordBytes('accessLog', leafBody)).toString('base64')).toBe(proof.leafHash);
  });

  it('the privacy officer gets the proof of any record, at an older checkpoint too, and consistency between checkpoints verifies', async () => {
    const log = await pat('{ accessLog(first: 3) { edges { node { id } } } }');
    const id: string = log.data!.accessLog.edges[2].node.id;
    const latest = await eventually(() => pat(`query($id: ID!) { recordProof(recordId: $id) { ${PROOF} } }`, { id }), (d) => d.recordProof);
    checkProof(latest);
    // More records, a later checkpoint.
    for (let i = 0; i < 3; i++) await self('{ me { id } }');
    const fresh = (await self('{ myAccessHistory(first: 1) { edges { node { id } } } }')).data!.myAccessHistory.edges[0].node.id;
    const later = await eventually(() => self(`query($id: ID!) { myRecordProof(id: $id) { ${PROOF} } }`, { id: fresh }), (d) => d.myRecordProof);
    expect(later.treeSize).toBeGreaterThan(latest.treeSize);
    const older = await pat(`query($id: ID!, $n: Int) { recordProof(recordId: $id, treeSize: $n) { ${PROOF} } }`, { id, n: latest.treeSize });
    expect(older.data!.recordProof.treeSize).toBe(latest.treeSize);
    checkProof(older.data!.recordProof);
    const a = openSignedCheckpoint(latest.checkpoint, key)!;
    const b = openSignedCheckpoint(later.checkpoint, key)!;
    const c = await pat('query($f: Int!, $t: Int!) { consistencyProof(from: $f, to: $t) }', { f: a.size, t: b.size });
    const proof = (c.data!.consistencyProof as string[]).map((h) => Buffer.from(h, 'base64'));
    expect(proof.length).toBeGreaterThan(0);
    expect(consistencyHolds(a.size, b.size, proof, a.root, b.root)).toBe(true);
    // A tampered proof does not verify with the independent verifier (it can fail).
    const bad = [...proof];
    bad[0] = Buffer.alloc(32, 7);
    expect(consistencyHolds(a.size, b.size, bad, a.root, b.root)).toBe(false);
  });

  it('a consent event is a leaf too, with its own proof', async () => {
    const events = app.running.services.conn.collection('consentEvents');
    const before = await events.countDocuments();
    const r = await self('mutation { withdrawConsent(key: "marketing") { key } }');
    const r2 = await self('mutation { grantConsent(key: "marketing") { key } }');
    expect([r.errors, r2.errors]).toEqual([undefined, undefined]);
    expect(await events.countDocuments()).toBeGreaterThan(before);
    const ev = await events.find().sort({ _id: -1 }).limit(1).next();
    const id = `consentEvent:${ev!._id.toHexString()}`;
    const proof = await eventually(() => pat(`query($id: ID!) { recordProof(recordId: $id) { ${PROOF} } }`, { id }), (d) => d.recordProof);
    checkProof(proof);
  });

  it('bad input: unknown record, another customer’s entry, a size above the latest checkpoint, from > to, no audit purpose', async () => {
    const unknown = await pat('{ recordProof(recordId: "65aaaaaaaaaaaaaaaaaaaaaa.0") { leafIndex } }');
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors![0].message).toMatch(/recordId/);
    // An entry about someone else (pat's own access-log read is about no customer; take one about another customer).
    const others = await pat('{ accessLog(first: 50) { edges { node { id subjectId } } } }');
    const foreign = others.data!.accessLog.edges.map((e: any) => e.node).find((n: any) => n.subjectId && n.subjectId !== 'cus_0001' && n.subjectId.startsWith('cus_'))
      ?? others.data!.accessLog.edges.map((e: any) => e.node).find((n: any) => n.subjectId !== 'cus_0001');
    const denied = await self('query($id: ID!) { myRecordProof(id: $id) { leafIndex leafHash } }', { id: foreign.id });
    expect(codes(denied)).toEqual(['BAD_USER_INPUT']);
    expect(denied.data?.myRecordProof ?? null).toBeNull();
    const unknownMine = await self('{ myRecordProof(id: "65aaaaaaaaaaaaaaaaaaaaaa.0") { leafIndex } }');
    expect(unknownMine.errors![0].message).toBe(denied.errors![0].message); // the same answer: nothing about whether it exists
    const cp = openSignedCheckpoint(await (await fetch(`${app.url}/transparency/checkpoint`)).text(), key)!;
    const tooBig = await pat(`{ recordProof(recordId: "${foreign.id}", treeSize: ${cp.size + 1000}) { leafIndex } }`);
    expect(codes(tooBig)).toEqual(['BAD_USER_INPUT']);
    expect(tooBig.errors![0].message).toMatch(/treeSize.*latest checkpoint/);
    const reversed = await pat('{ consistencyProof(from: 5, to: 2) }');
    expect(codes(reversed)).toEqual(['BAD_USER_INPUT']);
    expect(reversed.errors![0].message).toMatch(/"from".*must not exceed/);
    const beyond = await pat(`{ consistencyProof(from: 1, to: ${cp.size + 1000}) }`);
    expect(codes(beyond)).toEqual(['BAD_USER_INPUT']);
    const mia = await gql(app.url, '{ consistencyProof(from: 1, to: 2) }', { token: app.tokens.mia, purpose: 'marketing' });
    expect(codes(mia)[0]).toMatch(/FORBIDDEN|PURPOSE_NOT_ALLOWED/);
    expect(mia.data?.consistencyProof ?? null).toBeNull();
  });

  it('/readyz carries the log detail without changing its status', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.status).toBe('ready');
    expect(body.detail.tlog.checkpoint.ok).toBe(true);
    expect(body.detail.tlog.treeSize).toBeGreaterThan(0);
  });
});
