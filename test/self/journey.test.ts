/** The "done when": through /self/graphql alone, a customer sees, checks, fixes, withdraws, leaves. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

it('a customer sees everything, sees who looked, fixes their phone, leaves the marketing list at once, then leaves with a receipt', async () => {
  const self = (query: string) => gql(app.url, query, { token: app.tokens.customer, endpoint: '/self/graphql' });
  const marketing = async () => {
    const r = await gql(app.url, '{ customers(first: 20) { edges { node { id } } } }', { token: app.tokens.mia, purpose: 'marketing' });
    return r.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
  };
  await gql(app.url, '{ customer(id: "cus_0001") { phone } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });

  const me = await self('{ me { id fullName email phone address { city } paymentCard { last4 } consents { key granted } } }');
  expect(me.errors).toBeUndefined();
  expect(me.data!.me.id).toBe('cus_0001');

  const history = await self('{ myAccessHistory { edges { node { actorRole purpose fieldsRead } } } }');
  expect(history.data!.myAccessHistory.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ actorRole: 'support-agent', purpose: 'customer-support', fieldsRead: ['id', 'phone'] });

  const fixed = await self('mutation { updateMyContact(input: { phone: "+33698765432" }) { phone } }');
  expect(fixed.data!.updateMyContact.phone).toBe('+33698765432');

  await self('mutation { grantConsent(key: "marketing") { key } }');
  expect(await marketing()).toContain('cus_0001');
  await self('mutation { withdrawConsent(key: "marketing") { key } }');
  expect(await marketing()).not.toContain('cus_0001');

  const left = await self('mutation { leaveProgram(confirm: true) { reference status steps { name count } } }');
  expect(left.data!.leaveProgram.status).toBe('DONE');
  expect(left.data!.leaveProgram.reference).toMatch(/^[0-9a-f]{64}$/);
  expect(left.data!.leaveProgram.steps.find((s: { name: string }) => s.name === 'erase:customers').count).toBe(1);
  expect(codes(await self('{ me { id } }'))).toEqual(['UNAUTHENTICATED']);
});
