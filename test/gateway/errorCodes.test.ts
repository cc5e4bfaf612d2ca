import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logCount, logEntry } from '../support/log';
import { systemWrite } from '../../src/core/writeScope';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const CUSTOMERS = '{ customers(first: 3) { totalCount edges { node { id fullName } } } }';

describe('UNAUTHENTICATED', () => {
  it('refuses a request without a token', async () => {
    const r = await gql(app.url, CUSTOMERS, { purpose: 'marketing' });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.data).toBeNull();
  });
  it('refuses a token signed with another key', async () => {
    const [h, p] = app.tokens.mia.split('.');
    const r = await gql(app.url, CUSTOMERS, { token: `${h}.${p}.AAAA`, purpose: 'marketing' });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });
  it('refuses an expired token', async () => {
    const token = app.sign({ kind: 'staff', sub: 'mia', roles: ['marketing-specialist'] }, -10);
    const r = await gql(app.url, CUSTOMERS, { token, purpose: 'marketing' });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.errors?.[0].message).toMatch(/expired/);
  });
  it('refuses a customer token on the staff endpoint', async () => {
    const r = await gql(app.url, CUSTOMERS, { token: app.tokens.customer, purpose: 'marketing' });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.errors?.[0].message).toMatch(/staff tokens/);
  });
  it('refuses a malformed Authorization header', async () => {
    const r = await gql(app.url, CUSTOMERS, { headers: { authorization: 'Token abc' }, purpose: 'marketing' });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('purpose', () => {
  it('PURPOSE_REQUIRED without X-Purpose', async () => {
    const r = await gql(app.url, CUSTOMERS, { token: app.tokens.mia });
    expect(codes(r)).toEqual(['PURPOSE_REQUIRED']);
  });
  it('PURPOSE_UNKNOWN for a purpose outside the catalogue', async () => {
    const r = await gql(app.url, CUSTOMERS, { token: app.tokens.mia, purpose: 'curiosity' });
    expect(codes(r)).toEqual(['PURPOSE_UNKNOWN']);
  });
  it('PURPOSE_NOT_ALLOWED when no role of the caller acts for it, and the denial is logged', async () => {
    const r = await gql(app.url, CUSTOMERS, { token: app.tokens.mia, purpose: 'billing', operationName: undefined });
    expect(codes(r)).toEqual(['PURPOSE_NOT_ALLOWED']);
    const rec = await logEntry(app, { 'actor.id': 'mia', code: 'PURPOSE_NOT_ALLOWED' });
    expect(rec).toMatchObject({ decision: 'denied', purpose: null, actor: { kind: 'staff', roles: ['marketing-specialist'] } });
  });
  it('no answer may be cached: Cache-Control no-store, and no cache hints from Apollo', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.tokens.alice}`, 'x-purpose': 'customer-support', 'x-task-id': 'tsk_support_alice' },
      body: JSON.stringify({ query: '{ customer(id: "cus_0001") { id fullName } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { data: { customer: { id: string } } }).data.customer.id).toBe('cus_0001');
  });

  it('operations that touch no customer data need no purpose', async () => {
    const r = await gql(app.url, '{ myTasks { id purpose } }', { token: app.tokens.alice });
    expect(r.errors).toBeUndefined();
    expect(r.data?.myTasks).toEqual([{ id: 'tsk_support_alice', purpose: 'customer-support' }]);
  });
});

describe('task', () => {
  const q = '{ customer(id: "cus_0001") { id fullName } }';
  it('TASK_REQUIRED when the purpose needs a task', async () => {
    const r = await gql(app.url, q, { token: app.tokens.alice, purpose: 'customer-support' });
    expect(codes(r)).toEqual(['TASK_REQUIRED']);
  });
  it('TASK_INVALID for an unknown task, and the denial is logged', async () => {
    const r = await gql(app.url, q, { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_nope' });
    expect(codes(r)).toEqual(['TASK_INVALID']);
    expect(await logCount(app, { 'actor.id': 'alice', code: 'TASK_INVALID' })).toBeGreaterThan(0);
  });
  it('TASK_INVALID for a task assigned to someone else', async () => {
    const r = await gql(app.url, q, { token: app.tokens.alice, purpose: 'billing', task: 'tsk_billing_bob' });
    // alice is no billing agent: the purpose is refused before the task is looked at
    expect(codes(r)).toEqual(['PURPOSE_NOT_ALLOWED']);
    const other = app.sign({ kind: 'staff', sub: 'bruno', roles: ['support-agent'] });
    const r2 = await gql(app.url, q, { token: other, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(codes(r2)).toEqual(['TASK_INVALID']);
  });
  it('TASK_INVALID for a task of another purpose', async () => {
    const both = app.sign({ kind: 'staff', sub: 'alice', roles: ['support-agent', 'billing-agent'] });
    const r = await gql(app.url, q, { token: both, purpose: 'billing', task: 'tsk_support_alice' });
    expect(codes(r)).toEqual(['TASK_INVALID']);
    expect(r.errors?.[0].message).toMatch(/serves purpose customer-support/);
  });
  it('TASK_INVALID for a closed or expired task', async () => {
    const { tasks } = app.models;
    await systemWrite('test: plant a task', () => tasks.create({ _id: 'tsk_closed', purpose: 'customer-support', customerIds: ['cus_0001'], assigneeIds: ['alice'], status: 'CLOSED', openedBy: 'sam', closedAt: new Date() }));
    await systemWrite('test: plant a task', () => tasks.create({ _id: 'tsk_expired', purpose: 'customer-support', customerIds: ['cus_0001'], assigneeIds: ['alice'], status: 'OPEN', openedBy: 'sam', expiresAt: new Date(Date.now() - 1000) }));
    const closed = await gql(app.url, q, { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_closed' });
    const expired = await gql(app.url, q, { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_expired' });
    expect(codes(closed)).toEqual(['TASK_INVALID']);
    expect(closed.errors?.[0].message).toMatch(/closed/);
    expect(codes(expired)).toEqual(['TASK_INVALID']);
    expect(expired.errors?.[0].message).toMatch(/expired/);
  });
});

describe('FORBIDDEN', () => {
  it('gives the same answer for a customer outside the task and for one that does not exist', async () => {
    const h = { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' };
    const outside = await gql(app.url, '{ customer(id: "cus_0500") { id fullName } }', h);
    const missing = await gql(app.url, '{ customer(id: "cus_9999") { id fullName } }', h);
    expect(codes(outside)).toEqual(['FORBIDDEN']);
    expect(outside.data).toEqual({ customer: null });
    expect({ ...missing.errors?.[0], path: null, locations: null }).toEqual({ ...outside.errors?.[0], path: null, locations: null });
    const rec = await logEntry(app, { 'actor.id': 'alice', code: 'FORBIDDEN', subjectId: 'cus_0500' });
    expect(rec?.decision).toBe('denied');
  });
});

describe('FORBIDDEN_FIELD', () => {
  it('resolves denied attributes to null with one error per field coordinate, counting the rows', async () => {
    const r = await gql(app.url, '{ customers(first: 20) { edges { node { id fullName phone birthDate } } } }', { token: app.tokens.mia, purpose: 'marketing' });
    const nodes = r.data?.customers.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(20);
    expect(nodes.every((n: any) => n.fullName && n.phone === null && n.birthDate === null)).toBe(true);
    const errs = r.errors!.filter((e) => e.extensions?.code === 'FORBIDDEN_FIELD');
    expect(errs.map((e) => e.extensions?.field).sort()).toEqual(['Customer.birthDate', 'Customer.phone']);
    for (const e of errs) expect(e.extensions).toMatchObject({ purpose: 'marketing', count: 20, reason: expect.any(String) });
  });
});

describe('filters', () => {
  it('refuses (and logs) a filter on an attribute the purpose may not read, since the filter would reveal it', async () => {
    const r = await gql(app.url, 'query Probe { customers(filter: { search: "A" }) { totalCount } }', { token: app.tokens.dan, purpose: 'analytics' });
    expect(codes(r)).toEqual(['FORBIDDEN_FIELD']);
    expect(r.errors?.[0].extensions).toMatchObject({ field: 'Customer.fullName', purpose: 'analytics' });
    const rec = await logEntry(app, { operationName: 'Probe', 'actor.id': 'dan' });
    expect(rec).toMatchObject({ decision: 'denied', code: 'FORBIDDEN_FIELD', subjectType: 'Customer' });
  });
});

describe('CONSENT_REQUIRED and BAD_USER_INPUT', () => {
  const ENROL = 'mutation E($input: EnrolCustomerInput!) { enrolCustomer(input: $input) { id fullName } }';
  it('refuses an enrolment without storage consent and stores nothing', async () => {
    const before = await app.models.customers.countDocuments();
    const r = await gql(app.url, ENROL, {
      token: app.tokens.alice, purpose: 'onboarding',
      variables: { input: { fullName: 'Nina Vogel', email: 'nina@example.com', consent: { storage: false } } },
    });
    expect(codes(r)).toEqual(['CONSENT_REQUIRED']);
    expect(await app.models.customers.countDocuments()).toBe(before);
  });
  it('names the field and the rule, and never echoes the value', async () => {
    const r = await gql(app.url, ENROL, {
      token: app.tokens.alice, purpose: 'onboarding',
      variables: { input: { fullName: 'Nina Vogel', email: 'nina-at-example', consent: { storage: true } } },
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].message).toMatch(/input\.email/);
    expect(JSON.stringify(r)).not.toContain('nina-at-example');
  });
  it('does not echo a value that fails GraphQL coercion either', async () => {
    const r = await gql(app.url, 'mutation U($input: UpdateCustomerInput!) { updateCustomer(id: "cus_0001", input: $input) { id } }', {
      token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob',
      variables: { input: { paymentCard: { number: 4111111111111111, expiryMonth: 'x', expiryYear: 2030 } } },
    });
    expect(codes(r)[0]).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(r)).not.toContain('4111111111111111');
  });
});
