/** The lease: one holder at a time, taken over once it expires, renewed and released by its holder only. */
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lease } from '../../src/db/lease';
import { startTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let conn: Connection;
beforeAll(async () => {
  db = await startTestDatabase();
  conn = await mongoose.createConnection(db.uri, { dbName: db.dbName }).asPromise();
});
afterAll(async () => {
  await conn.close();
  await db.stop();
});

describe('Lease', () => {
  it('has one holder at a time, even when many try at once', async () => {
    const name = `l-${randomBytes(4).toString('hex')}`;
    const contenders = Array.from({ length: 8 }, (_, i) => new Lease(conn, name, 60_000, `h${i}`));
    const got = await Promise.all(contenders.map((l) => l.acquire()));
    expect(got.filter(Boolean)).toHaveLength(1);
    const holder = contenders[got.indexOf(true)]!;
    expect((await holder.current())?.holder).toBe(holder.holder);
    expect(await holder.acquire()).toBe(true); // its own: renewed
  });

  it('is taken over once it expires; the old holder can no longer renew it', async () => {
    const name = `l-${randomBytes(4).toString('hex')}`;
    const t0 = new Date();
    const a = new Lease(conn, name, 1_000, 'a');
    const b = new Lease(conn, name, 1_000, 'b');
    expect(await a.acquire(t0)).toBe(true);
    expect(await b.acquire(new Date(t0.getTime() + 500))).toBe(false);
    expect(await b.acquire(new Date(t0.getTime() + 1_500))).toBe(true);
    expect(await a.renew(new Date(t0.getTime() + 1_600))).toBe(false);
  });

  it('is released by its holder only', async () => {
    const name = `l-${randomBytes(4).toString('hex')}`;
    const a = new Lease(conn, name, 60_000, 'a');
    const b = new Lease(conn, name, 60_000, 'b');
    await a.acquire();
    await b.release();
    expect((await a.current())?.holder).toBe('a');
    await a.release();
    expect(await a.current()).toBeNull();
    expect(await b.acquire()).toBe(true);
  });

  it('refuses a ttl it cannot keep, naming it', () => {
    expect(() => new Lease(conn, 'x', 10)).toThrow(/ttlMs must be an integer of at least 100 \(received 10\)/);
  });
});
