import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TASKS } from '../../src/demo/personas';
import { startTestApp, type TestApp, plainCustomer } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logCount, logEntry } from '../support/log';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

const self = (query: string, variables?: Record<string, unknown>, token = app.tokens.customer) =>
  gql(app.url, query, { token, variables, endpoint: '/self/graphql' });

describe('/self/graphql admission', () => {
  it('takes customer tokens only: a staff token is UNAUTHENTICATED', async () => {
    const r = await self('{ me { id } }', undefined, app.tokens.alice);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.data?.me ?? null).toBeNull();
  });

  it('a customer token on /graphql is UNAUTHENTICATED', async () => {
    const r = await gql(app.url, '{ customer(id: "cus_0001") { id } }', { token: app.tokens.customer, purpose: 'customer-support' });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('an unknown customer id in a valid token is UNAUTHENTICATED', async () => {
    const r = await self('{ me { id } }', undefined, app.sign({ kind: 'customer', sub: 'cus_nobody' }));
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('no token is UNAUTHENTICATED', async () => {
    const r = await gql(app.url, '{ me { id } }', { endpoint: '/self/graphql' });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('me', () => {
  it('shows every attribute held, the card as brand, last 4 and expiry only, and logs the reads under self-service', async () => {
    const r = await self(`query Me { me { id fullName email phone birthDate birthYear segment loyaltyTier preferences
      address { street city postalCode country } paymentCard { brand last4 expiryMonth expiryYear } health { conditions notes }
      consents { key granted } createdAt updatedAt } }`);
    expect(r.errors).toBeUndefined();
    const me = r.data!.me;
    expect(me.id).toBe('cus_0001');
    expect(me.fullName).toEqual(expect.any(String));
    expect(me.email).toContain('@');
    expect(me.birthYear).toBe(Number(me.birthDate.slice(0, 4)));
    expect(me.address.country).toMatch(/^[A-Z]{2}$/);
    expect(me.consents.map((c: { key: string }) => c.key).sort()).toEqual(['analytics', 'health-data', 'marketing', 'storage']);
    const held = await app.models.customers.findById('cus_0001').lean().exec();
    if (held?.paymentCard) expect(me.paymentCard).toEqual({ brand: held.paymentCard.brand, last4: held.paymentCard.last4, expiryMonth: held.paymentCard.expiryMonth, expiryYear: held.paymentCard.expiryYear });
    else expect(me.paymentCard).toBeNull();
    const log = await logEntry(app, { operationName: 'Me', subjectId: 'cus_0001' });
    expect(log?.purpose).toBe('self-service');
    expect(log?.actor).toMatchObject({ kind: 'customer', id: 'cus_0001' });
    expect(log?.fieldsRead).toEqual(expect.arrayContaining(['fullName', 'email', 'address.street', 'consents']));
    expect(log?.fieldsDenied).toEqual([]);
  });

  it('the self schema has no card number field at all', async () => {
    const r = await self('{ me { paymentCard { number } } }');
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('myAccessHistory', () => {
  it('shows who accessed which attributes and why, by role, never a staff id', async () => {
    const staff = await gql(app.url, 'query Ticket { customer(id: "cus_0001") { fullName email } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(staff.errors).toBeUndefined();
    const r = await self('{ myAccessHistory(first: 50) { totalCount edges { cursor node { at purpose actorRole partner fieldsRead fieldsWritten decision } } pageInfo { hasNextPage endCursor } } }');
    expect(r.errors).toBeUndefined();
    const nodes = r.data!.myAccessHistory.edges.map((e: { node: Record<string, unknown> }) => e.node);
    const support = nodes.find((n: Record<string, unknown>) => n.purpose === 'customer-support');
    expect(support).toMatchObject({ actorRole: 'support-agent', partner: null, fieldsRead: ['email', 'fullName', 'id'], fieldsWritten: [] });
    expect(JSON.stringify(r.data)).not.toContain('alice');
  });

  it('pages with first/after, newest first', async () => {
    const all = await self('{ myAccessHistory(first: 200) { totalCount edges { cursor } } }');
    const total = all.data!.myAccessHistory.totalCount as number;
    expect(total).toBeGreaterThanOrEqual(2);
    const p1 = await self('{ myAccessHistory(first: 1) { edges { node { id at } } pageInfo { hasNextPage endCursor } } }');
    expect(p1.data!.myAccessHistory.pageInfo.hasNextPage).toBe(true);
    const p2 = await self('query($after: String) { myAccessHistory(first: 1, after: $after) { edges { node { id at } } } }', { after: p1.data!.myAccessHistory.pageInfo.endCursor });
    const [first, second] = [p1.data!.myAccessHistory.edges[0].node, p2.data!.myAccessHistory.edges[0].node];
    expect(second.id).not.toBe(first.id);
    expect(new Date(second.at).getTime()).toBeLessThanOrEqual(new Date(first.at).getTime());
  });

  it('rejects a bad cursor or page size with BAD_USER_INPUT', async () => {
    expect(codes(await self('{ myAccessHistory(after: "nope") { totalCount } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await self('{ myAccessHistory(first: 0) { totalCount } }'))).toEqual(['BAD_USER_INPUT']);
  });

  it('only ever shows the caller\'s own record', async () => {
    await gql(app.url, '{ customer(id: "cus_0002") { fullName } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    const other = await self('{ myAccessHistory(first: 200) { totalCount } }', undefined, app.sign({ kind: 'customer', sub: 'cus_0003' }));
    const logged = await logCount(app, { subjectType: 'Customer', subjectId: 'cus_0003' });
    expect(other.data!.myAccessHistory.totalCount).toBe(logged);
  });
});

describe('updateMyContact', () => {
  it('changes phone, validated, and logs fieldsWritten', async () => {
    const r = await self('mutation Fix($input: ContactInput!) { updateMyContact(input: $input) { phone address { city } } }', { input: { phone: '+33 6 12 34 56 78', address: { city: 'Lyon' } } });
    expect(r.errors).toBeUndefined();
    expect(r.data!.updateMyContact).toEqual({ phone: '+33612345678', address: { city: 'Lyon' } });
    const log = await logEntry(app, { operationName: 'Fix' });
    expect(log?.fieldsWritten).toEqual(['address.city', 'phone']);
    expect(log?.purpose).toBe('self-service');
  });

  it('rejects a bad phone with BAD_USER_INPUT naming the field, without echoing it', async () => {
    const r = await self('mutation($input: ContactInput!) { updateMyContact(input: $input) { phone } }', { input: { phone: '12ab-secret' } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].message).toContain('input.phone');
    expect(r.errors![0].message).not.toContain('12ab-secret');
  });

  it('rejects an empty input', async () => {
    expect(codes(await self('mutation { updateMyContact(input: {}) { phone } }'))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('exportMyData', () => {
  it('returns a JSON document of everything held, restricted values decrypted, the card without its number', async () => {
    // A seeded customer who holds a card (the demo cards are the three test numbers below).
    const found = await app.models.customers.findOne({ 'paymentCard.last4': { $exists: true } }, { _id: 1 }).lean().exec();
    const held = await plainCustomer(app, found!._id);
    expect(held?.paymentCard?.last4).toMatch(/^[0-9]{4}$/);
    const card = held!.paymentCard!;
    const token = app.sign({ kind: 'customer', sub: held!._id });
    expect((await self('{ me { fullName } }', undefined, token)).errors).toBeUndefined(); // a logged read the export then lists
    const r = await self('mutation Export { exportMyData }', undefined, token);
    expect(r.errors).toBeUndefined();
    const text = r.data!.exportMyData as string;
    const out = JSON.parse(text);
    expect(out.format).toBe('purpose-gateway/customer-export/v1');
    expect(out.customer).toMatchObject({ id: held!._id, fullName: held!.fullName, email: held!.email, phone: held!.phone });
    expect(out.customer.address).toEqual(held!.address);
    expect(out.customer.consents).toHaveLength(4);
    expect(out.consentHistory).toEqual(expect.any(Array));
    expect(out.accessHistory.length).toBeGreaterThan(0);
    expect(out.customer.paymentCard).toEqual({ brand: card.brand, last4: card.last4, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear });
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005']) expect(text).not.toContain(n);
    if (held!.health) expect(out.customer.health.notes).toEqual(expect.any(String));
    const log = await logEntry(app, { operationName: 'Export', subjectType: 'Customer' });
    expect(log?.fieldsRead).toEqual(expect.arrayContaining(['fullName', 'email', 'consents']));
    expect(log?.fieldsRead).not.toContain('paymentCard.number');
  });

  it('shows who verified the identity as "staff", never the staff member\'s id, as the self schema does', async () => {
    const task = await gql(app.url, `{ task(id: "${DEMO_TASKS.vera}") { customerIds } }`, { token: app.tokens.vera });
    const id: string = task.data!.task.customerIds[0];
    const marked = await gql(app.url, `mutation { markIdentityVerified(customerId: "${id}", method: "id-document", evidenceRef: "DOC-1") { verification { identity { by status } } } }`, {
      token: app.tokens.vera, purpose: 'identity-verification', task: DEMO_TASKS.vera,
    });
    expect(marked.data!.markIdentityVerified.verification.identity).toEqual({ by: 'vera', status: 'VERIFIED' });

    const token = app.sign({ kind: 'customer', sub: id });
    const r = await self('mutation { exportMyData }', undefined, token);
    expect(r.errors).toBeUndefined();
    const text = r.data!.exportMyData as string;
    expect(text).not.toContain('vera');
    const out = JSON.parse(text);
    expect(out.customer.verification.identity).toMatchObject({ status: 'VERIFIED', method: 'id-document', by: 'staff', evidenceRef: 'DOC-1' });
    const me = await self('{ me { verification { identity { status method at by evidenceRef } email { status method at by evidenceRef } phone { status method at by evidenceRef } } } }', undefined, token);
    expect(out.customer.verification).toEqual(me.data!.me.verification);
  });

  it('decrypts health data for the customer themself', async () => {
    const withHealth = await app.models.customers.findOne({ 'health.notes': { $exists: true } }).lean().exec();
    const r = await self('mutation { exportMyData }', undefined, app.sign({ kind: 'customer', sub: withHealth!._id }));
    const out = JSON.parse(r.data!.exportMyData);
    expect(out.customer.health.notes).toEqual(expect.any(String));
    expect(out.customer.health.conditions).toEqual(expect.any(Array));
    const me = await self('{ me { health { notes conditions } } }', undefined, app.sign({ kind: 'customer', sub: withHealth!._id }));
    expect(me.data!.me.health).toEqual(out.customer.health);
  });
});
