import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, plainCustomer } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntry } from '../support/log';
import { systemWrite } from '../../src/core/writeScope';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

const self = (query: string, variables?: Record<string, unknown>, id = 'cus_0001') =>
  gql(app.url, query, { token: app.sign({ kind: 'customer', sub: id }), variables, endpoint: '/self/graphql' });
const pat = (query: string, variables?: Record<string, unknown>, task = 'tsk_privacy_pat') =>
  gql(app.url, query, { token: app.tokens.pat, purpose: 'privacy-request', task, variables });
const REQUEST = 'mutation($f: String!, $v: String!, $n: String) { requestCorrection(field: $f, proposedValue: $v, note: $n) { id field proposedValue note status decidedByRole decidedBy } }';

describe('requestCorrection (customer)', () => {
  it('an unknown field is BAD_USER_INPUT naming the field', async () => {
    const r = await self(REQUEST, { f: 'nickname', v: 'Bob' });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].extensions!.field).toBe('field');
    expect(r.errors![0].message).toContain('"nickname" is not a customer attribute');
  });

  it('a non-correctable field is BAD_USER_INPUT naming the field', async () => {
    const email = await self(REQUEST, { f: 'email', v: 'x@example.com' });
    expect(codes(email)).toEqual(['BAD_USER_INPUT']);
    expect(email.errors![0].message).toContain('"email" is not corrected by request');
    expect(email.errors![0].message).not.toContain('x@example.com');
    const segment = await self(REQUEST, { f: 'segment', v: 'enterprise' });
    expect(segment.errors![0].message).toContain('"segment" cannot be corrected by request');
  });

  it('validates the proposed value like the attribute itself, without echoing it', async () => {
    const name = await self(REQUEST, { f: 'fullName', v: 'R2D2 <script>' });
    expect(codes(name)).toEqual(['BAD_USER_INPUT']);
    expect(name.errors![0].extensions!.field).toBe('proposedValue');
    expect(name.errors![0].message).not.toContain('R2D2');
    const date = await self(REQUEST, { f: 'birthDate', v: '2190-13-45' });
    expect(codes(date)).toEqual(['BAD_USER_INPUT']);
    expect(date.errors![0].message).not.toContain('2190');
  });

  it('records a pending request the customer follows in myRequests', async () => {
    const r = await self(REQUEST, { f: 'fullName', v: '  Camille   Martin-Dubois ', n: 'Married last year' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.requestCorrection).toMatchObject({ field: 'fullName', proposedValue: 'Camille Martin-Dubois', note: 'Married last year', status: 'PENDING', decidedByRole: null });
    const mine = await self('{ myRequests { id status } }');
    expect(mine.data!.myRequests).toContainEqual({ id: r.data!.requestCorrection.id, status: 'PENDING' });
    const other = await self('{ myRequests { id } }', undefined, 'cus_0003');
    expect(other.data!.myRequests).toEqual([]);
  });
});

describe('deciding (privacy-officer, privacy-request)', () => {
  it('needs the purpose, a task, and the role', async () => {
    const q = '{ correctionRequests { id } }';
    expect(codes(await gql(app.url, q, { token: app.tokens.pat, purpose: 'privacy-request' }))).toEqual(['TASK_REQUIRED']);
    expect(codes(await gql(app.url, q, { token: app.tokens.pat, purpose: 'audit' }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app.url, q, { token: app.tokens.alice, purpose: 'privacy-request', task: 'tsk_privacy_pat' }))).toEqual(['PURPOSE_NOT_ALLOWED']);
  });

  it('approval applies the change, records who approved, and the customer sees the outcome', async () => {
    const asked = await self(REQUEST, { f: 'birthDate', v: '1985-06-07' });
    const id = asked.data!.requestCorrection.id as string;
    const list = await pat('{ correctionRequests(status: "PENDING") { id customerId field proposedValue status } }');
    expect(list.errors).toBeUndefined();
    expect(list.data!.correctionRequests).toContainEqual({ id, customerId: 'cus_0001', field: 'birthDate', proposedValue: '1985-06-07', status: 'PENDING' });

    const approved = await pat('mutation Approve($id: ID!) { approveCorrection(id: $id, note: "Checked against the passport") { status decidedBy decidedByRole decisionNote decidedAt } }', { id });
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveCorrection).toMatchObject({ status: 'APPROVED', decidedBy: 'pat', decidedByRole: 'privacy-officer', decisionNote: 'Checked against the passport' });
    const held = await plainCustomer(app, 'cus_0001');
    expect(held!.birthDate).toBe('1985-06-07');

    const log = await logEntry(app, { operationName: 'Approve', subjectType: 'Customer' });
    expect(log).toMatchObject({ subjectId: 'cus_0001', purpose: 'privacy-request', taskId: 'tsk_privacy_pat', fieldsWritten: ['birthDate'] });
    expect(log!.actor.id).toBe('pat');

    const mine = await self('{ myRequests { id status decidedByRole decidedBy decisionNote } me { birthDate birthYear } }');
    expect(mine.data!.myRequests).toContainEqual({ id, status: 'APPROVED', decidedByRole: 'privacy-officer', decidedBy: null, decisionNote: 'Checked against the passport' });
    expect(mine.data!.me).toEqual({ birthDate: '1985-06-07', birthYear: 1985 });
    const history = await self('{ myAccessHistory(first: 200) { edges { node { purpose actorRole fieldsWritten } } } }');
    expect(history.data!.myAccessHistory.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ purpose: 'privacy-request', actorRole: 'privacy-officer', fieldsWritten: ['birthDate'] });
  });

  it('rejection changes nothing on the customer; a decided request cannot be decided again', async () => {
    const before = await plainCustomer(app, 'cus_0001');
    const asked = await self(REQUEST, { f: 'fullName', v: 'Someone Else' });
    const id = asked.data!.requestCorrection.id as string;
    const rejected = await pat('mutation($id: ID!) { rejectCorrection(id: $id, note: "No supporting document") { status decidedBy } }', { id });
    expect(rejected.data!.rejectCorrection).toEqual({ status: 'REJECTED', decidedBy: 'pat' });
    const after = await plainCustomer(app, 'cus_0001');
    expect(after!.fullName).toBe(before!.fullName);
    const again = await pat('mutation($id: ID!) { approveCorrection(id: $id) { status } }', { id });
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors![0].message).toContain('already decided');
    const mine = await self('{ myRequests { id status } }');
    expect(mine.data!.myRequests).toContainEqual({ id, status: 'REJECTED' });
  });

  it('a request of a customer outside the task is FORBIDDEN and not listed', async () => {
    const asked = await self(REQUEST, { f: 'fullName', v: 'Outside Task' }, 'cus_0005');
    const id = asked.data!.requestCorrection.id as string;
    const r = await pat('mutation($id: ID!) { approveCorrection(id: $id) { status } }', { id });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    const list = await pat('{ correctionRequests { id customerId } }');
    expect(list.data!.correctionRequests.map((c: { customerId: string }) => c.customerId).every((c: string) => ['cus_0001', 'cus_0002'].includes(c))).toBe(true);
    const held = await plainCustomer(app, 'cus_0005');
    expect(held!.fullName).not.toBe('Outside Task');
  });

  it('the privacy officer still cannot write customer attributes directly', async () => {
    const r = await pat('mutation { updateCustomer(id: "cus_0001", input: { email: "new@example.com" }) { email } }');
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });
});

describe('an approved correction of what an identity check vouched for', () => {
  it('voids the identity verification of a corrected fullName, in the same write', async () => {
    const verified = { status: 'VERIFIED', method: 'ID_DOCUMENT', at: new Date(), by: 'vera', byKind: 'staff', evidenceRef: 'ev_test_1' };
    await systemWrite('test: an identity verified earlier', () =>
      app.models.customers.updateOne({ _id: 'cus_0002' }, { $set: { 'verification.identity': verified } }).exec());
    const asked = await self(REQUEST, { f: 'fullName', v: 'Arthur Corrected' }, 'cus_0002');
    expect(asked.errors).toBeUndefined();
    const approved = await pat('mutation($id: ID!) { approveCorrection(id: $id, note: "Marriage certificate") { status } }', { id: asked.data!.requestCorrection.id });
    expect(approved.data?.approveCorrection.status).toBe('APPROVED');
    const held = await plainCustomer(app, 'cus_0002');
    expect(held!.fullName).toBe('Arthur Corrected');
    expect((held as { verification?: { identity?: { status: string; byKind: string } } }).verification?.identity).toMatchObject({ status: 'UNVERIFIED', byKind: 'system' });
  });

  it('leaves the identity verification alone when the correction is rejected', async () => {
    const verified = { status: 'VERIFIED', method: 'ID_DOCUMENT', at: new Date(), by: 'vera', byKind: 'staff', evidenceRef: 'ev_test_2' };
    await systemWrite('test: an identity verified earlier', () =>
      app.models.customers.updateOne({ _id: 'cus_0002' }, { $set: { 'verification.identity': verified } }).exec());
    const asked = await self(REQUEST, { f: 'birthDate', v: '1970-02-03' }, 'cus_0002');
    await pat('mutation($id: ID!) { rejectCorrection(id: $id, note: "No document") { status } }', { id: asked.data!.requestCorrection.id });
    const held = await plainCustomer(app, 'cus_0002');
    expect((held as { verification?: { identity?: { status: string } } }).verification?.identity?.status).toBe('VERIFIED');
  });
});
