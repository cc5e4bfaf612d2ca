import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

/** Production behind a TLS-terminating proxy on loopback (TRUST_PROXY=loopback). */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { NODE_ENV: 'production', TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await app.stop();
});

const BOB = () => ({ token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' });
const CARD = { number: '5555555555554444', expiryMonth: 3, expiryYear: new Date().getUTCFullYear() + 3 };
const UPDATE = 'mutation($id: ID!, $c: PaymentCardInput) { updateCustomer(id: $id, input: { paymentCard: $c }) { id paymentCard { brand last4 } } }';

async function firstId(): Promise<string> {
  const r = await gql(app.url, '{ customers(first: 1) { edges { node { id } } } }', BOB());
  return r.data?.customers.edges[0].node.id;
}

describe('a trusted proxy that says https', () => {
  it('is accepted, and the response carries HSTS', async () => {
    const id = await firstId();
    const res = await fetch(app.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.tokens.bob}`, 'x-purpose': 'billing', 'x-task-id': 'tsk_billing_bob', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ query: UPDATE, variables: { id, c: CARD } }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data.updateCustomer.paymentCard).toEqual({ brand: 'mastercard', last4: '4444' });
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('the same proxy saying http, or saying nothing, is refused', async () => {
    const id = await firstId();
    const viaHttp = await gql(app.url, UPDATE, { ...BOB(), variables: { id, c: CARD }, headers: { 'x-forwarded-proto': 'http' } });
    expect(codes(viaHttp)).toEqual(['INSECURE_TRANSPORT']);
    const silent = await gql(app.url, UPDATE, { ...BOB(), variables: { id, c: CARD } });
    expect(codes(silent)).toEqual(['INSECURE_TRANSPORT']);
  });
});
