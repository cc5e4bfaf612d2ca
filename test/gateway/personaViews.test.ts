import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const ALL = `id fullName email phone birthDate birthYear segment loyaltyTier preferences
  address { street city postalCode country } paymentCard { brand last4 expiryMonth expiryYear }
  health { conditions notes } consents { key granted }`;
const page = (first = 50) => `{ customers(first: ${first}) { totalCount edges { node { ${ALL} } } } }`;
const deniedFields = (r: { errors?: Array<{ extensions?: Record<string, any> }> }) =>
  (r.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN_FIELD').map((e) => e.extensions!.field).sort();

describe('each persona sees exactly its view', () => {
  it('support agent: the ticket customers, contact details and preferences, no card, no health', async () => {
    const r = await gql(app.url, page(), { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(r.data?.customers.totalCount).toBe(5);
    const n = r.data?.customers.edges[0].node;
    expect(n).toMatchObject({ id: 'cus_0001', fullName: expect.any(String), email: expect.stringContaining('@'), phone: expect.stringMatching(/^\+/), birthDate: null, birthYear: null, paymentCard: null, health: null });
    expect(n.address.street).toEqual(expect.any(String));
    expect(deniedFields(r)).toEqual(['Customer.birthDate', 'Customer.birthYear', 'Customer.health', 'Customer.paymentCard']);
  });

  it('billing agent: card brand, last 4 and expiry of the task customers; never the number; no health', async () => {
    const r = await gql(app.url, page(), { token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' });
    expect(r.data?.customers.totalCount).toBe(5);
    for (const { node } of r.data?.customers.edges) {
      expect(node.paymentCard).toMatchObject({ brand: expect.any(String), last4: expect.stringMatching(/^\d{4}$/) });
      expect(node.health).toBeNull();
      expect(node.phone).toBeNull();
    }
    expect(deniedFields(r)).toEqual(expect.arrayContaining(['Customer.health', 'Customer.phone', 'Customer.segment']));
  });

  it('marketing specialist: only customers who granted marketing consent', async () => {
    const r = await gql(app.url, '{ customers(first: 200) { totalCount edges { node { id fullName email segment consents { key } } } } }', { token: app.tokens.mia, purpose: 'marketing' });
    const expected = await app.models.customers.countDocuments({ 'consentState.marketing': true });
    expect(r.data?.customers.totalCount).toBe(expected);
    const ids: string[] = r.data?.customers.edges.map((e: any) => e.node.id);
    const raw = await app.models.customers.find({ _id: { $in: ids } }, { consentState: 1 }).lean();
    expect(raw.every((c) => c.consentState.marketing === true)).toBe(true);
    expect(deniedFields(r)).toEqual(['Customer.consents']);
  });

  it('data analyst: segment, tier, preferences, country and birth year of consenting customers; no street, no name', async () => {
    const r = await gql(app.url, page(20), { token: app.tokens.dan, purpose: 'analytics' });
    const n = r.data?.customers.edges[0].node;
    expect(n).toMatchObject({ fullName: null, email: null, birthDate: null, birthYear: expect.any(Number), segment: expect.any(String) });
    expect(n.address).toEqual({ street: null, city: null, postalCode: null, country: expect.stringMatching(/^[A-Z]{2}$/) });
    expect(deniedFields(r)).toEqual(expect.arrayContaining(['Customer.address.street', 'Customer.address.city', 'Customer.fullName', 'Customer.birthDate']));
    expect(deniedFields(r)).not.toContain('Customer.address.country');
  });

  it('care advisor: health data decrypted for the care task customers, with health-data consent', async () => {
    const r = await gql(app.url, '{ customers(first: 10) { totalCount edges { node { id fullName phone email health { conditions notes } } } } }', { token: app.tokens.carla, purpose: 'care', task: 'tsk_care_carla' });
    expect(r.data?.customers.totalCount).toBeGreaterThan(0);
    for (const { node } of r.data?.customers.edges) {
      expect(Array.isArray(node.health.conditions)).toBe(true);
      expect(node.health.notes).toEqual(expect.any(String));
      expect(node.email).toBeNull();
    }
  });

  it('supervisor: full names only, and opens and closes tasks', async () => {
    const r = await gql(app.url, '{ customer(id: "cus_0042") { id fullName email } }', { token: app.tokens.sam, purpose: 'task-management' });
    expect(r.data?.customer).toMatchObject({ id: 'cus_0042', fullName: expect.any(String), email: null });
    const open = await gql(app.url, 'mutation O($i: OpenTaskInput!) { openTask(input: $i) { id status purpose customerIds assigneeIds openedBy } }', {
      token: app.tokens.sam, purpose: 'task-management',
      variables: { i: { purpose: 'customer-support', customerIds: ['cus_0042'], assigneeIds: ['alice'], note: 'Ticket #2001' } },
    });
    expect(open.errors).toBeUndefined();
    const task = open.data?.openTask;
    expect(task).toMatchObject({ status: 'OPEN', openedBy: 'sam', customerIds: ['cus_0042'] });
    const seen = await gql(app.url, '{ customer(id: "cus_0042") { email } }', { token: app.tokens.alice, purpose: 'customer-support', task: task.id });
    expect(seen.data?.customer.email).toContain('@');
    const closed = await gql(app.url, `mutation { closeTask(id: "${task.id}") { status closedAt } }`, { token: app.tokens.sam, purpose: 'task-management' });
    expect(closed.data?.closeTask.status).toBe('CLOSED');
    const after = await gql(app.url, '{ customer(id: "cus_0042") { email } }', { token: app.tokens.alice, purpose: 'customer-support', task: task.id });
    expect(codes(after)).toEqual(['TASK_INVALID']);
  });

  it('only the supervisor opens tasks', async () => {
    const r = await gql(app.url, 'mutation { openTask(input: { purpose: "billing", customerIds: ["cus_0001"], assigneeIds: ["bob"] }) { id } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });

  it('privacy officer (audit): reads the access log, not customers', async () => {
    await gql(app.url, '{ customer(id: "cus_0002") { fullName } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    const r = await gql(app.url, '{ accessLog(customerId: "cus_0002", first: 5) { totalCount edges { node { actor { id roles } purpose taskId subjectId fieldsRead decision } } } }', { token: app.tokens.pat, purpose: 'audit' });
    expect(r.errors).toBeUndefined();
    expect(r.data?.accessLog.edges[0].node).toMatchObject({ actor: { id: 'alice', roles: ['support-agent'] }, purpose: 'customer-support', taskId: 'tsk_support_alice', subjectId: 'cus_0002', fieldsRead: ['fullName', 'id'], decision: 'allowed' });
    const c = await gql(app.url, '{ customer(id: "cus_0002") { fullName } }', { token: app.tokens.pat, purpose: 'audit' });
    expect(codes(c)).toEqual(['FORBIDDEN']);
  });

  it('privacy officer (privacy-request): every attribute of the task customers, but never the card number', async () => {
    const r = await gql(app.url, `{ customer(id: "cus_0001") { ${ALL} } }`, { token: app.tokens.pat, purpose: 'privacy-request', task: 'tsk_privacy_pat' });
    expect(deniedFields(r)).toEqual([]);
    expect(r.data?.customer.fullName).toEqual(expect.any(String));
  });

  it('nobody else may read the access log', async () => {
    const r = await gql(app.url, '{ accessLog { totalCount } }', { token: app.tokens.mia, purpose: 'marketing' });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });

  it('policyMatrix explains a role under a purpose, field by field', async () => {
    const r = await gql(app.url, '{ policyMatrix(role: "data-analyst", purpose: "analytics") { field action allowed reason } }', { token: app.tokens.dan });
    const read = r.data?.policyMatrix.filter((p: any) => p.action === 'read');
    expect(read.find((p: any) => p.field === 'address.country')).toMatchObject({ allowed: true, reason: expect.any(String) });
    expect(read.find((p: any) => p.field === 'address.street')).toMatchObject({ allowed: false });
    const bad = await gql(app.url, '{ policyMatrix(role: "wizard", purpose: "analytics") { field } }', { token: app.tokens.dan });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  });
});
