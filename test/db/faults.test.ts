/**
 * The embedded store's fault controls, through the official driver: going away and coming back on
 * the same port with the data (suspend/resume), hanging, mongod's failCommand fail point, the TTL
 * monitor, and the store as a process of its own (`npm run store`). These target the embedded
 * server itself, whatever MONGODB_URI says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { EmbeddedMongoServer } from '../../src/db/embedded';

let server: EmbeddedMongoServer;
const clients: MongoClient[] = [];

async function client(options: ConstructorParameters<typeof MongoClient>[1] = {}): Promise<MongoClient> {
  const c = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 2_000, ...options });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await EmbeddedMongoServer.start({ ttlMonitorIntervalMs: 50 });
});

afterEach(async () => {
  if (server.state === 'hung') server.unhang();
  if (server.state === 'suspended') await server.resume();
  await Promise.all(clients.splice(0).map((c) => c.close(true)));
});

afterAll(async () => {
  await server?.stop();
});

describe('suspend and resume', () => {
  it('drops every client, refuses new ones, and comes back on the same port with the data', async () => {
    const c = await client({ serverSelectionTimeoutMS: 500 });
    const coll = c.db('faults').collection('kept');
    await coll.insertMany([{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }] as never[]);
    const port = server.port;

    await server.suspend();
    expect(server.state).toBe('suspended');
    expect(server.connectionCount).toBe(0);
    const during = await coll.findOne({ _id: 1 } as never).catch((e: unknown) => e);
    expect(during instanceof MongoNetworkError || during instanceof MongoServerSelectionError).toBe(true);

    await server.resume();
    expect(server.state).toBe('running');
    expect(server.port).toBe(port);
    // The same client reconnects by itself and finds the data.
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }]);
    expect(server.uri).toBe(`mongodb://127.0.0.1:${port}/`);
  });

  it('forgets open cursors, as a restarted mongod does', async () => {
    const c = await client();
    const coll = c.db('faults').collection('cursors');
    await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ i })));
    const cursor = coll.find({}, { batchSize: 5 });
    await cursor.next();
    await server.suspend();
    await server.resume();
    const err = (await cursor.toArray().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(await coll.countDocuments()).toBe(30);
  });
});

describe('hang', () => {
  it('accepts connections and reads requests but answers nothing until unhung', async () => {
    const c = await client();
    const coll = c.db('faults').collection('hang');
    await coll.insertOne({ _id: 'x' } as never);
    server.hang();
    expect(server.state).toBe('hung');
    let settled = false;
    const pending = coll.findOne({ _id: 'x' } as never).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    server.unhang();
    expect(await pending).toEqual({ _id: 'x' });
  });

  it('lets a client with a socket timeout time out', async () => {
    const c = await client({ socketTimeoutMS: 200, connectTimeoutMS: 500, retryReads: false });
    const coll = c.db('faults').collection('hang');
    await coll.estimatedDocumentCount();
    server.hang();
    const started = Date.now();
    const err = await coll.findOne({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoNetworkError);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A new connection is accepted while hung (and waits like the others).
    const fresh = new MongoClient(server.uri, { serverSelectionTimeoutMS: 300 });
    clients.push(fresh);
    expect(await fresh.connect().catch((e: unknown) => e)).toBeInstanceOf(MongoServerSelectionError);
    expect(server.connectionCount).toBeGreaterThan(0);
  });
});

describe('failCommand fail point', () => {
  const admin = (c: MongoClient) => c.db('admin');

  it('fails the next n listed commands with an error code, then lets them through', async () => {
    const c = await client({ retryWrites: false });
    const coll = c.db('faults').collection('fp');
    await admin(c).command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['insert'], errorCode: 91, errorLabels: ['Custom'] } });
    const err = (await coll.insertOne({ a: 1 }).catch((e: unknown) => e)) as MongoServerError;
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(91);
    expect(err.hasErrorLabel('Custom')).toBe(true);
    await coll.insertOne({ a: 2 });
    expect(await coll.countDocuments()).toBe(1);
  });

  it('closes the connection, holds it, adds a write concern error, and turns off', async () => {
    const c = await client({ retryWrites: false, retryReads: false });
    const coll = c.db('faults').collection('fp2');
    await admin(c).command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['find'], closeConnection: true } });
    expect(await coll.findOne({}).catch((e: unknown) => e)).toBeInstanceOf(MongoNetworkError);

    await admin(c).command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['find'], blockConnection: true, blockTimeMS: 300 } });
    const started = Date.now();
    await coll.findOne({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    await admin(c).command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['update'], writeConcernError: { code: 64, errmsg: 'waiting for replication timed out' } } });
    const wce = (await coll.updateOne({}, { $set: { b: 1 } }, { upsert: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(wce.code).toBe(64);
    await admin(c).command({ configureFailPoint: 'failCommand', mode: 'off' });
    await coll.updateOne({}, { $set: { b: 2 } });
  });

  it('targets one application name only', async () => {
    const victim = await client({ appName: 'victim', retryWrites: false });
    const bystander = await client({ appName: 'bystander', retryWrites: false });
    await admin(victim).command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['insert'], errorCode: 2, appName: 'victim' } });
    try {
      expect(await victim.db('faults').collection('app').insertOne({}).catch((e: unknown) => (e as MongoServerError).code)).toBe(2);
      await bystander.db('faults').collection('app').insertOne({});
    } finally {
      await admin(victim).command({ configureFailPoint: 'failCommand', mode: 'off' });
    }
  });

  it('refuses fail points it does not implement, by name', async () => {
    const c = await client();
    const err = (await admin(c).command({ configureFailPoint: 'hangAfterCollectionInserts', mode: 'alwaysOn' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(115);
    expect(err.message).toContain('hangAfterCollectionInserts');
  });
});

describe('TTL monitor', () => {
  it('deletes documents whose indexed date is older than expireAfterSeconds', async () => {
    const c = await client();
    const coll = c.db('faults').collection('ttl');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    const now = Date.now();
    await coll.insertMany([{ _id: 'old', at: new Date(now - 120_000) }, { _id: 'new', at: new Date(now) }, { _id: 'nodate', at: 'x' }] as never[]);
    for (let i = 0; i < 100 && (await coll.countDocuments()) > 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await coll.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['new', 'nodate']);
  });
});

describe('the store as its own process (npm run store)', () => {
  const command = path.resolve(__dirname, '../../src/db/storeCommand.ts');
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  function run(args: string[]): { child: ChildProcess; stdout: Promise<string>; exit: Promise<number | null>; stderr: () => string } {
    const p = spawn(process.execPath, ['--import', 'tsx', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const stdout = new Promise<string>((resolve) => {
      let out = '';
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      p.on('exit', () => resolve(out));
    });
    const exit = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
    return { child: p, stdout, exit, stderr: () => err };
  }

  it('prints its URI, serves several clients, warns loudly and exits 0 on SIGTERM', async () => {
    const proc = run(['--port', '0']);
    child = proc.child;
    const uri = await proc.stdout;
    expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const one = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
    const two = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
    try {
      await one.db('shared').collection('c').insertOne({ from: 'one' });
      expect(await two.db('shared').collection('c').findOne({}, { projection: { _id: 0 } })).toEqual({ from: 'one' });
    } finally {
      await one.close();
      await two.close();
    }
    expect(proc.stderr()).toContain('FOR DEVELOPMENT AND TESTS ONLY');
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
  }, 20_000);

  it('refuses a non-loopback host and a bad port', async () => {
    const host = run(['--host', '0.0.0.0', '--port', '0']);
    const port = run(['--port', 'x']);
    expect(await Promise.all([host.exit, port.exit])).toEqual([2, 2]);
    expect(host.stderr()).toContain('loopback');
    expect(port.stderr()).toContain('--port');
  }, 20_000);
});
