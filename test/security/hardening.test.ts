/**
 * Issue 10, "bad input that must get a clear answer, with the gateway still serving others": each
 * case over HTTP, with its code and HTTP status, nothing of the request in the log, and a one-row
 * read by another persona finishing fast while it runs. One gateway for the file, with JWT_ISSUER
 * and JWT_AUDIENCE set (the personas' tokens carry them by default).
 */
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setLogSink } from '../../src/logger';
import { startTestApp, type TestApp } from '../support/app';
import { logEntries } from '../support/log';

const CARD = '4111111111111111';
const MARKER = 'Zebulon-Quartz-Marker';
const ISSUER = 'https://idp.hardening.test';
const AUDIENCE = 'purpose-gateway';

let app: TestApp;
const lines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;
const consoleError = vi.spyOn(console, 'error');

beforeAll(async () => {
  restoreSink = setLogSink((l) => lines.push(l));
  app = await startTestApp({ env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, monitorCommands: true });
});
afterAll(async () => {
  await app?.stop();
  setLogSink(restoreSink);
});

interface Answer { status: number; headers: Headers; json: any; text: string }

async function post(body: string, headers: Record<string, string> = {}, path = '/graphql'): Promise<Answer> {
  const res = await fetch(app.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

const auth = (persona: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${app.tokens[persona]}`, ...extra });
const marketing = () => auth('mia', { 'x-purpose': 'marketing' });

/** A one-row read by the support agent, timed. */
async function oneRowRead(): Promise<number> {
  const t0 = performance.now();
  const r = await post(JSON.stringify({ query: '{ customer(id: "cus_0001") { fullName } }' }), auth('alice', { 'x-purpose': 'customer-support', 'x-task-id': 'tsk_support_alice' }));
  expect(r.status).toBe(200);
  expect(r.json.data.customer.fullName).toEqual(expect.any(String));
  return performance.now() - t0;
}

/** Sends the bad request and, at the same time, the other persona's one-row read; both must answer, the read fast. */
async function whileServing(bad: () => Promise<Answer>): Promise<Answer> {
  const [answer, ms] = await Promise.all([bad(), (async () => {
    await new Promise((r) => setTimeout(r, 5)); // let the bad request start first
    return oneRowRead();
  })()]);
  expect(ms).toBeLessThan(3000);
  return answer;
}

function expectError(a: Answer, status: number, code: string): any {
  expect(a.status).toBe(status);
  expect(a.json?.errors?.[0]?.extensions?.code).toBe(code);
  expect(a.json.data ?? null).toBeNull();
  return a.json.errors[0];
}

/** Nothing of the request in the log, nor in the answer; nothing through console.error. */
function expectNoEcho(a: Answer, ...values: string[]): void {
  for (const v of [CARD, MARKER, ...values]) {
    expect(a.text).not.toContain(v);
    expect(lines.join('\n')).not.toContain(v);
  }
  expect(consoleError).not.toHaveBeenCalled();
}

describe('operation limits: QUERY_TOO_COMPLEX before any resolver', () => {
  it('200 aliases of a large list (marketing token)', async () => {
    const query = `query Greedy { ${Array.from({ length: 200 }, (_, i) => `a${i}: customers(first: 200) { edges { node { fullName email } } }`).join(' ')} }`;
    const a = await whileServing(() => post(JSON.stringify({ query, operationName: 'Greedy', variables: { unused: `${MARKER} ${CARD}` } }), marketing()));
    const e = expectError(a, 400, 'QUERY_TOO_COMPLEX');
    expect(e.extensions).toMatchObject({ limit: 'aliases', max: 30 });
    expectNoEcho(a);
    const logged = await logEntries(app, { operationName: 'Greedy' });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ subjectType: 'Operation', decision: 'denied', code: 'QUERY_TOO_COMPLEX' });
  });

  it('1,500 aliased introspection selections without a token', async () => {
    const query = `query Introspect { ${Array.from({ length: 1500 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`;
    const before = (await logEntries(app, { code: 'QUERY_TOO_COMPLEX' })).length;
    const a = await whileServing(() => post(JSON.stringify({ query, operationName: 'Introspect' })));
    expect((await logEntries(app, { code: 'QUERY_TOO_COMPLEX' })).length).toBe(before + 1); // recorded, though parsing stopped
    expect(expectError(a, 400, 'QUERY_TOO_COMPLEX').extensions).toMatchObject({ limit: 'tokens', max: 5000 });
    expect(a.text.length).toBeLessThan(2000);
    expectNoEcho(a);
  });

  it('10,000 @include directives (stopped by the token limit), and 60 directives (by the directive limit)', async () => {
    const many = `{ ${Array.from({ length: 10_000 }, () => '__typename @include(if: true)').join(' ')} }`;
    const a = await whileServing(() => post(JSON.stringify({ query: many }), marketing()));
    expect(expectError(a, 400, 'QUERY_TOO_COMPLEX').extensions).toMatchObject({ limit: 'tokens' });
    const some = `{ myPurposes { id ${Array.from({ length: 60 }, () => '@include(if: true)').join(' ')} } }`;
    const b = await post(JSON.stringify({ query: some }), marketing());
    expect(expectError(b, 400, 'QUERY_TOO_COMPLEX').extensions).toMatchObject({ limit: 'directives', max: 50 });
    expectNoEcho(a);
  });

  it('a 900 KB query of one field repeated', async () => {
    const query = `{ ${'__typename '.repeat(Math.floor(900_000 / 11))}}`;
    expect(query.length).toBeGreaterThan(890_000);
    const a = await whileServing(() => post(JSON.stringify({ query }), marketing()));
    expect(expectError(a, 400, 'QUERY_TOO_COMPLEX').extensions).toMatchObject({ limit: 'tokens', max: 5000 });
  });

  it('rows over the cap in one request, and cost', async () => {
    const rows = await post(JSON.stringify({ query: `query Rows { a: customers(first: 600) { edges { node { fullName } } } b: customers(first: 600) { edges { node { fullName } } } }`, operationName: 'Rows' }), marketing());
    expect(expectError(rows, 400, 'QUERY_TOO_COMPLEX').extensions).toMatchObject({ limit: 'rows', max: 1000 });
    const logged = await logEntries(app, { operationName: 'Rows' });
    expect(logged.map((e) => e.subjectType)).toEqual(['Operation']); // no customer was read: no resolver ran
    const fields = Array.from({ length: 25 }, () => 'fullName email segment loyaltyTier preferences').join(' ');
    const cost = await post(JSON.stringify({ query: `{ customers(first: 900) { edges { node { ${fields} } } } }` }), marketing());
    expect(expectError(cost, 400, 'QUERY_TOO_COMPLEX').extensions).toMatchObject({ limit: 'cost', max: 20000 });
  });
});

describe('bodies that are not a GraphQL request: BAD_REQUEST, GraphQL-shaped, nothing echoed or logged', () => {
  it('a 2 MB body: 413', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: `${MARKER} ${CARD} `.repeat(60_000) } });
    expect(body.length).toBeGreaterThan(2_000_000);
    const a = await whileServing(() => post(body, marketing()));
    expect(expectError(a, 413, 'BAD_REQUEST').message).toMatch(/larger than the limit of 1048576 bytes/);
    expectNoEcho(a);
  });

  it('malformed JSON with a card number inside', async () => {
    const body = `{"query":"mutation { updateCustomer(id: \\"cus_0001\\", input: { paymentCard: { number: \\"${CARD}\\", expiryMonth: 1, expiryYear: 2030 } }) { id } }"} trailing ${MARKER}`;
    const a = await whileServing(() => post(body, auth('bob', { 'x-purpose': 'billing', 'x-task-id': 'tsk_billing_bob' })));
    expect(expectError(a, 400, 'BAD_REQUEST').message).toMatch(/not valid JSON/);
    expect(a.headers.get('content-type')).toMatch(/application\/json/);
    expectNoEcho(a);
  });

  it('a JSON array of 50 operations', async () => {
    const body = JSON.stringify(Array.from({ length: 50 }, () => ({ query: `{ customers(first: 1, filter: { search: "${MARKER}" }) { totalCount } }` })));
    const a = await whileServing(() => post(body, marketing()));
    expect(expectError(a, 400, 'BAD_REQUEST').message).toMatch(/Batched operations are not supported/);
    expectNoEcho(a);
  });

  it('a body of null, a string, a wrong shape and a wrong content type', async () => {
    expect(expectError(await post('null', marketing()), 400, 'BAD_REQUEST').message).toMatch(/not valid JSON|JSON object/);
    expect(expectError(await post(`"${MARKER}"`, marketing()), 400, 'BAD_REQUEST').message).toMatch(/not valid JSON|JSON object/);
    expectError(await post(JSON.stringify({ query: 42, variables: MARKER }), marketing()), 400, 'BAD_REQUEST');
    const wrongType = await post(`query=${MARKER}`, { ...marketing(), 'content-type': 'text/plain' });
    expect(expectError(wrongType, 400, 'BAD_REQUEST').message).toMatch(/Content-Type: application\/json/);
    expectNoEcho(wrongType);
  });
});

describe('tokens: UNAUTHENTICATED, HTTP 401', () => {
  const sign = (payload: Record<string, unknown>) => jwt.sign({ kind: 'staff', roles: ['marketing-specialist'], sub: 'mia', iss: ISSUER, aud: AUDIENCE, ...payload }, app.config.jwtSecret, { algorithm: 'HS256' });
  const read = (token: string) => post(JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }), { authorization: `Bearer ${token}`, 'x-purpose': 'marketing' });
  const now = () => Math.floor(Date.now() / 1000);

  it('the personas\' default tokens carry the configured iss and aud and pass', async () => {
    const a = await read(app.tokens.mia);
    expect(a.status).toBe(200);
    expect(a.json.data.customers.totalCount).toBeGreaterThan(0);
  });

  it('exp 10^15', async () => {
    const a = await whileServing(() => read(sign({ iat: now(), exp: 1e15 })));
    expect(expectError(a, 401, 'UNAUTHENTICATED').message).toMatch(/lives longer than the maximum of 43200 seconds/);
  });

  it('iat in the future', async () => {
    const a = await whileServing(() => read(sign({ iat: now() + 7200, exp: now() + 7300 })));
    expect(expectError(a, 401, 'UNAUTHENTICATED').message).toMatch(/issued in the future/);
  });

  it('wrong aud, and wrong iss', async () => {
    const a = await whileServing(() => read(sign({ aud: 'another-service', exp: now() + 600 })));
    expect(expectError(a, 401, 'UNAUTHENTICATED').message).toMatch(/audience \("aud" claim\)/);
    const b = await read(sign({ iss: 'https://elsewhere.test', exp: now() + 600 }));
    expect(expectError(b, 401, 'UNAUTHENTICATED').message).toMatch(/issuer \("iss" claim\)/);
    const token = sign({ aud: 'another-service', exp: now() + 600 });
    expect(lines.join('\n')).not.toContain(token.split('.')[2]);
  });
});

describe('introspection and operation types', () => {
  const introspection = JSON.stringify({ query: '{ __schema { queryType { name } } }' });

  it('introspection of /graphql and /self/graphql needs a valid token of that audience (401 without)', async () => {
    expectError(await post(introspection), 401, 'UNAUTHENTICATED');
    expectError(await post(introspection, {}, '/self/graphql'), 401, 'UNAUTHENTICATED');
    expectError(await post(introspection, auth('customer')), 401, 'UNAUTHENTICATED'); // a customer token on the staff endpoint
    expect((await post(introspection, auth('mia'))).json.data.__schema.queryType.name).toBe('Query');
    expect((await post(introspection, auth('customer'), '/self/graphql')).json.data.__schema.queryType.name).toBe('Query');
    expect((await post(JSON.stringify({ query: '{ __typename }' }))).json.data.__typename).toBe('Query');
  });

  it('the partner endpoint keeps its rule: no schema at all without a partner token', async () => {
    expectError(await post(introspection, {}, '/partner/graphql'), 401, 'UNAUTHENTICATED');
    expect((await post(introspection, auth('shipfast'), '/partner/graphql')).json.data.__schema.queryType.name).toBe('Query');
  });

  it('a subscription, and a mutation on the partner schema, are validation errors', async () => {
    const sub = await post(JSON.stringify({ query: 'subscription { myPurposes { id } }' }), marketing());
    expect(sub.status).toBe(400);
    expect(sub.json.errors[0]).toMatchObject({ message: 'This endpoint does not support subscription operations (it serves: query, mutation)', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const mut = await post(JSON.stringify({ query: 'mutation { closeTask(id: "tsk_x") { id } }' }), auth('shipfast', { 'x-purpose': 'order-fulfilment' }), '/partner/graphql');
    expect(mut.status).toBe(400);
    expect(mut.json.errors[0]).toMatchObject({ message: 'This endpoint does not support mutation operations (it serves: query)', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});

describe('rate limits: RATE_LIMITED, HTTP 429, Retry-After', () => {
  it('1,000 requests in a burst from one token: the excess refused, others still served fast', async () => {
    const body = JSON.stringify({ query: '{ myPurposes { id } }' });
    const headers = auth('dan', { 'x-purpose': 'analytics' });
    const statuses: number[] = [];
    let refused: Answer | null = null;
    const burst = async () => {
      for (let wave = 0; wave < 20; wave++) {
        const answers = await Promise.all(Array.from({ length: 50 }, () => post(body, headers)));
        for (const a of answers) {
          statuses.push(a.status);
          if (a.status === 429) refused ??= a;
        }
      }
    };
    const [, ms] = await Promise.all([burst(), (async () => {
      await new Promise((r) => setTimeout(r, 200));
      return oneRowRead();
    })()]);
    expect(ms).toBeLessThan(3000);
    expect(statuses).toHaveLength(1000);
    expect(statuses.filter((s) => s === 200)).toHaveLength(300); // analytics: requestsPerMinute 300 (policies/purposes.yaml)
    expect(statuses.filter((s) => s === 429)).toHaveLength(700);
    const e = expectError(refused!, 429, 'RATE_LIMITED');
    expect(e.extensions).toMatchObject({ limit: 'requests', max: 300, purpose: 'analytics' });
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another purpose of another principal is unaffected; the refusals were not written to the access log.
    expect((await post(body, auth('pat', { 'x-purpose': 'audit' }))).status).toBe(200);
    expect(await logEntries(app, { code: 'RATE_LIMITED' })).toEqual([]);
  });
});

describe('the access log is only ever inserted into (so an insert-only database role suffices; docs/security.md)', () => {
  it('reads, writes, refusals and the audit read send no command but insert and find to the accessLog collection', async () => {
    const client = app.running.services.conn.getClient();
    const commands: string[] = [];
    const on = (e: { commandName: string; command: Record<string, unknown> }) => {
      const target = e.command[e.commandName];
      if (target === 'accessLog') commands.push(e.commandName);
    };
    client.on('commandStarted', on);
    try {
      const support = auth('alice', { 'x-purpose': 'customer-support', 'x-task-id': 'tsk_support_alice' });
      expect((await post(JSON.stringify({ query: '{ customer(id: "cus_0001") { fullName email } }' }), support)).status).toBe(200);
      const write = await post(JSON.stringify({ query: 'mutation { updateCustomer(id: "cus_0001", input: { email: "renamed@example.test" }) { id } }' }), support);
      expect(write.json.errors?.map((e: any) => e.extensions.code)).toBeUndefined();
      expectError(await post(JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }), auth('mia')), 200, 'PURPOSE_REQUIRED');
      expectError(await post(JSON.stringify({ query: '{ x }' }), marketing()), 400, 'GRAPHQL_VALIDATION_FAILED');
      const audit = await post(JSON.stringify({ query: '{ accessLog(first: 5) { edges { node { id decision } } } }' }), auth('pat', { 'x-purpose': 'audit' }));
      expect(audit.json.data.accessLog.edges.length).toBeGreaterThan(0);
    } finally {
      client.off('commandStarted', on);
    }
    expect(commands).toContain('insert');
    expect([...new Set(commands)].filter((c) => c !== 'insert' && c !== 'find' && c !== 'aggregate')).toEqual([]);
  });
});

describe('values never echoed: a card number through every scalar and enum (variables and literals)', () => {
  const support = () => auth('alice', { 'x-purpose': 'customer-support', 'x-task-id': 'tsk_support_alice' });
  const cases: Array<{ name: string; path?: string; query: string; variables?: Record<string, unknown>; headers: () => Record<string, string>; code: string; message: string }> = [
    { name: 'Int variable', query: 'query Q($n: Int) { customers(first: $n) { totalCount } }', variables: { n: Number(CARD) }, headers: marketing, code: 'BAD_USER_INPUT', message: 'Invalid value for "$n": must be an integer between -2147483648 and 2147483647' },
    { name: 'Int literal', query: `{ customers(first: ${CARD}) { totalCount } }`, headers: marketing, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Expected value of type "Int": must be an integer between -2147483648 and 2147483647.' },
    { name: 'Int in an input object', query: 'mutation M($i: UpdateCustomerInput!) { updateCustomer(id: "cus_0001", input: $i) { id } }', variables: { i: { paymentCard: { number: CARD, expiryMonth: CARD, expiryYear: 2030 } } }, headers: () => auth('bob', { 'x-purpose': 'billing', 'x-task-id': 'tsk_billing_bob' }), code: 'BAD_USER_INPUT', message: 'Invalid value for "$i.paymentCard.expiryMonth": must be an integer between -2147483648 and 2147483647' },
    { name: 'ID variable', query: 'query Q($id: ID!) { customer(id: $id) { id } }', variables: { id: { card: CARD } }, headers: support, code: 'BAD_USER_INPUT', message: 'Invalid value for "$id": must be a string or an integer' },
    { name: 'ID literal', query: `{ customer(id: ${CARD}.5) { id } }`, headers: support, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Expected value of type "ID": must be a string or an integer.' },
    { name: 'String variable given a list', query: 'query Q($s: String) { customers(first: 1, filter: { search: $s }) { totalCount } }', variables: { s: [CARD] }, headers: marketing, code: 'BAD_USER_INPUT', message: 'Invalid value for "$s": must be a string' },
    { name: 'Boolean variable', path: '/self/graphql', query: 'mutation M($c: Boolean!) { leaveProgram(confirm: $c) { status } }', variables: { c: CARD }, headers: () => auth('customer'), code: 'BAD_USER_INPUT', message: 'Invalid value for "$c": must be true or false' },
    { name: 'Boolean literal', path: '/self/graphql', query: `mutation { leaveProgram(confirm: ${CARD}) { status } }`, headers: () => auth('customer'), code: 'GRAPHQL_VALIDATION_FAILED', message: 'Expected value of type "Boolean": must be true or false.' },
    { name: 'enum variable', query: 'mutation M($ch: VerificationChannel!) { startVerification(channel: $ch, customerId: "cus_0001") { channel } }', variables: { ch: CARD }, headers: () => auth('vera', { 'x-purpose': 'identity-verification', 'x-task-id': 'tsk_verify_vera' }), code: 'BAD_USER_INPUT', message: 'Invalid value for "$ch": must be one of the values of enum "VerificationChannel"' },
    { name: 'enum literal', query: `mutation { startVerification(channel: CARD_${CARD}, customerId: "cus_0001") { channel } }`, headers: () => auth('vera', { 'x-purpose': 'identity-verification' }), code: 'GRAPHQL_VALIDATION_FAILED', message: 'Expected value of type "VerificationChannel": must be one of the values of enum "VerificationChannel".' },
    { name: 'enum given as a string literal', query: `mutation { startVerification(channel: "${CARD}", customerId: "cus_0001") { channel } }`, headers: () => auth('vera', { 'x-purpose': 'identity-verification' }), code: 'GRAPHQL_VALIDATION_FAILED', message: 'Expected value of type "VerificationChannel": must be one of the values of enum "VerificationChannel".' },
    { name: 'unknown input field named like a card', query: 'mutation M($i: UpdateCustomerInput!) { updateCustomer(id: "cus_0001", input: $i) { id } }', variables: { i: { [`x${CARD}`]: 1 } }, headers: support, code: 'BAD_USER_INPUT', message: 'Invalid value for "$i": has a field that type "UpdateCustomerInput" does not define' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const a = await post(JSON.stringify({ query: c.query, variables: c.variables }), c.headers(), c.path);
      expect(a.json.errors?.[0]?.extensions?.code).toBe(c.code);
      expect(a.json.errors[0].message).toBe(c.message);
      expect(a.status).toBe(400);
      expectNoEcho(a);
      expect(a.text).not.toMatch(/4111/);
    });
  }
});
