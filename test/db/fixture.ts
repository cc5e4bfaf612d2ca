/**
 * Shared setup for the conformance suite: one database per test file (the backend configured by
 * MONGODB_URI, else a fresh embedded store), a driver client on it, and unique collection names.
 */
import { afterAll, beforeAll } from 'vitest';
import { MongoClient, type Db } from 'mongodb';
import { startTestDatabase, type TestDatabase } from '../support/database';

export interface DriverFixture {
  database: TestDatabase;
  client: MongoClient;
  db: Db;
  /** A collection name not used by any other test. */
  name(prefix?: string): string;
}

export function useDriver(): DriverFixture {
  const fixture = {} as DriverFixture;
  let counter = 0;
  beforeAll(async () => {
    fixture.database = await startTestDatabase();
    fixture.client = await MongoClient.connect(fixture.database.uri, { serverSelectionTimeoutMS: 10_000 });
    fixture.db = fixture.client.db(fixture.database.dbName);
    fixture.name = (prefix = 'c') => `${prefix}_${++counter}`;
  });
  afterAll(async () => {
    await fixture.client?.close();
    await fixture.database?.stop();
  });
  return fixture;
}

/** The server's version as numbers, e.g. [7, 0, 2] (spec behaviours differ across versions). */
export async function serverVersion(db: Db): Promise<number[]> {
  const info = await db.admin().command({ buildInfo: 1 });
  return String(info.version).split('.').map(Number);
}

/** The error a promise rejects with (a test failure if it resolves). */
export async function rejection<E = { code?: number; message: string; errInfo?: Record<string, unknown>; errorResponse?: Record<string, unknown> }>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected the operation to fail, it succeeded');
}
