import mongoose, { type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { startTestDatabase, type TestDatabase } from '../support/database';

/** A mongoose connection on a fresh test database, with the driver's command monitoring on. */
export interface CryptoTestDb {
  db: TestDatabase;
  conn: Connection;
  /** Every command the driver sent, in order. */
  commands: CommandStartedEvent[];
  /** `find` commands on a collection sent since `from` (an index into `commands`). */
  findsOn(collection: string, from?: number): CommandStartedEvent[];
  /** A raw driver collection (bypasses mongoose). */
  raw<T extends object = Record<string, unknown>>(collection: string): import('mongodb').Collection<T>;
  stop(): Promise<void>;
}

export async function openCryptoDb(): Promise<CryptoTestDb> {
  const db = await startTestDatabase();
  const conn = await mongoose.createConnection(db.uri, { dbName: db.dbName, monitorCommands: true }).asPromise();
  const commands: CommandStartedEvent[] = [];
  conn.getClient().on('commandStarted', (event) => commands.push(event));
  return {
    db,
    conn,
    commands,
    findsOn: (collection, from = 0) =>
      commands.slice(from).filter((c) => c.commandName === 'find' && (c.command as { find?: string }).find === collection),
    raw: <T extends object>(collection: string) => conn.getClient().db(db.dbName).collection<T>(collection),
    stop: async () => {
      await conn.close();
      await db.stop();
    },
  };
}

/** A mongodb:// URI with the database name in its path (for child processes such as keys:rotate). */
export function uriWithDatabase(uri: string, dbName: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*(\?.*)?$/.exec(uri);
  if (!match) throw new Error('unexpected MongoDB URI shape');
  return `${match[1]}/${dbName}${match[2] ?? ''}`;
}
