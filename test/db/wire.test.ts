/**
 * Wire-level behaviour of the embedded store, over raw sockets: framing, the legacy handshake,
 * document sequences, checksums, and bad input that must get a clear error or a closed
 * connection while other clients keep being served. These target the embedded server itself.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BSON } from 'bson';
import { MongoClient } from 'mongodb';
import { EmbeddedMongoServer } from '../../src/db/embedded';
import { crc32c } from '../../src/db/embedded/wire/crc32c';
import { OP_MSG, OP_REPLY, RawClient, opMsg, opQuery, rawMessage } from './rawClient';

let server: EmbeddedMongoServer;
let client: MongoClient;
const raws: RawClient[] = [];

async function raw(): Promise<RawClient> {
  const r = await RawClient.connect(server.port);
  raws.push(r);
  return r;
}

beforeAll(async () => {
  server = await EmbeddedMongoServer.start();
  client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 5_000 });
});

afterEach(async () => {
  // Whatever the previous test sent, the server still serves a well-behaved client.
  expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
  raws.splice(0).forEach((r) => r.close());
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describe('framing', () => {
  it('answers the legacy OP_QUERY handshake with OP_REPLY as a standalone', async () => {
    const r = await raw();
    r.send(opQuery('admin.$cmd', { isMaster: 1, helloOk: true }, 7));
    const reply = await r.reply();
    expect(reply.opCode).toBe(OP_REPLY);
    expect(reply.responseTo).toBe(7);
    expect(reply.doc).toMatchObject({ ok: 1, ismaster: true, helloOk: true, maxBsonObjectSize: 16 * 1024 * 1024 });
    expect(reply.doc.maxWireVersion).toBeGreaterThanOrEqual(21);
    expect(reply.doc.logicalSessionTimeoutMinutes).toBe(30);
    expect(reply.doc).not.toHaveProperty('setName');
  });

  it('refuses other commands over OP_QUERY with code 352', async () => {
    const r = await raw();
    r.send(opQuery('db.$cmd', { find: 'c' }));
    const reply = await r.reply();
    expect(reply.doc).toMatchObject({ ok: 0, code: 352 });
  });

  it('merges kind-1 document sequences into the command', async () => {
    const r = await raw();
    const reply = await r.command({ insert: 'seq', $db: 'wire' }, { sequences: { documents: [{ _id: 1 }, { _id: 2 }] }, requestId: 9 });
    expect(reply).toMatchObject({ ok: 1, n: 2 });
    const found = await r.command({ find: 'seq', filter: {}, $db: 'wire' });
    expect(found.cursor.firstBatch).toEqual([{ _id: 1 }, { _id: 2 }]);
  });

  it('accepts a valid CRC-32C checksum and closes the connection on a wrong one', async () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const r = await raw();
    expect(await r.command({ ping: 1, $db: 'admin' }, { checksum: 'valid' })).toMatchObject({ ok: 1 });
    r.send(opMsg({ ping: 1, $db: 'admin' }, { checksum: 'corrupt' }));
    await expect(r.reply()).rejects.toThrow('closed');
  });

  it('runs moreToCome (fire-and-forget) messages without replying', async () => {
    const r = await raw();
    r.send(opMsg({ insert: 'fire', documents: [{ _id: 'f' }], $db: 'wire' }, { flags: 2 }));
    const found = await r.command({ find: 'fire', filter: {}, $db: 'wire' }, { requestId: 42 });
    expect(found.cursor.firstBatch).toEqual([{ _id: 'f' }]);
  });

  it('reassembles a message split across many TCP writes', async () => {
    const r = await raw();
    const msg = opMsg({ insert: 'split', documents: [{ _id: 1, pad: 'p'.repeat(200_000) }], $db: 'wire' });
    for (let i = 0; i < msg.length; i += 1000) r.send(msg.subarray(i, i + 1000));
    expect((await r.reply()).doc).toMatchObject({ ok: 1, n: 1 });
  });
});

describe('bad input', () => {
  it('waits on a truncated header without blocking others, and drops it when the client leaves', async () => {
    const r = await raw();
    r.send(Buffer.from([0x20, 0, 0, 0, 1, 2, 3, 4, 5, 6]));
    expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
    r.socket.end();
    await r.closed;
  });

  it('closes the connection for a message length over 48 MB', async () => {
    const r = await raw();
    r.send(rawMessage(48_000_001, OP_MSG));
    await r.closed;
  });

  it('closes the connection for a message length under 16', async () => {
    const r = await raw();
    r.send(rawMessage(8, OP_MSG));
    await r.closed;
  });

  it('closes the connection for an unknown opcode', async () => {
    const r = await raw();
    r.send(rawMessage(20, 4242, Buffer.alloc(4)));
    await r.closed;
  });

  it('answers malformed BSON with InvalidBSON (22) and keeps the connection', async () => {
    const r = await raw();
    const bad = Buffer.from([0x10, 0, 0, 0, 0x02, 0x61, 0, 0xff, 0xff, 0xff, 0x7f, 0x62, 0, 0, 0, 0]);
    expect(await r.command({}, { rawBody: bad })).toMatchObject({ ok: 0, code: 22 });
    const truncated = Buffer.from([0x40, 0, 0, 0, 0x10, 0x61, 0]);
    expect(await r.command({}, { rawBody: truncated })).toMatchObject({ ok: 0, code: 22 });
    expect(await r.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
  });

  it('answers an unknown query operator with BadValue (2)', async () => {
    const r = await raw();
    const reply = await r.command({ find: 'c', filter: { a: { $foo: 1 } }, $db: 'wire' });
    expect(reply).toMatchObject({ ok: 0, code: 2, codeName: 'BadValue' });
    expect(reply.errmsg).toContain('$foo');
  });

  it('answers invalid namespaces with InvalidNamespace (73)', async () => {
    const r = await raw();
    expect(await r.command({ find: '', $db: 'wire' })).toMatchObject({ ok: 0, code: 73 });
    expect(await r.command({ insert: 'a$b', documents: [{}], $db: 'wire' })).toMatchObject({ ok: 0, code: 73 });
    expect(await r.command({ find: 'c', $db: 'bad.db' })).toMatchObject({ ok: 0, code: 73 });
    expect(await r.command({ find: 'c' })).toMatchObject({ ok: 0, code: 73 });
  });

  it('answers getMore on an unknown or killed cursor with CursorNotFound (43)', async () => {
    const r = await raw();
    expect(await r.command({ getMore: 123456789, collection: 'c', $db: 'wire' })).toMatchObject({ ok: 0, code: 43, codeName: 'CursorNotFound' });
    await r.command({ insert: 'cur', documents: Array.from({ length: 10 }, (_, i) => ({ i })), $db: 'wire' });
    const opened = await r.command({ find: 'cur', batchSize: 2, $db: 'wire' });
    const id = opened.cursor.id;
    expect(Number(id)).not.toBe(0);
    expect(await r.command({ killCursors: 'cur', cursors: [id], $db: 'wire' })).toMatchObject({ ok: 1, cursorsKilled: [id] });
    expect(await r.command({ getMore: id, collection: 'cur', $db: 'wire' })).toMatchObject({ ok: 0, code: 43 });
  });

  it('answers an unknown command with CommandNotFound (59) and a transaction with IllegalOperation (20)', async () => {
    const r = await raw();
    expect(await r.command({ frob: 1, $db: 'wire' })).toMatchObject({ ok: 0, code: 59, errmsg: "no such command: 'frob'" });
    const txn = await r.command({ insert: 'c', documents: [{}], txnNumber: 1, startTransaction: true, autocommit: false, $db: 'wire' });
    expect(txn).toMatchObject({ ok: 0, code: 20, codeName: 'IllegalOperation' });
  });

  it('answers every command whose BSON bytes were corrupted, on the same connection', async () => {
    let seed = 20240601;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const commands = [
      { find: 'fz', filter: { a: 1 }, sort: { a: -1 }, $db: 'wire' },
      { insert: 'fz', documents: [{ a: 1, b: [1, { c: 2 }] }], $db: 'wire' },
      { update: 'fz', updates: [{ q: { a: { $gt: 0 } }, u: { $inc: { a: 1 } }, upsert: true }], $db: 'wire' },
      { aggregate: 'fz', pipeline: [{ $group: { _id: '$a', n: { $sum: 1 } } }], cursor: {}, $db: 'wire' },
      { createIndexes: 'fz', indexes: [{ key: { b: 1 }, name: 'b_1', unique: true }], $db: 'wire' },
      { findAndModify: 'fz', query: {}, update: { $set: { z: 1 } }, new: true, $db: 'wire' },
    ];
    const r = await raw();
    for (let i = 0; i < 300; i++) {
      const body = Buffer.from(BSON.serialize(commands[i % commands.length]));
      for (let k = 0; k <= next(3); k++) body[next(body.length)] = next(256);
      const reply = await r.command({}, { rawBody: body });
      expect([0, 1]).toContain(reply.ok);
      if (reply.ok === 0) expect(reply.code).not.toBe(1);
    }
  });

  it('answers an empty command document', async () => {
    const r = await raw();
    expect(await r.command({})).toMatchObject({ ok: 0 });
  });
});

describe('stop()', () => {
  it('closes the listener and destroys every open client socket at once', async () => {
    const own = await EmbeddedMongoServer.start();
    const c = await MongoClient.connect(own.uri, { serverSelectionTimeoutMS: 500 });
    await c.db('x').collection('y').insertOne({ a: 1 });
    const r = await RawClient.connect(own.port);
    await own.stop();
    await r.closed;
    expect(own.connectionCount).toBe(0);
    await expect(c.db('x').collection('y').findOne({})).rejects.toThrow();
    await c.close();
  });
});
