/**
 * A database for one test file: the real MongoDB in MONGODB_URI (a unique database name per call,
 * dropped at stop) or, by default, a fresh embedded store.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { EmbeddedMongoServer } from '../../src/db/embedded';

export interface TestDatabase {
  uri: string;
  dbName: string;
  stop(): Promise<void>;
}

export async function startTestDatabase(): Promise<TestDatabase> {
  const dbName = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const external = process.env.MONGODB_URI;
  if (external) {
    return {
      uri: external,
      dbName,
      stop: async () => {
        const client = await MongoClient.connect(external, { serverSelectionTimeoutMS: 10_000 });
        try {
          await client.db(dbName).dropDatabase();
          await client.db(`${dbName}-keys`).dropDatabase(); // the key vault's default database
        } finally {
          await client.close();
        }
      },
    };
  }
  const server = await EmbeddedMongoServer.start();
  return { uri: server.uri, dbName, stop: () => server.stop() };
}
