import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentLedgerAppendOnlyError, consentEventModel } from '../../src/audit';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntry } from '../support/log';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

const CUSTOMER = 'cus_0003';
const asCustomer = (id = CUSTOMER) => app.sign({ kind: 'customer', sub: id });
const self = (query: string, variables?: Record<string, unknown>, id = CUSTOMER) =>
  gql(app.url, query, { token: asCustomer(id), variables, endpoint: '/self/graphql' });
const marketingList = () =>
  gql(app.url, '{ customers(first: 200) { totalCount edges { node { id } } } }', { token: app.tokens.mia, purpose: 'marketing' });
const ids = (r: Awaited<ReturnType<typeof marketingList>>) => r.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id);
const events = (customerId = CUSTOMER) => consentEventModel(app.running.services.conn).find({ customerId }).sort({ at: 1 }).lean().exec();

describe('grant and withdraw', () => {
  it('a withdrawal of marketing takes effect on the very next marketing request', async () => {
    const granted = await self('mutation { grantConsent(key: "marketing") { key granted source } }');
    expect(granted.errors).toBeUndefined();
    expect(granted.data!.grantConsent).toContainEqual({ key: 'marketing', granted: true, source: 'self-service' });
    const before = await marketingList();
    expect(ids(before)).toContain(CUSTOMER);

    const withdrawn = await self('mutation { withdrawConsent(key: "marketing") { key granted } }');
    expect(withdrawn.data!.withdrawConsent).toContainEqual({ key: 'marketing', granted: false });

    const after = await marketingList();
    expect(ids(after)).not.toContain(CUSTOMER);
    expect(after.data!.customers.totalCount).toBe(before.data!.customers.totalCount - 1);
    const one = await gql(app.url, `{ customer(id: "${CUSTOMER}") { fullName } }`, { token: app.tokens.mia, purpose: 'marketing' });
    expect(codes(one)).toEqual(['FORBIDDEN']);
  });

  it('appends one ledger event per change, with source and consent text version; the state lives on the customer', async () => {
    const history = await self('{ myConsentHistory { key granted at source textVersion } }');
    const marketing = history.data!.myConsentHistory.filter((e: { key: string; source: string }) => e.key === 'marketing' && e.source === 'self-service');
    expect(marketing.map((e: { granted: boolean }) => e.granted)).toEqual([true, false]);
    expect(marketing.every((e: { textVersion: string }) => e.textVersion === '2024-01')).toBe(true);
    const doc = await app.models.customers.findById(CUSTOMER).lean().exec();
    expect(doc!.consentState.marketing).toBe(false);
    expect(doc!.consents.find((c) => c.key === 'marketing')).toMatchObject({ granted: false, source: 'self-service' });
    const mine = await self('{ myConsents { key granted } }');
    expect(mine.data!.myConsents).toContainEqual({ key: 'marketing', granted: false });
  });

  it('withdrawing twice is a no-op, not an error, and appends nothing', async () => {
    const count = (await events()).length;
    const again = await self('mutation Again { withdrawConsent(key: "marketing") { key granted } }');
    expect(again.errors).toBeUndefined();
    expect(again.data!.withdrawConsent).toContainEqual({ key: 'marketing', granted: false });
    expect((await events()).length).toBe(count);
    const log = await logEntry(app, { operationName: 'Again', subjectType: 'Customer' });
    expect(log?.fieldsWritten ?? []).toEqual([]);
  });

  it('logs a change as a write of consents under self-service', async () => {
    await self('mutation Analytics { grantConsent(key: "analytics") { key } }');
    const log = await logEntry(app, { operationName: 'Analytics', subjectType: 'Customer' });
    expect(log).toMatchObject({ purpose: 'self-service', subjectId: CUSTOMER, fieldsWritten: ['consents'] });
  });

  it('an unknown consent key is BAD_USER_INPUT naming the argument, without echoing it', async () => {
    for (const op of ['grantConsent', 'withdrawConsent']) {
      const r = await self(`mutation { ${op}(key: "newsletter-xyz") { key } }`);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0].extensions!.field).toBe('key');
      expect(r.errors![0].message).not.toContain('newsletter-xyz');
    }
  });
});

describe('enrolment', () => {
  it('records the consents given at enrolment in the ledger, source staff', async () => {
    const r = await gql(app.url, `mutation { enrolCustomer(input: { fullName: "Ada Lovelace", email: "ada@example.com",
      consent: { storage: true, purposes: ["marketing"] } }) { id } }`, { token: app.tokens.alice, purpose: 'onboarding' });
    expect(r.errors).toBeUndefined();
    const id = r.data!.enrolCustomer.id as string;
    const recorded = await events(id);
    expect(recorded.map((e) => [e.key, e.granted, e.source, e.textVersion]).sort()).toEqual([
      ['analytics', false, 'staff', '2024-01'],
      ['health-data', false, 'staff', '2024-01'],
      ['marketing', true, 'staff', '2024-01'],
      ['storage', true, 'staff', '2024-01'],
    ]);
    const history = await self('{ myConsentHistory { key granted source } }', undefined, id);
    expect(history.data!.myConsentHistory).toHaveLength(4);
  });

  it('a staff enrolment is recorded with source staff whatever the client labels it (here "self-service" and "import")', async () => {
    for (const label of ['self-service', 'import']) {
      const r = await gql(app.url, `mutation($source: String) { enrolCustomer(input: { fullName: "Grace Hopper",
        consent: { storage: true, purposes: ["marketing", "health-data"], source: $source } }) { id consents { key source } } }`,
      { token: app.tokens.alice, purpose: 'onboarding', variables: { source: label } });
      expect(r.errors).toBeUndefined();
      const id = r.data!.enrolCustomer.id as string;
      const recorded = await events(id);
      expect(recorded).toHaveLength(4);
      expect(recorded.map((e) => e.source)).toEqual(['staff', 'staff', 'staff', 'staff']);
      const history = await self('{ myConsentHistory { source } }', undefined, id);
      expect(history.data!.myConsentHistory.map((e: { source: string }) => e.source)).toEqual(['staff', 'staff', 'staff', 'staff']);
    }
  });
});

describe('append-only ledger', () => {
  it('refuses updates and deletes through the model', async () => {
    const model = consentEventModel(app.running.services.conn);
    await expect(model.updateOne({ customerId: CUSTOMER }, { $set: { granted: true } }).exec()).rejects.toThrow(ConsentLedgerAppendOnlyError);
    await expect(model.deleteMany({ customerId: CUSTOMER }).exec()).rejects.toThrow(ConsentLedgerAppendOnlyError);
    await expect(model.findOneAndDelete({ customerId: CUSTOMER }).exec()).rejects.toThrow(ConsentLedgerAppendOnlyError);
    const one = await model.findOne({ customerId: CUSTOMER }).exec();
    one!.granted = !one!.granted;
    await expect(one!.save()).rejects.toThrow(ConsentLedgerAppendOnlyError);
    expect((await events()).length).toBeGreaterThan(0);
  });
});

describe('withdrawing storage', () => {
  it('is leaving the program: the customer is erased and their token no longer works', async () => {
    const id = 'cus_0004';
    const r = await self('mutation { withdrawConsent(key: "storage") { key granted } }', undefined, id);
    expect(r.errors).toBeUndefined();
    expect(r.data!.withdrawConsent.every((c: { granted: boolean }) => !c.granted)).toBe(true);
    expect(await app.models.customers.exists({ _id: id })).toBeNull();
    expect(await events(id)).toEqual([]);
    expect(codes(await self('{ me { id } }', undefined, id))).toEqual(['UNAUTHENTICATED']);
  });
});
