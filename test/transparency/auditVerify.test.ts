/**
 * `npm run audit:verify` against a real store, untouched and tampered with for real through the raw
 * driver: a changed field, a deleted record, forged records (claiming a place, or backdated and
 * waiting), two records reordered, a replaced checkpoint. Each exits 1 naming it; untouched exits 0.
 * Pruned records (an erasure) keep their leaf hash: proofs still verify, verify counts them as pruned.
 */
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/audit/tlog/signingKey';
import { signCheckpoint } from '../../src/audit/tlog/note';
import { eraseCustomer, erasureServicesOf } from '../../src/erasure';
import { tlogOf } from '../../src/transparency';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { openSignedCheckpoint, rootFromAuditPath } from './independentVerifier';
import { auditVerify, settled } from './support';

const SOURCES = ['accessLog', 'consentEvents', 'erasureEvents'];
let app: TestApp;
let env: Record<string, string>;
const db = () => app.running.services.conn.db!;

beforeAll(async () => {
  app = await startTestApp({ env: { TLOG_SEQUENCER: '1', TLOG_CHECKPOINT_MS: '200', TLOG_VERIFY_MS: '0' } });
  const key = (await (await fetch(`${app.url}/transparency/key`)).text()).trim();
  env = { MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName, TLOG_VERIFIER_KEY: key };
  for (let i = 0; i < 5; i++) await gql(app.url, '{ me { id } }', { token: app.tokens.customer, endpoint: '/self/graphql' });
  await gql(app.url, '{ accessLog(first: 2) { edges { node { id } } } }', { token: app.tokens.pat, purpose: 'audit' });
  // An erasure: its events are records, and the customer's consent events are pruned to their leaf hashes.
  await eraseCustomer(erasureServicesOf(app.running.services), 'cus_0002', { reason: 'test of pruning', requestedBy: 'privacy-officer' });
  await settled(app.running.services.conn, SOURCES);
}, 180_000);
afterAll(() => app?.stop());

describe('pruned records', () => {
  it('keep their leaf hash: the proof of a pruned consent event verifies, and erasure events are leaves', async () => {
    const pruned = await db().collection('consentEvents').findOne({ pruned: { $exists: true } });
    expect(pruned?.leafHashes).toHaveLength(1);
    expect(pruned?.customerId).toBeUndefined();
    const id = `consentEvent:${(pruned!._id as ObjectId).toHexString()}`;
    const r = await gql(app.url, 'query($id: ID!) { recordProof(recordId: $id) { leafIndex treeSize leafHash hashes checkpoint } }', { token: app.tokens.pat, purpose: 'audit', variables: { id } });
    expect(r.errors).toBeUndefined();
    const p = r.data!.recordProof;
    const cp = openSignedCheckpoint(p.checkpoint, env.TLOG_VERIFIER_KEY!)!;
    expect(rootFromAuditPath(p.leafIndex, p.treeSize, Buffer.from(p.leafHash, 'base64'), p.hashes.map((h: string) => Buffer.from(h, 'base64')))?.equals(cp.root)).toBe(true);
    const events = await db().collection('erasureEvents').find().sort({ _id: 1 }).toArray();
    expect(events.map((e) => e.event)).toEqual(['requested', ...events.slice(1, -1).map(() => 'step'), 'done']);
    expect(events.every((e) => typeof e.leaf === 'number')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('cus_0002');
  });
});

describe('npm run audit:verify', () => {
  beforeAll(async () => {
    // Nothing is sequenced from here on: the tampering below must stay visible.
    await tlogOf(app.running.services).sequencer.stop();
  }, 60_000);

  it('exits 0 on the untouched database with a summary line, and keeps the outcome in tlogVerifications', async () => {
    const r = await auditVerify(env);
    expect(r.out).toMatch(/^audit:verify OK: records \d+, tree size \d+, root [A-Za-z0-9+/]{43}=; \d+ checkpoints, [1-9]\d* pruned/m);
    expect(r.code).toBe(0);
    const last = await db().collection('tlogVerifications').find().sort({ at: -1 }).limit(1).next();
    expect(last).toMatchObject({ ok: true });
    expect(last!.treeSize).toBeGreaterThan(0);
  }, 120_000);

  /** Applies a tampering, runs audit:verify, undoes it. */
  async function tampered(apply: () => Promise<() => Promise<unknown>>): Promise<{ code: number; out: string }> {
    const undo = await apply();
    try {
      return await auditVerify(env);
    } finally {
      await undo();
    }
  }

  it('names a record whose field was changed', async () => {
    const doc = await db().collection('accessLog').find().sort({ leaf: 1 }).skip(3).limit(1).next();
    const r = await tampered(async () => {
      await db().collection('accessLog').updateOne({ _id: doc!._id }, { $set: { 'actor.roles': ['supervisor'] } });
      return () => db().collection('accessLog').replaceOne({ _id: doc!._id }, doc!);
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`record ${(doc!._id as ObjectId).toHexString()}.0 (leaf ${doc!.leaf}) does not hash to the leaf logged at its place`);
  }, 120_000);

  it('names a deleted record', async () => {
    const doc = await db().collection('consentEvents').find().sort({ leaf: 1 }).skip(10).limit(1).next();
    const r = await tampered(async () => {
      await db().collection('consentEvents').deleteOne({ _id: doc!._id });
      return () => db().collection('consentEvents').insertOne(doc!);
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`leaves ${doc!.leaf}..${doc!.leaf} are missing: record consentEvent:${(doc!._id as ObjectId).toHexString()} deleted`);
  }, 120_000);

  it('names a forged record that claims a place in the tree', async () => {
    const model = await db().collection('consentEvents').find({ pruned: { $exists: false } }).sort({ leaf: 1 }).skip(5).limit(1).next();
    const forged = { ...model!, _id: new ObjectId(), granted: !model!.granted };
    const r = await tampered(async () => {
      await db().collection('consentEvents').insertOne(forged);
      return () => db().collection('consentEvents').deleteOne({ _id: forged._id });
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`consentEvent:${forged._id.toHexString()}`);
  }, 120_000);

  it('names a forged record slipped in with an old id, waiting to be sequenced', async () => {
    const forged = { _id: ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 3600), customerId: 'cus_0003', key: 'marketing', granted: true, at: new Date(Date.now() - 3_600_000), source: 'staff', textVersion: '2024-01' };
    const r = await tampered(async () => {
      await db().collection('consentEvents').insertOne(forged);
      return () => db().collection('consentEvents').deleteOne({ _id: forged._id });
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`record ${forged._id.toHexString()} of consentEvents`);
    expect(r.out).toMatch(/inserted after the fact/);
  }, 120_000);

  it('names a record moved by reordering two', async () => {
    const [a, b] = await db().collection('consentEvents').find({ pruned: { $exists: false } }).sort({ leaf: 1 }).skip(20).limit(2).toArray();
    const r = await tampered(async () => {
      await db().collection('consentEvents').updateOne({ _id: a!._id }, { $set: { leaf: b!.leaf } });
      await db().collection('consentEvents').updateOne({ _id: b!._id }, { $set: { leaf: a!.leaf } });
      return async () => {
        await db().collection('consentEvents').updateOne({ _id: a!._id }, { $set: { leaf: a!.leaf } });
        await db().collection('consentEvents').updateOne({ _id: b!._id }, { $set: { leaf: b!.leaf } });
      };
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`record consentEvent:${(b!._id as ObjectId).toHexString()} (leaf ${a!.leaf}) does not hash to the leaf logged at its place`);
  }, 120_000);

  it('names a replaced checkpoint: re-signed by another key, or its stored root edited', async () => {
    const cps = await db().collection('tlogCheckpoints').find().sort({ treeSize: 1 }).toArray();
    const target = cps[1]!;
    const other = generateSigningKey(env.TLOG_VERIFIER_KEY!.split('+')[0]!);
    const r = await tampered(async () => {
      const note = signCheckpoint({ size: target.treeSize, rootHash: Buffer.alloc(32, 9) }, other.signer);
      await db().collection('tlogCheckpoints').updateOne({ _id: target._id }, { $set: { note, root: Buffer.alloc(32, 9).toString('base64') } });
      return () => db().collection('tlogCheckpoints').replaceOne({ _id: target._id }, target);
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/checkpoint #1 does not verify/);
    const edited = await tampered(async () => {
      await db().collection('tlogCheckpoints').updateOne({ _id: target._id }, { $set: { root: Buffer.alloc(32, 9).toString('base64') } });
      return () => db().collection('tlogCheckpoints').replaceOne({ _id: target._id }, target);
    });
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/checkpoint #1 \(size \d+\): its stored treeSize or root differs from its signed note/);
    // Untouched again after every undo.
    expect((await auditVerify(env)).code).toBe(0);
  }, 240_000);
});
