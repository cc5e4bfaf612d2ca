/**
 * Attributes stored encrypted, looked up through blind indexes: the name search, the email and
 * country filters behave as documented over HTTP; documents still in clear are read and found until
 * `keys:migrate` seals them, which it does in place, resumably, one whole document at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemWrite } from '../../src/core/writeScope';
import { sealStoredInClear } from '../../src/customers';
import { plainCustomer, startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const ALICE = () => ({ token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
const list = async (filter: string) => {
  const r = await gql(app.url, `{ customers(filter: ${filter}) { edges { node { id fullName email } } } }`, ALICE());
  expect(r.errors, filter).toBeUndefined();
  return r.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
};

describe('stored encrypted, with blind indexes', () => {
  it('keeps names, emails and addresses only as ciphertext and index values', async () => {
    const raw = await app.models.customers.findById('cus_0001').lean<Record<string, any>>().exec();
    for (const path of ['fullName', 'email', 'phone', 'birthDate']) expect(Object.keys(raw![path]).sort(), path).toEqual(['ct', 'iv', 'tag', 'v']);
    expect(Object.keys(raw!.address.street).sort()).toEqual(['ct', 'iv', 'tag', 'v']);
    expect(raw!.idx).toMatchObject({ email: expect.any(String), country: expect.any(String), name: expect.any(Array) });
    const plain = (await plainCustomer(app, 'cus_0001'))! as any;
    const stored = JSON.stringify(raw);
    for (const value of [plain.email, plain.phone, plain.fullName, ...plain.fullName.split(' '), plain.address.street, plain.address.city]) {
      expect(stored.includes(value), 'a stored attribute in clear').toBe(false);
    }
    expect(JSON.stringify(raw!.idx)).not.toContain('@');
  });

  it('the name search matches whole-word prefixes, case and accents ignored', async () => {
    const all = await gql(app.url, '{ customers { edges { node { id fullName } } } }', ALICE());
    const people = all.data!.customers.edges.map((e: { node: { id: string; fullName: string } }) => e.node);
    const [first, last] = people[0].fullName.split(' ');
    const expected = people.filter((p: { fullName: string }) => p.fullName.split(' ').includes(first)).map((p: { id: string }) => p.id);
    expect(await list(`{ search: "${first}" }`)).toEqual(expected);
    expect(await list(`{ search: "${first.slice(0, 3).toUpperCase()}" }`)).toEqual(expect.arrayContaining(expected));
    expect(await list(`{ search: "${last} ${first}" }`)).toContain(people[0].id);
    const accented = people.find((p: { fullName: string }) => /[éèëüöçñ]/i.test(p.fullName));
    if (accented) {
      const word = accented.fullName.split(' ').find((w: string) => /[éèëüöçñ]/i.test(w))!;
      expect(await list(`{ search: "${word.normalize('NFKD').replace(/\p{M}/gu, '')}" }`)).toContain(accented.id);
    }
    expect(await list('{ search: "zzqx" }')).toEqual([]);
  });

  it('refuses a search word of one letter, naming the field', async () => {
    const r = await gql(app.url, '{ customers(filter: { search: "A" }) { totalCount } }', ALICE());
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].message).toContain('filter.search');
  });

  it('filters by exact email (case ignored) and by country', async () => {
    const one = await gql(app.url, '{ customer(id: "cus_0002") { email address { country } } }', ALICE());
    const { email, address } = one.data!.customer;
    expect(await list(`{ email: "${email.toUpperCase()}" }`)).toEqual(['cus_0002']);
    expect(await list(`{ country: "${address.country.toLowerCase()}" }`)).toContain('cus_0002');
  });
});

describe('documents stored in clear (before keys:migrate)', () => {
  const legacy = ['cus_9901', 'cus_9902', 'cus_9903'];
  beforeAll(async () => {
    const conn = app.running.services.conn;
    await conn.collection('customers').insertMany(legacy.map((id, i) => ({
      _id: id as never, fullName: `Legacy Klaartext${i}`, email: `legacy${i}@example.org`, phone: '+33612340000', birthDate: '1970-01-01',
      address: { street: '1 rue Ancienne', city: 'Lyon', postalCode: '69001', country: 'FR' }, segment: 'consumer',
      consentState: { storage: true }, consents: [], createdAt: new Date(), updatedAt: new Date(),
    })));
    await systemWrite('test: a task over legacy customers', () =>
      app.models.tasks.create({ _id: 'tsk_legacy', purpose: 'customer-support', customerIds: legacy, assigneeIds: ['alice'], status: 'OPEN', openedBy: 'sam' }));
  });
  const LEGACY = () => ({ token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_legacy' });

  it('are read and found as they are', async () => {
    const r = await gql(app.url, '{ customers(filter: { search: "Legacy" }) { edges { node { id fullName email } } } }', LEGACY());
    expect(r.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(legacy);
    expect(r.data!.customers.edges[0].node).toMatchObject({ fullName: 'Legacy Klaartext0', email: 'legacy0@example.org' });
  });

  it('are sealed in place by keys:migrate, resumably: an interrupted pass leaves whole documents, the next one finishes', async () => {
    const { conn, index } = app.running.services;
    const keys = app.running.keyStore;
    const first = await sealStoredInClear({ conn, index, keys }, { batchSize: 1, max: 1 });
    expect(first).toEqual({ sealed: 1, keysCreated: 1, skipped: 0 });
    const states = await conn.collection('customers').find({ _id: { $in: legacy as never[] } }).toArray();
    // Each document is either entirely sealed or entirely in clear, never half.
    for (const d of states) {
      const sealed = ['fullName', 'email', 'phone', 'birthDate'].map((p) => typeof d[p] === 'object');
      expect(new Set(sealed).size, String(d._id)).toBe(1);
    }
    const rest = await sealStoredInClear({ conn, index, keys });
    expect(rest).toEqual({ sealed: 2, keysCreated: 2, skipped: 0 });
    expect(await sealStoredInClear({ conn, index, keys })).toEqual({ sealed: 0, keysCreated: 0, skipped: 0 });
    const raw = await conn.collection('customers').findOne({ _id: 'cus_9902' as never });
    expect(raw!.fullName).toHaveProperty('ct');
    expect(raw!.idx.name.length).toBeGreaterThan(3);
    const r = await gql(app.url, '{ customers(filter: { search: "klaartext1" }) { edges { node { id fullName address { street } } } } }', LEGACY());
    expect(r.data!.customers.edges).toEqual([{ node: { id: 'cus_9902', fullName: 'Legacy Klaartext1', address: { street: '1 rue Ancienne' } } }]);
  });
});
