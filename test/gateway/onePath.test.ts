/**
 * The one data path, by construction: a schema that would resolve a guarded type outside the guard
 * is refused when it is built; every row a request touches is recorded, whatever it selected; a
 * write is recorded before it happens (nothing changes when that record cannot be written) and its
 * intent stays on record when the outcome cannot be.
 */
import { buildSchema } from 'graphql';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_GUARD } from '../../src/customers';
import { compileSpecs } from '../../src/policy';
import { SchemaGuardError, guardTypes } from '../../src/server/guardedTypes';
import { plainCustomer, startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntries } from '../support/log';

const ATTRIBUTES = ['fullName', 'email', 'phone', 'birthDate', 'birthYear', 'segment', 'loyaltyTier', 'preferences', 'consents', 'createdAt', 'updatedAt',
  'address.street', 'address.city', 'address.postalCode', 'address.country', 'paymentCard.brand', 'paymentCard.last4', 'paymentCard.expiryMonth',
  'paymentCard.expiryYear', 'health.conditions', 'health.notes'];
const CUSTOMER_SDL = `
  type Address { street: String city: String postalCode: String country: String }
  type PaymentCard { brand: String last4: String expiryMonth: Int expiryYear: Int }
  type Health { conditions: [String] notes: String }
  type Consent { key: String! granted: Boolean! }
  type Customer { id: ID! fullName: String email: String phone: String birthDate: String address: Address birthYear: Int segment: String
    loyaltyTier: String preferences: [String] paymentCard: PaymentCard health: Health consents: [Consent] createdAt: String updatedAt: String EXTRA }`;
const build = (sdl: string) => guardTypes(buildSchema(sdl), compileSpecs([CUSTOMER_GUARD], ATTRIBUTES));

describe('schema construction', () => {
  it('accepts a schema whose guarded types are fully mapped', () => {
    expect(() => build(CUSTOMER_SDL.replace('EXTRA', '') + ' type Query { customer: Customer }')).not.toThrow();
  });

  it('refuses a Customer field the guard spec does not map: it would resolve unguarded and unlogged', () => {
    expect(() => build(CUSTOMER_SDL.replace('EXTRA', 'nickname: String') + ' type Query { customer: Customer }'))
      .toThrow(new SchemaGuardError('Customer.nickname has no guard mapping: map it in a capability\'s guards, or it would resolve unguarded and unlogged'));
  });

  it('refuses a nested guarded type reachable outside its root', () => {
    expect(() => build(CUSTOMER_SDL.replace('EXTRA', '') + ' type Query { customer: Customer homeOf(id: ID!): Address }'))
      .toThrow(/Query\.homeOf returns Address outside a Customer: it would bypass the guard/);
  });

  it('refuses a guard mapping of a field the type lacks', () => {
    expect(() => build(CUSTOMER_SDL.replace('EXTRA', '').replace('updatedAt: String', '') + ' type Query { customer: Customer }'))
      .toThrow(/the guard maps Customer\.updatedAt, which the type does not have/);
  });
});

describe('over HTTP', () => {
  let app: TestApp;
  let admin: MongoClient;
  const ALICE = () => ({ token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
  /** mongod's failCommand fail point, on the access log's inserts only. */
  const failLogInserts = (mode: Record<string, number> | 'off') => admin.db('admin').command({
    configureFailPoint: 'failCommand', mode,
    data: { failCommands: ['insert'], errorCode: 121, namespace: `${app.config.dbName}.accessLog` },
  });

  beforeAll(async () => {
    app = await startTestApp();
    admin = await MongoClient.connect(app.db.uri);
  });
  afterAll(async () => {
    await failLogInserts('off').catch(() => undefined);
    await admin.close();
    await app.stop();
  });

  it('records every row of an id-only list as read (its id), one entry per subject', async () => {
    const r = await gql(app.url, 'query IdsOnly { customers(first: 3) { edges { node { id } } } }', ALICE());
    const ids = r.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toHaveLength(3);
    const entries = await logEntries(app, { operationName: 'IdsOnly' });
    expect(entries.map((e) => e.subjectId).sort()).toEqual([...ids].sort());
    for (const e of entries) expect(e).toMatchObject({ subjectType: 'Customer', fieldsRead: ['id'], decision: 'allowed', purpose: 'customer-support' });
  });

  it('records every customer a totalCount-only query counted, though no row was returned', async () => {
    const r = await gql(app.url, 'query CountOnly { customers(filter: { segment: "enterprise" }) { totalCount } }', ALICE());
    expect(r.errors).toBeUndefined();
    const counted = r.data!.customers.totalCount as number;
    expect(counted).toBeGreaterThan(0);
    const entries = await logEntries(app, { operationName: 'CountOnly' });
    expect(entries).toHaveLength(counted);
    for (const e of entries) expect(e.fieldsRead).toEqual(['totalCount']);
  });

  it('changes nothing when the write intent cannot be recorded', async () => {
    const before = await plainCustomer(app, 'cus_0003');
    await failLogInserts({ times: 1 });
    const r = await gql(app.url, 'mutation NoIntent { updateCustomer(id: "cus_0003", input: { phone: "+33611112222" }) { phone } }', ALICE());
    expect(codes(r)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(r.status).toBe(503);
    expect(r.errors![0]!.message).toContain('nothing was changed');
    expect(JSON.stringify(r)).not.toContain('+33611112222');
    expect((await plainCustomer(app, 'cus_0003'))!.phone).toBe(before!.phone);
    expect(await logEntries(app, { operationName: 'NoIntent', write: { $exists: true } })).toEqual([]);
  });

  it('keeps the intent on record when the outcome cannot be written, and withholds the response', async () => {
    await failLogInserts({ skip: 1 }); // the intent goes through, the request's record does not
    const r = await gql(app.url, 'mutation LostOutcome { updateCustomer(id: "cus_0003", input: { phone: "+33633334444" }) { phone } }', ALICE());
    await failLogInserts('off');
    expect(codes(r)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(r.status).toBe(503);
    expect(r.data ?? null).toBeNull();
    // The change happened, and the log says it was about to: who, why, what, of whom.
    expect((await plainCustomer(app, 'cus_0003'))!.phone).toBe('+33633334444');
    const intents = await logEntries(app, { operationName: 'LostOutcome' });
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ subjectId: 'cus_0003', write: 'intent', fieldsWritten: ['phone'], purpose: 'customer-support', taskId: 'tsk_support_alice' });
    expect(intents[0]!.actor.id).toBe('alice');
  });
});
