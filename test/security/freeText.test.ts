/**
 * Free text (issue 10, deliverable 8): task notes, correction notes and erasure reasons refuse card
 * numbers and health terms with BAD_USER_INPUT naming the field, nothing stored or echoed; task
 * notes are in a partner's schema only when its agreement grants them. And the rate limiter's
 * rows and per-address limits, on the same real store.
 */
import { join } from 'node:path';
import type { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFreeText, holdsCardNumber, holdsHealthTerm } from '../../src/core/freeText';
import type { PolicySet, PurposeDef } from '../../src/core/policyModel';
import { setLogSink } from '../../src/logger';
import { buildPartnerSchema, PartnerRegistry } from '../../src/partners';
import { loadPolicies, mergeSpecs } from '../../src/policy';
import { CAPABILITIES } from '../../src/server/capabilities';
import { RateLimits } from '../../src/server/edge/rateLimit';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { buildStaffSchema } from '../support/schemas';

const CARD = '4111 1111 1111 1111';
let app: TestApp;
const lines: string[] = [];
let restore: ReturnType<typeof setLogSink>;
beforeAll(async () => {
  restore = setLogSink((l) => lines.push(l));
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
  setLogSink(restore);
});

function refused(r: Awaited<ReturnType<typeof gql>>, field: string, rule: RegExp): void {
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(r.errors![0].extensions!.rule).toMatch(rule);
  const text = JSON.stringify(r);
  expect(text).not.toMatch(/4111|diabet/i);
  expect(lines.join('\n')).not.toMatch(/4111|diabet/i);
}

describe('the detectors', () => {
  it('find Luhn-valid runs of 13 to 19 digits, grouped or not, and nothing else', () => {
    for (const t of ['card 4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', 'x5500005555555559y', '378282246310005']) expect(holdsCardNumber(t)).toBe(true);
    for (const t of ['4111111111111112', 'Ticket #1042', 'order 123456789012', '12345678901234567890123']) expect(holdsCardNumber(t)).toBe(false);
  });

  it('find health vocabulary as whole words, any case and accents, and leave ordinary notes alone', () => {
    for (const t of ['Diabetic customer', 'HIV positive', 'on treatment since 2019', 'Enceinte de trois mois', "sortie de l'HOPITAL", 'after surgery']) expect(holdsHealthTerm(t)).toBe(true);
    for (const t of ['Care follow-ups', 'Parcels to deliver this week', 'Ticket #1042: delivery address questions', 'sticker on the box', 'Subject access request']) expect(holdsHealthTerm(t)).toBe(false);
  });

  it('refuse with the field and the rule', () => {
    expect(() => checkFreeText(`pay with ${CARD}`, 'input.note')).toThrow('Invalid value for "input.note": must not contain a payment card number');
    expect(() => checkFreeText('diabetes', 'reason')).toThrow(/"reason": must not contain health information/);
  });
});

describe('over HTTP', () => {
  it('a task note (openTask) with a card number or a health term', async () => {
    const open = (note: string) => gql(app.url, 'mutation($n: String) { openTask(input: { purpose: "customer-support", customerIds: ["cus_0001"], assigneeIds: ["alice"], note: $n }) { id note } }', { token: app.tokens.sam, purpose: 'task-management', variables: { n: note } });
    refused(await open(`call back, card ${CARD}`), 'input.note', /payment card number/);
    refused(await open('customer is diabetic'), 'input.note', /health information/);
    const ok = await open('Call back on Monday');
    expect(ok.data?.openTask.note).toBe('Call back on Monday');
    expect(await app.models.tasks.countDocuments({ note: /4111|diabet/i })).toBe(0);
  });

  it('a correction note (requestCorrection) and a decision note', async () => {
    const ask = (note: string) => gql(app.url, 'mutation($n: String) { requestCorrection(field: "fullName", proposedValue: "Camille Martin", note: $n) { id } }', { token: app.tokens.customer, endpoint: '/self/graphql', variables: { n: note } });
    refused(await ask(`my card is ${CARD}`), 'note', /payment card number/);
    refused(await ask('Diabetes diagnosis changed my name'), 'note', /health information/);
    const asked = await ask('Married last year');
    const id = asked.data!.requestCorrection.id;
    const decide = await gql(app.url, 'mutation($id: ID!, $n: String) { rejectCorrection(id: $id, note: $n) { status } }', { token: app.tokens.pat, purpose: 'privacy-request', task: 'tsk_privacy_pat', variables: { id, n: 'see hospital records' } });
    refused(decide, 'note', /health information/);
  });

  it('an erasure reason (eraseCustomer)', async () => {
    const erase = (reason: string) => gql(app.url, 'mutation($id: ID!, $r: String!) { eraseCustomer(id: $id, reason: $r) { status } }', { token: app.tokens.pat, purpose: 'privacy-request', task: 'tsk_privacy_pat', variables: { id: 'cus_0001', r: reason } });
    refused(await erase(`refund to ${CARD}`), 'reason', /payment card number/);
    refused(await erase('customer in hospital'), 'reason', /health information/);
    expect((await app.models.customers.countDocuments({ _id: 'cus_0001' }))).toBe(1); // nothing erased
  });
});

describe('task notes in partner schemas', () => {
  const dir = join(__dirname, '../../policies');
  const agreement = PartnerRegistry.load(join(dir, 'partners'), loadPolicies(dir)).get('shipfast')!;
  const guard = mergeSpecs(CAPABILITIES.flatMap((c) => c.guards ?? [])).find((s) => s.root === 'Customer')!;
  const taskFields = (read: string[]) => Object.keys((buildPartnerSchema(buildStaffSchema(), { ...agreement, grants: { ...agreement.grants, Task: { read, update: [] } } }, guard).getType('Task') as GraphQLObjectType).getFields()).sort();

  it('are absent unless the agreement grants Task.note', () => {
    expect(taskFields(['id', 'purpose', 'status'])).toEqual(['id', 'purpose', 'status']);
    expect(taskFields(['id', 'note'])).toEqual(['id', 'note']);
  });
});

describe('rate limiter on the store (rows per minute, per address)', () => {
  const purpose = (id: string, requestsPerMinute: number, rowsPerMinute: number) => ({ id, limits: { requestsPerMinute, rowsPerMinute } }) as unknown as PurposeDef;
  const limits = () => {
    const policies = { purposes: new Map([['tiny', purpose('tiny', 100, 10)]]) } as unknown as PolicySet;
    return new RateLimits(app.running.services.conn, policies, { ...app.config, rateLimitAnonymousPerMinute: 3 });
  };
  const who = { kind: 'staff' as const, id: 'rowcounter', roles: [] };

  it('a minute over its rows refuses the next request, with the minute\'s remainder as Retry-After', async () => {
    const rl = limits();
    await rl.request(who, 'tiny');
    await rl.rows(who, 'tiny', 12);
    const err = await rl.request(who, 'tiny').then(() => null, (e) => e);
    expect(err?.code).toBe('RATE_LIMITED');
    expect(err.extensions).toMatchObject({ limit: 'rows', max: 10, purpose: 'tiny' });
    expect(err.extensions.retryAfter).toBeGreaterThanOrEqual(1);
    expect(err.extensions.retryAfter).toBeLessThanOrEqual(60);
    // Another gateway instance on the same store learns it at its first response of that minute.
    const other = limits();
    await other.rows(who, 'tiny', 1);
    expect((await other.request(who, 'tiny').then(() => null, (e) => e))?.extensions.limit).toBe('rows');
  });

  it('requests without a valid token are limited per client address, across instances', async () => {
    const a = limits();
    const b = limits();
    await a.anonymous('203.0.113.7');
    await b.anonymous('203.0.113.7');
    await a.anonymous('203.0.113.7');
    const err = await b.anonymous('203.0.113.7').then(() => null, (e) => e);
    expect(err?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'anonymous', max: 3 });
    await expect(a.anonymous('198.51.100.1')).resolves.toBeUndefined();
  });
});
