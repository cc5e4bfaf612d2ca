import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntry } from '../support/log';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});
const customers = () => app.models.customers;
const ENROL = 'mutation E($input: EnrolCustomerInput!) { enrolCustomer(input: $input) { id fullName email phone address { city country } segment preferences consents { key granted source } } }';
const UPDATE = 'mutation U($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { id email phone } }';
const UPDATE_CARD = 'mutation U($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { id paymentCard { brand last4 expiryMonth expiryYear } } }';

describe('enrolCustomer', () => {
  it('stores a validated, normalised customer with the consents given, and the agent reads it back', async () => {
    const r = await gql(app.url, ENROL, {
      token: app.tokens.alice, purpose: 'onboarding',
      variables: { input: {
        fullName: '  Nina   Vogel ', email: 'Nina.Vogel@Example.COM', phone: '+49 151 2345 6789', birthDate: '1988-02-29',
        address: { street: '3 Hauptstraße', city: 'Berlin', postalCode: '10115', country: 'de' }, segment: 'consumer',
        preferences: ['newsletter'], consent: { storage: true, purposes: ['marketing'], source: 'web-form' },
      } },
    });
    expect(r.errors).toBeUndefined();
    const c = r.data?.enrolCustomer;
    expect(c).toMatchObject({ fullName: 'Nina Vogel', email: 'Nina.Vogel@example.com', phone: '+4915123456789', address: { city: 'Berlin', country: 'DE' }, preferences: ['newsletter'] });
    expect(c.consents).toEqual(expect.arrayContaining([{ key: 'storage', granted: true, source: 'web-form' }, { key: 'marketing', granted: true, source: 'web-form' }, { key: 'analytics', granted: false, source: 'web-form' }]));
    const raw = await customers().findById(c.id).lean();
    expect(raw).toMatchObject({ enrolledBy: 'alice', consentState: { storage: true, marketing: true, analytics: false, 'health-data': false } });
    const back = await gql(app.url, `{ customer(id: "${c.id}") { fullName } }`, { token: app.tokens.alice, purpose: 'onboarding' });
    expect(back.data?.customer.fullName).toBe('Nina Vogel');
    const other = app.sign({ kind: 'staff', sub: 'bruno', roles: ['support-agent'] });
    const notMine = await gql(app.url, `{ customer(id: "${c.id}") { fullName } }`, { token: other, purpose: 'onboarding' });
    expect(codes(notMine)).toEqual(['FORBIDDEN']);
  });

  it('rejects attributes the purpose may not collect, storing nothing', async () => {
    const before = await customers().countDocuments();
    const r = await gql(app.url, ENROL, { token: app.tokens.mia, purpose: 'marketing', variables: { input: { fullName: 'Nina Vogel', consent: { storage: true } } } });
    expect(codes(r)).toEqual(['FORBIDDEN_FIELD']);
    expect(await customers().countDocuments()).toBe(before);
  });

  it('rejects an unknown consent key and an invalid birth date by name', async () => {
    const badKey = await gql(app.url, ENROL, { token: app.tokens.alice, purpose: 'onboarding', variables: { input: { fullName: 'Nina Vogel', consent: { storage: true, purposes: ['telepathy'] } } } });
    expect(codes(badKey)).toEqual(['BAD_USER_INPUT']);
    expect(badKey.errors?.[0].message).toMatch(/input\.consent\.purposes/);
    const future = await gql(app.url, ENROL, { token: app.tokens.alice, purpose: 'onboarding', variables: { input: { fullName: 'Nina Vogel', birthDate: '2999-01-01', consent: { storage: true } } } });
    expect(codes(future)).toEqual(['BAD_USER_INPUT']);
    expect(future.errors?.[0].message).toMatch(/input\.birthDate/);
    expect(JSON.stringify(future)).not.toContain('2999');
  });
});

describe('updateCustomer', () => {
  it('is all or nothing against the write rules', async () => {
    const before = await customers().findById('cus_0001').lean();
    const r = await gql(app.url, UPDATE, {
      token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice',
      variables: { id: 'cus_0001', input: { email: 'new@example.com', loyaltyTier: 'platinum' } },
    });
    expect(codes(r)).toEqual(['FORBIDDEN_FIELD']);
    expect(r.errors?.[0].extensions).toMatchObject({ field: 'Customer.loyaltyTier', fields: ['Customer.loyaltyTier'], purpose: 'customer-support' });
    const after = await customers().findById('cus_0001').lean();
    expect(after?.email).toEqual(before?.email); // the same sealed value: not rewritten
    expect(after?.loyaltyTier).toBe(before?.loyaltyTier);
  });

  it('counts removing a group attribute (null) as writing all of it', async () => {
    const { customers: model } = app.models;
    const holder = await model.findOne({ _id: { $in: ['cus_0001', 'cus_0002', 'cus_0003', 'cus_0004', 'cus_0005'] }, paymentCard: { $ne: null } }).lean()
      ?? (await model.findOneAndUpdate({ _id: 'cus_0004' }, { $set: { paymentCard: { brand: 'visa', last4: '1111', expiryMonth: 1, expiryYear: 2031, number: { v: 1 } } } }, { returnDocument: 'after' }).lean());
    const r = await gql(app.url, UPDATE, {
      token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice',
      variables: { id: holder!._id, input: { email: 'new.addr@example.com', paymentCard: null } },
    });
    expect(codes(r)).toEqual(['FORBIDDEN_FIELD']);
    expect(r.errors?.[0].extensions?.fields).toEqual(expect.arrayContaining(['Customer.paymentCard.number', 'Customer.paymentCard.last4']));
    const after = await model.findById(holder!._id).lean();
    expect(after?.paymentCard?.last4).toBe(holder!.paymentCard!.last4);
    expect(after?.email).toEqual(holder!.email);

    const task = await app.models.tasks.findById('tsk_billing_bob').lean();
    const removed = await gql(app.url, UPDATE_CARD, { token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob', variables: { id: task!.customerIds[1], input: { paymentCard: null } } });
    expect(removed.errors).toBeUndefined();
    expect(removed.data?.updateCustomer.paymentCard).toBeNull();
    const rec = await logEntry(app, { operationName: 'U', fieldsWritten: 'paymentCard.number', subjectId: task!.customerIds[1] });
    expect(rec?.fieldsWritten).toEqual(expect.arrayContaining(['paymentCard.number', 'paymentCard.last4']));
  });

  it('writes what the task allows', async () => {
    const r = await gql(app.url, UPDATE, { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice', variables: { id: 'cus_0002', input: { email: 'fixed@example.com', phone: '+33 6 12 34 56 78' } } });
    expect(r.errors).toBeUndefined();
    expect(r.data?.updateCustomer).toMatchObject({ email: 'fixed@example.com', phone: '+33612345678' });
  });

  it('refuses a customer outside the task with FORBIDDEN', async () => {
    const r = await gql(app.url, UPDATE, { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice', variables: { id: 'cus_0777', input: { email: 'x@example.com' } } });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });

  it('billing stores a new card encrypted and shows only brand, last 4 and expiry', async () => {
    const task = await app.models.tasks.findById('tsk_billing_bob').lean();
    const id = task!.customerIds[0];
    const r = await gql(app.url, UPDATE_CARD, { token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob', variables: { id, input: { paymentCard: { number: '4242 4242 4242 4242', expiryMonth: 12, expiryYear: new Date().getFullYear() + 2 } } } });
    expect(r.errors).toBeUndefined();
    expect(r.data?.updateCustomer.paymentCard).toMatchObject({ brand: 'visa', last4: '4242' });
    const raw = await app.running.services.conn.db!.collection('customers').findOne({ _id: id as never });
    expect(JSON.stringify(raw)).not.toContain('4242424242424242');
  });

  it('refuses a bad card naming the field and the rule, never echoing digits', async () => {
    const task = await app.models.tasks.findById('tsk_billing_bob').lean();
    const r = await gql(app.url, UPDATE, { token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob', variables: { id: task!.customerIds[0], input: { paymentCard: { number: '4242424242424241', expiryMonth: 12, expiryYear: 2031 } } } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].message).toMatch(/input\.paymentCard\.number/);
    expect(JSON.stringify(r)).not.toMatch(/4242|4241/);
  });
});
