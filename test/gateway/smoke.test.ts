import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

describe('smoke', () => {
  it('alice reads her task customers', async () => {
    const r = await gql(app.url, '{ customers(first: 10) { totalCount edges { node { id fullName email paymentCard { last4 } } } } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(r.data?.customers.totalCount).toBe(5);
    expect(r.errors?.map((e) => e.extensions?.field)).toEqual(['Customer.paymentCard']);
  });
});
