/**
 * Under analytics the analyst sees pseudonyms, never customer ids (fields, cursors, errors), and the
 * log keeps the real ids; pseudonyms are refused everywhere else. Discovery: myPurposes on every
 * audience, and the purpose errors list what the caller may use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonymOf } from '../../src/crypto';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql, type GqlResponse } from '../support/graphql';
import { logEntries } from '../support/log';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const PAGE = 'query Rows($after: String) { customers(first: 20, after: $after) { totalCount edges { cursor node { id segment loyaltyTier } } pageInfo { hasNextPage endCursor } } }';
const dan = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  gql(app.url, query, { token: app.tokens.dan, purpose: 'analytics', variables, operationName });

/** Every customer id of the database appears nowhere in a response body, cursors decoded included. */
function expectNoRealId(r: GqlResponse) {
  const body = JSON.stringify(r);
  expect(body).not.toMatch(/cus_/);
  for (const cursor of body.match(/"(?:cursor|endCursor)":"([A-Za-z0-9_-]+)"/g) ?? []) {
    expect(Buffer.from(cursor.split('"')[3]!, 'base64url').toString('latin1')).not.toMatch(/cus_/);
  }
}

describe('pseudonyms under analytics', () => {
  it('shows psn_ ids, stable across requests, in cursors as in fields', async () => {
    const first = await dan(PAGE);
    expect(first.errors).toBeUndefined();
    expectNoRealId(first);
    const rows = first.data!.customers.edges;
    expect(rows).toHaveLength(20);
    for (const { node } of rows) expect(node.id).toMatch(/^psn_[A-Za-z0-9_-]{26}$/);
    const again = await dan(PAGE);
    expect(again.data!.customers.edges.map((e: any) => e.node.id)).toEqual(rows.map((e: any) => e.node.id));
    const next = await dan(PAGE, { after: first.data!.customers.pageInfo.endCursor });
    expectNoRealId(next);
    const seen = new Set(rows.map((e: any) => e.node.id));
    for (const { node } of next.data!.customers.edges) expect(seen.has(node.id)).toBe(false);
  });

  it('is the HMAC of the id under the purpose\'s key, different per purpose', async () => {
    const doc = await app.models.customers.findOne({ 'consentState.analytics': true }).sort({ _id: 1 }).lean().exec();
    const psn = pseudonymOf(app.config.pseudonymKey, 'analytics', doc!._id);
    expect(psn).not.toContain(doc!._id);
    expect(pseudonymOf(app.config.pseudonymKey, 'marketing', doc!._id)).not.toBe(psn);
    const first = await dan(PAGE);
    expect(first.data!.customers.edges[0].node.id).toBe(psn);
  });

  it('customer(id: psn_…) resolves under analytics; a customer id is refused there, without echoing it', async () => {
    const row = (await dan(PAGE)).data!.customers.edges[3].node;
    const one = await dan('query One($id: ID!) { customer(id: $id) { id segment loyaltyTier } }', { id: row.id });
    expect(one.errors).toBeUndefined();
    expect(one.data!.customer).toEqual(row);
    const real = await dan('query One($id: ID!) { customer(id: $id) { id } }', { id: 'cus_0002' });
    expect(codes(real)).toEqual(['BAD_USER_INPUT']);
    expect(real.errors![0].extensions).toMatchObject({ field: 'id' });
    expect(real.errors![0].message).toMatch(/must be a pseudonym/);
    expectNoRealId(real);
    const unknown = await dan('query One($id: ID!) { customer(id: $id) { id } }', { id: 'psn_' + 'A'.repeat(26) });
    expect(codes(unknown)).toEqual(['FORBIDDEN']);
    expectNoRealId(unknown);
  });

  it('a pseudonym is refused by customer(id:), updates and task inputs of every other purpose', async () => {
    const psn = (await dan(PAGE)).data!.customers.edges[0].node.id;
    const support = await gql(app.url, 'query One($id: ID!) { customer(id: $id) { id } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice', variables: { id: psn } });
    expect(codes(support)).toEqual(['BAD_USER_INPUT']);
    expect(support.errors![0].message).toMatch(/must be a customer id/);
    expect(support.errors![0].message).not.toContain(psn);
    const update = await gql(app.url, 'mutation U($id: ID!) { updateCustomer(id: $id, input: { preferences: [] }) { id } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice', variables: { id: psn } });
    expect(codes(update)).toEqual(['BAD_USER_INPUT']);
    const task = await gql(app.url, 'mutation T($ids: [ID!]!) { openTask(input: { purpose: "customer-support", customerIds: $ids, assigneeIds: ["alice"] }) { id } }', { token: app.tokens.sam, purpose: 'task-management', variables: { ids: [psn] } });
    expect(codes(task)).toEqual(['BAD_USER_INPUT']);
    expect(task.errors![0].extensions).toMatchObject({ field: 'input.customerIds' });
  });

  it('logs pseudonymous rows under the real customer ids', async () => {
    const r = await dan(PAGE, undefined, 'Rows');
    const entries = await logEntries(app, { operationName: 'Rows', purpose: 'analytics' });
    // The rows returned (the others were counted for totalCount).
    const last = entries.filter((e) => e.requestId === entries.at(-1)!.requestId && e.fieldsRead.includes('segment'));
    expect(last.length).toBe(20);
    const expected = r.data!.customers.edges.map((e: any) => e.node.id).sort();
    expect(last.map((e) => pseudonymOf(app.config.pseudonymKey, 'analytics', e.subjectId!)).sort()).toEqual(expected);
    for (const e of last) expect(e.subjectId).toMatch(/^cus_/);
  });

  it('errors and denials under analytics name no customer', async () => {
    const denied = await dan('{ customers(first: 5) { edges { node { id fullName email } } } }');
    expect(codes(denied)).toEqual(['FORBIDDEN_FIELD', 'FORBIDDEN_FIELD']);
    expectNoRealId(denied);
    const stats = await dan('{ customerStats(groupBy: [SEGMENT, COUNTRY]) { cells { values count } suppressedRows } }');
    expectNoRealId(stats);
  });
});

describe('discovery: myPurposes on every audience, and purpose errors that list the allowed purposes', () => {
  const MY = '{ myPurposes { id description requiresTask consentNeeded openTasks { id purpose } } }';

  it('staff: the purposes of the caller\'s roles, with their open tasks, without X-Purpose', async () => {
    const d = await gql(app.url, MY, { token: app.tokens.dan });
    expect(d.data!.myPurposes).toEqual([{ id: 'analytics', description: expect.any(String), requiresTask: false, consentNeeded: 'analytics', openTasks: [] }]);
    const a = await gql(app.url, MY, { token: app.tokens.alice });
    const support = a.data!.myPurposes.find((p: any) => p.id === 'customer-support');
    expect(support).toMatchObject({ requiresTask: true, consentNeeded: null });
    expect(support.openTasks).toContainEqual({ id: 'tsk_support_alice', purpose: 'customer-support' });
    expect(a.data!.myPurposes.map((p: any) => p.id)).toContain('onboarding');
  });

  it('customers and partners too; no token is UNAUTHENTICATED', async () => {
    const c = await gql(app.url, MY, { token: app.tokens.customer, endpoint: '/self/graphql' });
    expect(c.data!.myPurposes).toEqual([expect.objectContaining({ id: 'self-service', requiresTask: false, openTasks: [] })]);
    const p = await gql(app.url, MY, { token: app.tokens.shipfast, endpoint: '/partner/graphql' });
    expect(p.data!.myPurposes).toEqual([expect.objectContaining({ id: 'order-fulfilment', requiresTask: true })]);
    expect(p.data!.myPurposes[0].openTasks.map((t: any) => t.id)).toContain('tsk_fulfil_shipfast');
    expect(codes(await gql(app.url, MY))).toEqual(['UNAUTHENTICATED']);
  });

  it('PURPOSE_UNKNOWN and PURPOSE_NOT_ALLOWED carry extensions.allowed; a purpose in the wrong case is matched', async () => {
    const q = '{ customers(first: 1) { edges { node { id } } } }';
    const typo = await gql(app.url, q, { token: app.tokens.mia, purpose: 'marketting' });
    expect(codes(typo)).toEqual(['PURPOSE_UNKNOWN']);
    expect(typo.errors![0].extensions).toMatchObject({ purpose: 'marketting', allowed: ['marketing'] });
    expect(typo.errors![0].message).toContain('marketing');
    const notMine = await gql(app.url, q, { token: app.tokens.mia, purpose: 'analytics' });
    expect(codes(notMine)).toEqual(['PURPOSE_NOT_ALLOWED']);
    expect(notMine.errors![0].extensions).toMatchObject({ purpose: 'analytics', allowed: ['marketing'] });
    const wrongCase = await gql(app.url, q, { token: app.tokens.mia, purpose: 'Marketing' });
    expect(wrongCase.errors).toBeUndefined();
    expect(wrongCase.data!.customers.edges).toHaveLength(1);
  });
});
