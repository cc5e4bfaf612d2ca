/**
 * The embedded store never ignores an option silently: every field, option, index type and
 * command it knows mongod has but does not implement is refused with CommandNotSupported (115)
 * and a message that says so and names it. The cases come from the store's own tables, so a new
 * refusal is tested as soon as it is listed. These target the embedded server itself, whatever
 * MONGODB_URI says (a real mongod accepts all of this).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, type Db, type Document } from 'mongodb';
import { EmbeddedMongoServer } from '../../src/db/embedded';
import { MONGOD_ONLY_COMMANDS } from '../../src/db/embedded/commands';
import { COMMAND_FIELDS, STATEMENT_FIELDS } from '../../src/db/embedded/commands/options';
import { MONGOD_EXPRESSIONS, MONGOD_QUERY_OPERATORS, MONGOD_STAGES } from '../../src/db/embedded/query/mingoEngine';

let server: EmbeddedMongoServer;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await EmbeddedMongoServer.start();
  client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 5_000 });
  db = client.db('unsupported');
  await db.collection('c').insertOne({ _id: 1, n: 1 } as never);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

async function refused(cmd: Document, mentions: string, on: Db = db): Promise<void> {
  const reply = await on.command(cmd).then(
    () => undefined,
    (err: { code?: number; message: string }) => err,
  );
  expect(reply, `expected ${JSON.stringify(cmd)} to be refused`).toBeDefined();
  expect(reply!.code, JSON.stringify(cmd)).toBe(115);
  expect(reply!.message, JSON.stringify(cmd)).toContain('the embedded store does not support');
  expect(reply!.message, JSON.stringify(cmd)).toContain(mentions);
}

/** The smallest command of each kind the field tables cover. */
const BASE: Record<string, Document> = {
  getMore: { getMore: 1, collection: 'c' },
  aggregate: { aggregate: 'c', pipeline: [], cursor: {} },
  explain: { explain: { find: 'c' } },
};

describe('command fields the store does not implement', () => {
  for (const [command, rules] of Object.entries(COMMAND_FIELDS)) {
    for (const field of Object.keys(rules.refused ?? {})) {
      it(`${command}.${field}`, async () => {
        await refused({ ...(BASE[command] ?? { [command]: 'c' }), [field]: 1 }, `${command}.${field}`);
      });
    }
  }

  for (const [path, rules] of Object.entries(STATEMENT_FIELDS)) {
    for (const field of Object.keys(rules.refused ?? {})) {
      it(`${path}.${field}`, async () => {
        const cmd =
          path === 'update.updates'
            ? { update: 'c', updates: [{ q: {}, u: { $set: { a: 1 } }, [field]: 1 }] }
            : { delete: 'c', deletes: [{ q: {}, limit: 1, [field]: 1 }] };
        await refused(cmd, `${path}.${field}`);
      });
    }
  }
});

describe('option values the store does not implement', () => {
  const cases: Array<[string, Document, string]> = [
    ['a collation of strength 4', { find: 'c', collation: { locale: 'en', strength: 4 } }, 'strength 4'],
    ['a collation with backwards: true', { find: 'c', collation: { locale: 'fr', backwards: true } }, 'backwards'],
    ["a collation with maxVariable: 'space'", { find: 'c', collation: { locale: 'en', alternate: 'shifted', maxVariable: 'space' } }, 'maxVariable'],
    ["readConcern level 'snapshot'", { find: 'c', readConcern: { level: 'snapshot' } }, 'snapshot'],
    ['readConcern afterClusterTime', { find: 'c', readConcern: { level: 'local', afterClusterTime: 1 } }, 'afterClusterTime'],
    ['apiStrict', { ping: 1, apiVersion: '1', apiStrict: true }, 'apiStrict'],
    ['apiDeprecationErrors', { ping: 1, apiVersion: '1', apiDeprecationErrors: true }, 'apiDeprecationErrors'],
    ['a capped collection', { create: 'capped', capped: true, size: 1024 }, 'capped'],
    ['a default collation for a collection', { create: 'collated', collation: { locale: 'en' } }, 'create.collation'],
    ['a text index', { createIndexes: 'c', indexes: [{ key: { n: 'text' }, name: 't' }] }, 'text indexes'],
    ['a 2dsphere index', { createIndexes: 'c', indexes: [{ key: { n: '2dsphere' }, name: 'g' }] }, '2dsphere'],
    ['a hashed index', { createIndexes: 'c', indexes: [{ key: { n: 'hashed' }, name: 'h' }] }, 'hashed'],
    ['a wildcard index', { createIndexes: 'c', indexes: [{ key: { '$**': 1 }, name: 'w' }] }, 'wildcard'],
    ['an index with a collation', { createIndexes: 'c', indexes: [{ key: { n: 1 }, name: 'ci', collation: { locale: 'en', strength: 2 } }] }, 'collation'],
    ['a text index option', { createIndexes: 'c', indexes: [{ key: { n: 1 }, name: 'w2', weights: { n: 1 } }] }, 'weights'],
    ['sorting by $meta', { find: 'c', sort: { score: { $meta: 'textScore' } } }, '$meta'],
    ['a fail point other than failCommand', { configureFailPoint: 'hangBeforeWrite', mode: 'alwaysOn' }, 'hangBeforeWrite'],
    ['a failCommand option it does not implement', { configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['find'], blockAndThenWhat: 1 } }, 'blockAndThenWhat'],
    ['a $jsonSchema encrypt keyword', { create: 'enc', validator: { $jsonSchema: { properties: { a: { encrypt: {} } } } } }, 'encrypt'],
    ['a collMod option', { collMod: 'c', cappedSize: 1 }, 'cappedSize'],
  ];
  for (const [label, cmd, mentions] of cases) {
    it(label, async () => {
      await refused(cmd, mentions, label.includes('fail point') || label.includes('failCommand') || label.startsWith('api') ? client.db('admin') : db);
    });
  }
});

describe('query operators, stages and expressions mongod has and the store does not', () => {
  for (const op of MONGOD_QUERY_OPERATORS) {
    it(op, async () => {
      const filter = op === '$text' ? { $text: { $search: 'x' } } : { loc: { [op]: { $geometry: { type: 'Point', coordinates: [0, 0] } } } };
      await refused({ find: 'c', filter }, op);
    });
  }
  for (const stage of MONGOD_STAGES) {
    it(stage, async () => {
      await refused({ aggregate: 'c', pipeline: [{ [stage]: {} }], cursor: {} }, stage);
    });
  }
  for (const expr of MONGOD_EXPRESSIONS) {
    it(expr, async () => {
      await refused({ aggregate: 'c', pipeline: [{ $project: { v: { [expr]: 'textScore' } } }], cursor: {} }, expr);
    });
  }
});

describe('commands mongod has and the store does not', () => {
  for (const name of MONGOD_ONLY_COMMANDS) {
    it(name, async () => {
      await refused({ [name]: 1 }, `'${name}'`);
    });
  }

  it('answers a command nobody has with CommandNotFound (59)', async () => {
    const err = (await db.command({ noSuchCommandAnywhere: 1 }).catch((e: unknown) => e)) as { code?: number };
    expect(err.code).toBe(59);
  });
});
