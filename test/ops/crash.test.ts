/**
 * The gateway killed with SIGKILL in the middle of an erasure (a process of its own over the
 * store): the erasure record stays PENDING with the steps done so far, and the next gateway start
 * completes it. The customer's document is held mid-erasure with mongod's failCommand fail point.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, stopChild, type Child } from '../../bench/load/processes';
import { signToken } from '../../src/auth/tokens';
import { EmbeddedMongoServer } from '../../src/db/embedded';
import { gql } from '../support/graphql';

let store: EmbeddedMongoServer;
let client: MongoClient;
const children: Child[] = [];
const DB = 'crash';
const secret = randomBytes(32).toString('base64url');
const env = () => ({ MONGODB_URI: store.uri, KEY_VAULT_URI: store.uri, DB_NAME: DB, JWT_SECRET: secret, MASTER_KEY: randomKey, SEED_DEMO: '1' });
const randomKey = randomBytes(32).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  store = await EmbeddedMongoServer.start();
  client = await MongoClient.connect(store.uri, { serverSelectionTimeoutMS: 5000 });
});
afterAll(async () => {
  for (const c of children) await stopChild(c, 'SIGKILL');
  await client?.close();
  await store?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined>, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(50);
  }
}

describe('SIGKILL in the middle of an erasure', () => {
  it('leaves the erasure PENDING with its steps so far; the next start completes it', async () => {
    const first = await startGatewayProcess(env());
    children.push(first);
    const id = 'cus_0007';
    const erasures = client.db(DB).collection('erasures');
    // Hold the deletion of the customer document (the last store step): the gateway dies while it waits.
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['delete'], blockConnection: true, blockTimeMS: 8000, namespace: `${DB}.customers` } });
    const token = signToken(secret, { kind: 'customer', sub: id });
    const leaving = gql(first.url, 'mutation { leaveProgram(confirm: true) { reference } }', { token, endpoint: '/self/graphql' }).catch((e: Error) => e);
    const midway = await until('a PENDING erasure with steps done', async () => {
      const r = await erasures.findOne({ customerId: id });
      return r && r.status === 'PENDING' && (r.steps as unknown[]).length >= 2 ? r : null;
    }, 30_000);
    first.proc.kill('SIGKILL');
    await stopChild(first);
    expect(await leaving).toBeInstanceOf(Error); // the client never got an answer
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    const killed = await erasures.findOne({ _id: midway._id });
    expect(killed!.status).toBe('PENDING');
    const doneBefore = (killed!.steps as Array<{ name: string }>).map((s) => s.name);
    expect(doneBefore).toContain('destroyDataKey');
    expect(doneBefore).not.toContain('markDone');

    const second = await startGatewayProcess(env()); // completes pending erasures at start
    children.push(second);
    const done = await until('the erasure DONE', async () => {
      const r = await erasures.findOne({ _id: midway._id });
      return r?.status === 'DONE' ? r : null;
    }, 30_000);
    expect(done.customerId).toBeUndefined();
    const names = (done.steps as Array<{ name: string }>).map((s) => s.name);
    expect(names.slice(0, doneBefore.length)).toEqual(doneBefore); // nothing redone, nothing lost
    expect(new Set(names).size).toBe(names.length);
    expect(names.at(-1)).toBe('markDone');
    expect(await client.db(DB).collection('customers').countDocuments({ _id: id as never })).toBe(0);
    const me = await gql(second.url, '{ me { id } }', { token, endpoint: '/self/graphql' });
    expect(me.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 180_000);
});
