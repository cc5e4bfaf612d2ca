import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import { BSON } from 'bson';
import { setLogSink } from '../../src/logger';
import { startTestApp, type TestApp, plainCustomer } from '../support/app';
import { codes, gql } from '../support/graphql';
import { deliveredCode, otherCode, rawDb } from './outbox';
import { logEntries } from '../support/log';

let app: TestApp;
let db: Db;
let closeDb: () => Promise<void>;
const logLines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;

beforeAll(async () => {
  app = await startTestApp();
  ({ db, close: closeDb } = await rawDb(app));
  restoreSink = setLogSink((line) => logLines.push(line));
});
afterAll(async () => {
  setLogSink(restoreSink);
  await closeDb();
  await app.stop();
});

const VERA = () => ({ token: app.tokens.vera, purpose: 'identity-verification', task: 'tsk_verify_vera' });
const ALICE = () => ({ token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
const SELF = (customerId = 'cus_0001') => ({ token: app.sign({ kind: 'customer', sub: customerId }), endpoint: '/self/graphql' });

const STATE = 'status method at by evidenceRef';
const VERIFICATION = `verification { identity { ${STATE} } email { ${STATE} } phone { ${STATE} } }`;
const START = 'mutation($id: ID!, $ch: VerificationChannel!) { startVerification(customerId: $id, channel: $ch) { channel expiresAt attemptsAllowed } }';
const CONFIRM = `mutation($id: ID!, $ch: VerificationChannel!, $code: String!) { confirmVerification(customerId: $id, channel: $ch, code: $code) { id ${VERIFICATION} } }`;
const MARK = `mutation($id: ID!, $m: String!, $ref: String!) { markIdentityVerified(customerId: $id, method: $m, evidenceRef: $ref) { id ${VERIFICATION} } }`;
const START_MY = 'mutation($ch: VerificationChannel!) { startMyVerification(channel: $ch) { channel expiresAt attemptsAllowed } }';
const CONFIRM_MY = `mutation($ch: VerificationChannel!, $code: String!) { confirmMyVerification(channel: $ch, code: $code) { id ${VERIFICATION} } }`;

/** The stored customer, its encrypted attributes decrypted. */
async function customerRaw(id: string) {
  const doc = await plainCustomer(app, id);
  if (!doc) throw new Error(`no customer ${id}`);
  return doc as unknown as { email: string; phone: string; verification?: Record<string, { status: string }> };
}

describe('one-time codes (staff: vera, identity-verification)', () => {
  it('a customer nobody verified shows every item UNVERIFIED', async () => {
    const r = await gql(app.url, `{ customer(id: "cus_0006") { ${VERIFICATION} } }`, VERA());
    expect(r.errors).toBeUndefined();
    const v = r.data?.customer.verification;
    for (const item of ['identity', 'email', 'phone']) expect(v[item]).toEqual({ status: 'UNVERIFIED', method: null, at: null, by: null, evidenceRef: null });
  });

  it('start: stores a keyed hash, queues the code encrypted without the address, logs the code (dev) but never the address', async () => {
    const { email } = await customerRaw('cus_0006');
    logLines.length = 0;
    const r = await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0006', ch: 'EMAIL' } });
    expect(r.errors).toBeUndefined();
    expect(r.data?.startVerification).toMatchObject({ channel: 'EMAIL', attemptsAllowed: 5 });
    const expiresIn = Date.parse(r.data?.startVerification.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(9 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);

    const code = await deliveredCode(app, db, 'cus_0006', 'email');
    expect(code).toMatch(/^[0-9]{6}$/);
    const codeRows = await db.collection('verificationCodes').find({ customerId: 'cus_0006' }).toArray();
    const outboxRows = await db.collection('outbox').find({ customerId: 'cus_0006' }).toArray();
    expect(codeRows).toHaveLength(1);
    expect(codeRows[0]).toMatchObject({ channel: 'email', status: 'pending', attempts: 0 });
    expect(outboxRows).toHaveLength(1);
    expect(outboxRows[0]).toMatchObject({ channel: 'email', template: 'verification-code', status: 'pending' });
    for (const row of [...codeRows, ...outboxRows]) {
      const bytes = Buffer.from(BSON.serialize(row));
      expect(bytes.includes(Buffer.from(code))).toBe(false);
      expect(bytes.includes(Buffer.from(email))).toBe(false);
    }
    const line = logLines.find((l) => l.includes('one-time code'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ customerId: 'cus_0006', channel: 'email', code });
    expect(logLines.join('\n')).not.toContain(email);
    expect((await customerRaw('cus_0006')).verification?.email.status).toBe('PENDING');
  });

  it('a wrong code counts an attempt and says how many are left; the right one verifies, once', async () => {
    const code = await deliveredCode(app, db, 'cus_0006', 'email');
    const wrong = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0006', ch: 'EMAIL', code: otherCode(code) } });
    expect(codes(wrong)).toEqual(['BAD_USER_INPUT']);
    expect(wrong.errors?.[0].extensions?.field).toBe('code');
    expect(wrong.errors?.[0].message).toContain('4 attempts left');
    expect(wrong.errors?.[0].message).not.toContain(code);

    const ok = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0006', ch: 'EMAIL', code } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.confirmVerification.verification.email).toMatchObject({ status: 'VERIFIED', method: 'one-time-code', by: 'vera' });
    expect(ok.data?.confirmVerification.verification.phone.status).toBe('UNVERIFIED');

    const again = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0006', ch: 'EMAIL', code } });
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors?.[0].message).toContain('no code is pending');
    const row = await db.collection('verificationCodes').findOne({ customerId: 'cus_0006', channel: 'email' });
    expect(row).toMatchObject({ status: 'used', attempts: 2 });
  });

  it('five wrong attempts lock the code: even the right code then fails', async () => {
    expect(codes(await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0007', ch: 'PHONE' } }))).toEqual([]);
    const code = await deliveredCode(app, db, 'cus_0007', 'phone');
    const messages: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const r = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0007', ch: 'PHONE', code: otherCode(code) } });
      messages.push(r.errors?.[0].message ?? '');
    }
    expect(messages[3]).toContain('1 attempt left');
    expect(messages[4]).toContain('no attempts left');
    const right = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0007', ch: 'PHONE', code } });
    expect(codes(right)).toEqual(['BAD_USER_INPUT']);
    expect(right.errors?.[0].message).toContain('no code is pending');
    expect(await db.collection('verificationCodes').findOne({ customerId: 'cus_0007', channel: 'phone' })).toMatchObject({ status: 'locked', attempts: 5 });
    expect((await customerRaw('cus_0007')).verification?.phone.status).toBe('PENDING');
  });

  it('an expired code fails, whatever its digits', async () => {
    expect(codes(await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0007', ch: 'EMAIL' } }))).toEqual([]);
    const code = await deliveredCode(app, db, 'cus_0007', 'email');
    await db.collection('verificationCodes').updateOne({ customerId: 'cus_0007', channel: 'email', status: 'pending' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const r = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0007', ch: 'EMAIL', code } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].message).toContain('expired');
    expect(await db.collection('verificationCodes').findOne({ customerId: 'cus_0007', channel: 'email' })).toMatchObject({ status: 'expired' });
  });

  it('a new code supersedes the previous one', async () => {
    await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0008', ch: 'EMAIL' } });
    const first = await deliveredCode(app, db, 'cus_0008', 'email');
    await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0008', ch: 'EMAIL' } });
    const rows = await db.collection('verificationCodes').find({ customerId: 'cus_0008', channel: 'email' }).toArray();
    expect(rows.map((r) => r.status).sort()).toEqual(['pending', 'superseded']);
    const second = await deliveredCode(app, db, 'cus_0008', 'email');
    if (first !== second) {
      const old = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0008', ch: 'EMAIL', code: first } });
      expect(codes(old)).toEqual(['BAD_USER_INPUT']);
    }
    const ok = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0008', ch: 'EMAIL', code: second } });
    expect(ok.data?.confirmVerification.verification.email.status).toBe('VERIFIED');
  });

  it('at most 5 codes per hour for one channel', async () => {
    const results: Array<string | undefined> = [];
    for (let i = 0; i < 4; i += 1) results.push(codes(await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0008', ch: 'PHONE' } }))[0]);
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    const fifth = await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0008', ch: 'PHONE' } });
    expect(fifth.errors).toBeUndefined();
    const sixth = await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0008', ch: 'PHONE' } });
    expect(codes(sixth)).toEqual(['BAD_USER_INPUT']);
    expect(sixth.errors?.[0].extensions).toMatchObject({ field: 'channel' });
  });

  it('a malformed code is refused before it counts', async () => {
    const r = await gql(app.url, CONFIRM, { ...VERA(), variables: { id: 'cus_0008', ch: 'PHONE', code: '12ab' } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].extensions).toMatchObject({ field: 'code', rule: 'must be the 6 digits that were sent' });
  });
});

describe('identity', () => {
  it('vera marks the identity verified with a method and an evidence reference', async () => {
    const r = await gql(app.url, MARK, { ...VERA(), variables: { id: 'cus_0006', m: 'id-document', ref: 'dms:case/2026-0042#p1' } });
    expect(r.errors).toBeUndefined();
    expect(r.data?.markIdentityVerified.verification.identity).toMatchObject({ status: 'VERIFIED', method: 'id-document', by: 'vera', evidenceRef: 'dms:case/2026-0042#p1' });
    expect(r.data?.markIdentityVerified.verification.email.status).toBe('VERIFIED');
  });

  it('an unknown method or a document instead of a reference is refused, naming the argument, not echoing it', async () => {
    const method = await gql(app.url, MARK, { ...VERA(), variables: { id: 'cus_0006', m: 'gut-feeling', ref: 'dms:1' } });
    expect(method.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'method' });
    expect(method.errors?.[0].message).not.toContain('gut-feeling');
    const blob = 'data:image/png;base64,iVBORw0KGgo';
    const doc = await gql(app.url, MARK, { ...VERA(), variables: { id: 'cus_0006', m: 'id-document', ref: blob } });
    expect(doc.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'evidenceRef' });
    expect(doc.errors?.[0].message).not.toContain('iVBOR');
    const spaces = await gql(app.url, MARK, { ...VERA(), variables: { id: 'cus_0006', m: 'id-document', ref: 'passport of Jane Doe' } });
    expect(spaces.errors?.[0].extensions).toMatchObject({ field: 'evidenceRef' });
  });
});

describe('who may verify', () => {
  it('vera cannot touch a customer outside her task: FORBIDDEN, nothing sent', async () => {
    const r = await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0009', ch: 'EMAIL' } });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(await db.collection('outbox').countDocuments({ customerId: 'cus_0009' })).toBe(0);
    const mark = await gql(app.url, MARK, { ...VERA(), variables: { id: 'cus_0009', m: 'id-document', ref: 'dms:9' } });
    expect(codes(mark)).toEqual(['FORBIDDEN']);
  });

  it('a support agent reads verification but cannot start, confirm or mark it', async () => {
    const read = await gql(app.url, `{ customer(id: "cus_0001") { ${VERIFICATION} } }`, ALICE());
    expect(read.errors).toBeUndefined();
    expect(read.data?.customer.verification.identity.status).toBe('UNVERIFIED');
    const start = await gql(app.url, START, { ...ALICE(), variables: { id: 'cus_0001', ch: 'EMAIL' } });
    expect(start.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN_FIELD', field: 'Customer.verification' });
    const mark = await gql(app.url, MARK, { ...ALICE(), variables: { id: 'cus_0001', m: 'id-document', ref: 'dms:1' } });
    expect(mark.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN_FIELD' });
    expect(await db.collection('outbox').countDocuments({ customerId: 'cus_0001' })).toBe(0);
  });

  it('a billing agent may not read verification', async () => {
    const r = await gql(app.url, '{ customers(first: 5) { edges { node { id verification { email { status } } } } } }', { token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' });
    expect(r.errors?.map((e) => e.extensions?.field)).toContain('Customer.verification');
    expect(r.data?.customers.edges[0].node.verification).toBeNull();
  });

  it('the access log records the verification writes', async () => {
    const entries = await logEntries(app, { 'actor.id': 'vera', subjectId: 'cus_0006', fieldsWritten: 'verification', write: 'committed' });
    expect(entries.length).toBeGreaterThanOrEqual(3);
  });
});

describe('self-service (/self/graphql)', () => {
  it('the customer confirms their own email; by shows "customer"', async () => {
    const start = await gql(app.url, START_MY, { ...SELF(), variables: { ch: 'EMAIL' } });
    expect(start.errors).toBeUndefined();
    const code = await deliveredCode(app, db, 'cus_0001', 'email');
    const wrong = await gql(app.url, CONFIRM_MY, { ...SELF(), variables: { ch: 'EMAIL', code: otherCode(code) } });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const ok = await gql(app.url, CONFIRM_MY, { ...SELF(), variables: { ch: 'EMAIL', code } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.confirmMyVerification.verification.email).toMatchObject({ status: 'VERIFIED', method: 'one-time-code', by: 'customer' });
  });

  it('a customer sees "staff", not the staff id, for what staff verified', async () => {
    const r = await gql(app.url, `{ myVerification { identity { ${STATE} } email { status by } } }`, SELF('cus_0006'));
    expect(r.errors).toBeUndefined();
    expect(r.data?.myVerification.identity).toMatchObject({ status: 'VERIFIED', by: 'staff', method: 'id-document' });
    expect(r.data?.myVerification.email).toEqual({ status: 'VERIFIED', by: 'staff' });
  });

  it('a code sent for one customer cannot confirm another customer', async () => {
    await gql(app.url, START, { ...VERA(), variables: { id: 'cus_0007', ch: 'EMAIL' } });
    const code = await deliveredCode(app, db, 'cus_0007', 'email');
    const r = await gql(app.url, CONFIRM_MY, { ...SELF('cus_0002'), variables: { ch: 'EMAIL', code } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect((await customerRaw('cus_0002')).verification).toBeUndefined();
  });
});

describe('changing a verified address resets it', () => {
  it('updateCustomer with a new email resets the verified email; the phone stays as it was', async () => {
    expect((await customerRaw('cus_0001')).verification?.email.status).toBe('VERIFIED');
    const r = await gql(app.url, `mutation { updateCustomer(id: "cus_0001", input: { email: "new.address@example.org" }) { id ${VERIFICATION} } }`, ALICE());
    expect(r.errors).toBeUndefined();
    expect(r.data?.updateCustomer.verification.email).toMatchObject({ status: 'UNVERIFIED', method: null, by: null });
  });

  it('setting the same address again keeps it verified', async () => {
    const start = await gql(app.url, START_MY, { ...SELF('cus_0003'), variables: { ch: 'PHONE' } });
    expect(start.errors).toBeUndefined();
    const code = await deliveredCode(app, db, 'cus_0003', 'phone');
    expect((await gql(app.url, CONFIRM_MY, { ...SELF('cus_0003'), variables: { ch: 'PHONE', code } })).errors).toBeUndefined();
    const { phone } = await customerRaw('cus_0003');
    const r = await gql(app.url, `mutation($p: String) { updateCustomer(id: "cus_0003", input: { phone: $p }) { verification { phone { status } } } }`, { ...ALICE(), variables: { p: phone } });
    expect(r.errors).toBeUndefined();
    expect(r.data?.updateCustomer.verification.phone.status).toBe('VERIFIED');
  });

  it('a code sent to the old address cannot confirm the new one', async () => {
    await gql(app.url, START_MY, { ...SELF('cus_0002'), variables: { ch: 'PHONE' } });
    const code = await deliveredCode(app, db, 'cus_0002', 'phone');
    const change = await gql(app.url, 'mutation { updateCustomer(id: "cus_0002", input: { phone: "+33612345678" }) { id } }', ALICE());
    expect(change.errors).toBeUndefined();
    expect(await db.collection('verificationCodes').findOne({ customerId: 'cus_0002', channel: 'phone' })).toMatchObject({ status: 'superseded' });
    const r = await gql(app.url, CONFIRM_MY, { ...SELF('cus_0002'), variables: { ch: 'PHONE', code } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect((await customerRaw('cus_0002')).verification?.phone.status).toBe('UNVERIFIED');
  });
});
