import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntries } from '../support/log';

/** Production over plain HTTP; the only trusted proxy is 10.0.0.0/8, so this test client (127.0.0.1) is not one. */
let app: TestApp;
let client: MongoClient;
beforeAll(async () => {
  app = await startTestApp({ env: { NODE_ENV: 'production', TRUST_PROXY: '10.0.0.0/8' } });
  client = await MongoClient.connect(app.db.uri);
});
afterAll(async () => {
  await client.close();
  await app.stop();
});

const BOB = () => ({ token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' });
const CARLA = () => ({ token: app.tokens.carla, purpose: 'care', task: 'tsk_care_carla' });
const year = new Date().getUTCFullYear() + 2;
const CARD = { number: '4000056655665556', expiryMonth: 11, expiryYear: year };

async function firstOf(who: ReturnType<typeof BOB>): Promise<string> {
  const r = await gql(app.url, '{ customers(first: 1) { edges { node { id } } } }', who);
  return r.data?.customers.edges[0].node.id;
}
const raw = (id: string) => client.db(app.db.dbName).collection('customers').findOne({ _id: id as never });

describe('restricted inputs over plain HTTP in production', () => {
  it('a card number in a variable (nested in UpdateCustomerInput) is refused with 403 INSECURE_TRANSPORT; nothing is written', async () => {
    const id = await firstOf(BOB());
    const before = await raw(id);
    const r = await gql(app.url, 'mutation($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { id } }', { ...BOB(), variables: { id, input: { paymentCard: CARD } } });
    expect(r.status).toBe(403);
    expect(codes(r)).toEqual(['INSECURE_TRANSPORT']);
    expect(r.data ?? null).toBeNull();
    expect(JSON.stringify(r)).not.toContain('5556');
    expect((await raw(id))?.paymentCard).toEqual(before?.paymentCard);
    const log = await logEntries(app, { 'actor.id': 'bob', code: 'INSECURE_TRANSPORT' });
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log[0]).toMatchObject({ decision: 'denied', purpose: 'billing' });
  });

  it('a card written inline in the document is refused too', async () => {
    const id = await firstOf(BOB());
    const r = await gql(app.url, `mutation { updateCustomer(id: "${id}", input: { paymentCard: { number: "4000056655665556", expiryMonth: 11, expiryYear: ${year} } }) { id } }`, BOB());
    expect(codes(r)).toEqual(['INSECURE_TRANSPORT']);
  });

  it('health data is refused', async () => {
    const id = await firstOf(CARLA());
    const r = await gql(app.url, 'mutation($id: ID!, $h: HealthInput) { updateCustomer(id: $id, input: { health: $h }) { id } }', { ...CARLA(), variables: { id, h: { notes: 'Insecure note that must not be stored' } } });
    expect(codes(r)).toEqual(['INSECURE_TRANSPORT']);
  });

  it('X-Forwarded-Proto: https from a proxy that is not trusted changes nothing', async () => {
    const id = await firstOf(BOB());
    const r = await gql(app.url, 'mutation($id: ID!, $c: PaymentCardInput) { updateCustomer(id: $id, input: { paymentCard: $c }) { id } }', { ...BOB(), variables: { id, c: CARD }, headers: { 'x-forwarded-proto': 'https' } });
    expect(codes(r)).toEqual(['INSECURE_TRANSPORT']);
  });

  it('requests without restricted inputs still work over HTTP (reads, a null card variable), and get no HSTS header', async () => {
    const id = await firstOf(BOB());
    const read = await gql(app.url, `{ customer(id: "${id}") { paymentCard { last4 } } }`, BOB());
    expect(read.errors).toBeUndefined();
    const res = await fetch(app.url + '/healthz');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    const alice = await gql(app.url, 'mutation($c: PaymentCardInput) { updateCustomer(id: "cus_0001", input: { preferences: ["newsletter"], paymentCard: $c }) { id } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice', variables: { c: null } });
    expect(codes(alice)).not.toContain('INSECURE_TRANSPORT');
  });
});
