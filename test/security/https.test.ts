import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { httpsGql, makeTestCert, type TestCert } from './tls';

let cert: TestCert;
let app: TestApp;
beforeAll(async () => {
  cert = makeTestCert();
  app = await startTestApp({ env: { NODE_ENV: 'production', TLS_CERT: cert.certFile, TLS_KEY: cert.keyFile } });
});
afterAll(async () => {
  await app.stop();
  cert.remove();
});

const BOB = () => ({ token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' });
const CARD = 'mutation($id: ID!, $card: PaymentCardInput!) { updateCustomer(id: $id, input: { paymentCard: $card }) { id paymentCard { brand last4 } } }';

async function bobsFirstCustomer(): Promise<string> {
  const r = await httpsGql(app.url, '{ customers(first: 1) { edges { node { id } } } }', { ...BOB(), ca: cert.ca });
  return r.data?.customers.edges[0].node.id;
}

describe('HTTPS with TLS_CERT and TLS_KEY', () => {
  it('serves https:// with a certificate the client can verify, and sends HSTS', async () => {
    expect(app.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await httpsGql(app.url, '{ myTasks { id } }', { token: app.tokens.bob, ca: cert.ca });
    expect(r.status).toBe(200);
    expect(r.errors).toBeUndefined();
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('accepts a card number over HTTPS in production', async () => {
    const id = await bobsFirstCustomer();
    const r = await httpsGql(app.url, CARD, { ...BOB(), ca: cert.ca, variables: { id, card: { number: '4000 0566 5566 5556', expiryMonth: 12, expiryYear: new Date().getUTCFullYear() + 2 } } });
    expect(r.errors).toBeUndefined();
    expect(r.data?.updateCustomer.paymentCard).toEqual({ brand: 'visa', last4: '5556' });
  });

  it('a client that does not trust the certificate cannot connect', async () => {
    await expect(httpsGql(app.url, '{ myTasks { id } }', { token: app.tokens.bob })).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('plain HTTP to the TLS port gets no GraphQL answer', async () => {
    const port = new URL(app.url).port;
    const outcome = await new Promise<string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        resolve(`status ${res.statusCode}`);
        res.resume();
      });
      req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      req.end('{"query":"{ myTasks { id } }"}');
    });
    expect(outcome).not.toBe('status 200');
  });
});
