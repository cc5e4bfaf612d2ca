import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erasureModel, erasureRef, erasureRefKey } from '../../src/erasure';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { expectedSteps, leftOf, NOTHING_LEFT, plantCustomerData } from './plant';
import { logEntries } from '../support/log';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

const token = (id: string) => app.sign({ kind: 'customer', sub: id });
const self = (query: string, id: string, variables?: Record<string, unknown>) =>
  gql(app.url, query, { token: token(id), variables, endpoint: '/self/graphql' });
const RECEIPT = '{ reference status requestedAt completedAt requestedBy reason steps { name count detail { store count } } }';
const pat = (query: string, variables?: Record<string, unknown>) =>
  gql(app.url, query, { token: app.tokens.pat, purpose: 'privacy-request', task: 'tsk_privacy_pat', variables });

describe('leaveProgram', () => {
  it('confirm: false is BAD_USER_INPUT and erases nothing', async () => {
    const r = await self('mutation { leaveProgram(confirm: false) { status } }', 'cus_0001');
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].extensions!.field).toBe('confirm');
    expect(await app.models.customers.exists({ _id: 'cus_0001' })).not.toBeNull();
  });

  it('erases the customer from every store, keeps only a receipt without personal data, and keeps the access log', async () => {
    const id = 'cus_0001';
    const held = await app.models.customers.findById(id).lean().exec();
    const seen = await self('query Look { me { fullName email } }', id);
    expect(seen.errors).toBeUndefined();
    const planted = await plantCustomerData(app, id);

    const r = await self(`mutation Leave { leaveProgram(confirm: true) ${RECEIPT} }`, id);
    expect(r.errors).toBeUndefined();
    const receipt = r.data!.leaveProgram;
    expect(receipt).toMatchObject({ status: 'DONE', requestedBy: 'customer', reason: 'the customer left the program' });
    expect(receipt.reference).toBe(erasureRef(erasureRefKey(app.config.jwtSecret), id));
    expect(receipt.steps.map((s: { name: string; count: number }) => ({ name: s.name, count: s.count }))).toEqual(expectedSteps(planted));
    // One step per store a capability declared, each with its own count.
    expect(receipt.steps.find((s: { name: string }) => s.name === 'erase:outbox').count).toBe(planted.outbox);
    expect(receipt.steps.find((s: { name: string }) => s.name === 'erase:verificationCodes').count).toBe(planted.verificationCodes);

    expect(await leftOf(app, id)).toEqual(NOTHING_LEFT);
    const record = await erasureModel(app.running.services.conn).findById(receipt.reference).lean().exec();
    const text = JSON.stringify(record);
    for (const personal of [id, held!.fullName, held!.email!, held!.phone!, 'Jeanne Planted']) expect(text).not.toContain(personal);
    expect(record).not.toHaveProperty('customerId');

    const logs = await logEntries(app, { subjectId: id });
    expect(logs.some((l) => l.operationName === 'Look')).toBe(true);
    expect(logs.find((l) => l.operationName === 'Leave')).toMatchObject({ fieldsWritten: ['erasure'], purpose: 'self-service' });
  });

  it('the erased customer\'s token is UNAUTHENTICATED everywhere, exportMyData included', async () => {
    expect(codes(await self('mutation { exportMyData }', 'cus_0001'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await self('{ me { id } }', 'cus_0001'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await self('mutation { leaveProgram(confirm: true) { status } }', 'cus_0001'))).toEqual(['UNAUTHENTICATED']);
  });

  it('staff no longer find the customer', async () => {
    const r = await gql(app.url, '{ customer(id: "cus_0001") { fullName } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });

  it('exportMyData right after leaving is UNAUTHENTICATED', async () => {
    const id = 'cus_0006';
    const left = await self('mutation { leaveProgram(confirm: true) { status } }', id);
    expect(left.data!.leaveProgram.status).toBe('DONE');
    expect(codes(await self('mutation { exportMyData }', id))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('eraseCustomer (privacy-officer, privacy-request)', () => {
  it('runs the same procedure, names the role (never the staff id), and is idempotent', async () => {
    const id = 'cus_0002';
    const planted = await plantCustomerData(app, id);
    const r = await pat(`mutation Erase($id: ID!) { eraseCustomer(id: $id, reason: "Subject erasure request, ticket 42") ${RECEIPT} }`, { id });
    expect(r.errors).toBeUndefined();
    const receipt = r.data!.eraseCustomer;
    expect(receipt).toMatchObject({ status: 'DONE', requestedBy: 'privacy-officer', reason: 'Subject erasure request, ticket 42' });
    expect(receipt.steps.map((s: { name: string; count: number }) => ({ name: s.name, count: s.count }))).toEqual(expectedSteps(planted));
    expect(JSON.stringify(await erasureModel(app.running.services.conn).findById(receipt.reference).lean().exec())).not.toContain('pat');
    expect(await leftOf(app, id)).toEqual(NOTHING_LEFT);

    // The erasure took the id out of the officer's task, so the same task no longer covers it:
    const sameTask = await pat(`mutation($id: ID!) { eraseCustomer(id: $id, reason: "Asked twice by mistake") ${RECEIPT} }`, { id });
    expect(codes(sameTask)).toEqual(['FORBIDDEN']);
    // a new rights-request task for that id gets the existing receipt back (nothing is erased twice).
    const opened = await gql(app.url, `mutation { openTask(input: { purpose: "privacy-request", customerIds: ["${id}"], assigneeIds: ["pat"] }) { id } }`, { token: app.tokens.sam, purpose: 'task-management' });
    expect(opened.errors).toBeUndefined();
    const again = await gql(app.url, `mutation($id: ID!) { eraseCustomer(id: $id, reason: "Was it erased?") ${RECEIPT} }`, {
      token: app.tokens.pat, purpose: 'privacy-request', task: opened.data!.openTask.id, variables: { id },
    });
    expect(again.errors).toBeUndefined();
    expect(again.data!.eraseCustomer).toEqual(receipt);
    expect(codes(await self('{ me { id } }', id))).toEqual(['UNAUTHENTICATED']);
  });

  it('a customer outside the task is FORBIDDEN and untouched', async () => {
    const r = await pat('mutation { eraseCustomer(id: "cus_0007", reason: "Not in my task") { status } }');
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(await app.models.customers.exists({ _id: 'cus_0007' })).not.toBeNull();
  });

  it('a reason carrying personal data is BAD_USER_INPUT, without echoing it', async () => {
    const r = await pat('mutation { eraseCustomer(id: "cus_0002", reason: "asked by jane.doe@example.com") { status } }');
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].message).not.toContain('jane.doe');
  });

  it('other roles and purposes may not erase', async () => {
    expect(codes(await gql(app.url, 'mutation { eraseCustomer(id: "cus_0003", reason: "cleanup") { status } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app.url, 'mutation { eraseCustomer(id: "cus_0003", reason: "cleanup") { status } }', { token: app.tokens.pat, purpose: 'audit' }))).toEqual(['FORBIDDEN']);
    expect(await app.models.customers.exists({ _id: 'cus_0003' })).not.toBeNull();
  });
});
