/**
 * Graceful drain: stop() waits for every GraphQL handler to finish its database work and its
 * access-log write, even when the client has already gone away, before the connection closes
 * (it used to close under them: MongoClientClosedError, and the record was lost).
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedMongoServer } from '../../src/db/embedded';
import { setLogSink } from '../../src/logger';
import { startTestApp, type TestApp } from '../support/app';

let store: EmbeddedMongoServer;
let app: TestApp;
let client: MongoClient;
const lines: string[] = [];
let restore: ReturnType<typeof setLogSink>;

beforeAll(async () => {
  store = await EmbeddedMongoServer.start();
  app = await startTestApp({ env: { MONGODB_URI: store.uri, KEY_VAULT_URI: store.uri } });
  client = await MongoClient.connect(store.uri);
  restore = setLogSink((l) => lines.push(l));
}, 60_000);
afterAll(async () => {
  setLogSink(restore);
  await client?.close();
  await app?.stop();
  await store?.stop();
});

describe('stop', () => {
  it('waits for a handler whose client went away, and its access-log record is written', async () => {
    // The customers read is held 1.5 s in the store; the client gives up after 300 ms.
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['find'], blockConnection: true, blockTimeMS: 1500, namespace: `${app.config.dbName}.customers` } });
    const aborted = fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.tokens.dan}`, 'x-purpose': 'analytics' },
      body: JSON.stringify({ query: 'query DrainProbe { customers(first: 3) { edges { node { id segment } } } }' }),
      signal: AbortSignal.timeout(300),
    }).catch((e: Error) => e);
    expect(await aborted).toBeInstanceOf(Error);
    await app.running.stop(); // the gateway only; the store keeps running
    const record = await client.db(app.config.dbName).collection('accessLog').findOne({ operationName: 'DrainProbe' });
    expect(record).not.toBeNull();
    expect((record!.entries as Array<{ subjectType: string; subjectIds: string[] }>).some((e) => e.subjectType === 'Customer' && e.subjectIds.length === 3)).toBe(true);
    expect(lines.filter((l) => /MongoClientClosed|MongoTopologyClosed|"level":"error"/.test(l))).toEqual([]);
  }, 60_000);
});
