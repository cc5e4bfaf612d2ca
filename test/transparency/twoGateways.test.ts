/**
 * Two gateway processes (the real entry point, `npm start`) on one store, written to at once: the
 * records of both end up in one consistent tree, each record exactly once, one sequencer at a time
 * (the lease). Measures how long a record waits until a signed checkpoint covers it, with the
 * default TLOG_CHECKPOINT_MS (1 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/tokens';
import { generateSigningKey } from '../../src/audit/tlog/signingKey';
import { connectMongoose } from '../../src/db/connect';
import { PERSONAS } from '../../src/demo/personas';
import { CAPABILITIES } from '../../src/server/capabilities';
import { recordSourcesOf, verifyStoredLog } from '../../src/transparency';
import { startTestDatabase, type TestDatabase } from '../support/database';
import { gql } from '../support/graphql';
import { settled } from './support';

let db: TestDatabase;
let conn: Connection;
const children: ChildProcess[] = [];
const secret = randomBytes(32).toString('base64url');
const key = generateSigningKey('two.localhost/tlog');

function startMain(seed: boolean): Promise<string> {
  const env = {
    ...process.env, NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'warn', JWT_SECRET: secret, MASTER_KEY: masterKey,
    SEED_DEMO: seed ? '1' : '0', MONGODB_URI: db.uri, KEY_VAULT_URI: db.uri, DB_NAME: db.dbName, TLOG_SIGNING_KEY: key.signingKey, TLOG_VERIFY_MS: '0',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Gateway ready: (http:\/\/[^/]+)\/graphql/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited early with ${code}: ${err.slice(-2000)}`)));
  });
}
const masterKey = randomBytes(32).toString('base64');
const stopped = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())));

beforeAll(async () => {
  db = await startTestDatabase();
  const first = await startMain(true);
  const second = await startMain(false);
  urls.push(first, second);
  conn = await connectMongoose(db.uri, db.dbName);
}, 240_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await conn?.close();
  await db?.stop();
});
const urls: string[] = [];

describe('two gateway processes on one store', () => {
  it('write at once and produce one consistent tree, each record once', async () => {
    const sources = recordSourcesOf(CAPABILITIES);
    const collections = sources.map((s) => s.collection);
    await settled(conn, collections, 180_000); // the seed's records
    const customer = signToken(secret, PERSONAS.find((p) => p.name === 'customer')!.claims);
    const pat = signToken(secret, PERSONAS.find((p) => p.name === 'pat')!.claims);
    const startedAt = Date.now();
    // Both gateways, concurrently, for a few seconds.
    const load = async (url: string) => {
      let n = 0;
      while (Date.now() - startedAt < 6000) {
        const r = await Promise.all([
          gql(url, '{ me { id } }', { token: customer, endpoint: '/self/graphql' }),
          gql(url, '{ accessLog(first: 1) { edges { node { id } } } }', { token: pat, purpose: 'audit' }),
        ]);
        expect(r.map((x) => x.errors)).toEqual([undefined, undefined]);
        n += 2;
      }
      return n;
    };
    const written = (await Promise.all(urls.map(load))).reduce((a, b) => a + b, 0);
    expect(written).toBeGreaterThan(10);
    const { size } = await settled(conn, collections, 120_000);

    // One tree: every leaf index once, as many leaves as the records hold, and it verifies.
    const leaves: number[] = [];
    for (const c of collections) for await (const d of conn.collection(c).find({}, { projection: { leaf: 1, entries: 1, subjects: 1 } })) {
      const n = c === 'accessLog' ? (d.subjects as number) : 1;
      for (let j = 0; j < n; j++) leaves.push((d.leaf as number) + j);
    }
    leaves.sort((a, b) => a - b);
    expect(leaves.length).toBe(size);
    expect(leaves.every((l, i) => l === i)).toBe(true);
    const report = await verifyStoredLog(conn, sources, key.verifierKey, { persist: false });
    expect(report.summary).toMatch(/^OK: /);
    expect(report.ok).toBe(true);
    expect(report.records).toBe(size);

    // The wait: from a record's write (its ObjectId) to the first signed checkpoint that covers it.
    const checkpoints = await conn.collection('tlogCheckpoints').find().sort({ treeSize: 1 }).toArray();
    let maxWait = 0;
    let count = 0;
    for await (const d of conn.collection('accessLog').find({ _id: { $gte: objectIdAt(startedAt) } })) {
      const cp = checkpoints.find((c) => c.treeSize > (d.leaf as number))!;
      // `at` is when the request began (ms); its record was written when it ended, so this is an upper bound.
      maxWait = Math.max(maxWait, cp.at.getTime() - (d.at as Date).getTime());
      count++;
    }
    process.stdout.write(`two gateways: ${written} requests, ${count} access-log records, longest wait to a signed checkpoint ${maxWait} ms (TLOG_CHECKPOINT_MS=1000)\n`);
    expect(maxWait).toBeLessThan(10_000);
    // One lease holder.
    expect(await conn.collection('leases').countDocuments({ _id: 'tlog-sequencer' as never })).toBe(1);
  }, 400_000);

  it('a stopped gateway gives the lease up and the other one goes on sequencing', async () => {
    // Whichever of the two held the lease, the records written through the other after the stop get sequenced.
    children[0]!.kill('SIGTERM');
    await stopped(children[0]!);
    expect(children[0]!.exitCode).toBe(0);
    const customer = signToken(secret, PERSONAS.find((p) => p.name === 'customer')!.claims);
    expect((await gql(urls[1]!, '{ me { id } }', { token: customer, endpoint: '/self/graphql' })).errors).toBeUndefined();
    const collections = recordSourcesOf(CAPABILITIES).map((s) => s.collection);
    await settled(conn, collections, 60_000);
    const report = await verifyStoredLog(conn, recordSourcesOf(CAPABILITIES), key.verifierKey, { persist: false });
    expect(report.ok).toBe(true);
  }, 120_000);
});

function objectIdAt(ms: number): ObjectId {
  return ObjectId.createFromTime(Math.floor(ms / 1000));
}
