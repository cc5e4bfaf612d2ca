import type { ApolloServerPlugin } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogModel, AppendOnlyError } from '../../src/audit';
import type { RequestContext } from '../../src/core/context';
import { logEntries, logEntry } from '../support/log';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

describe('access log', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });
  const log = () => accessLogModel(app.running.services.conn);

  it('writes one record per subject touched, with who, why, task, operation, and field names only', async () => {
    const r = await gql(app.url, 'query TicketView { customers(first: 3) { edges { node { id fullName email paymentCard { last4 } } } } }', {
      token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice', operationName: 'TicketView',
    });
    expect(r.data?.customers.edges).toHaveLength(3);
    const recs = (await logEntries(app, { operationName: 'TicketView' })).sort((a, b) => String(a.subjectId).localeCompare(String(b.subjectId)));
    expect(recs.map((x) => x.subjectId)).toEqual(['cus_0001', 'cus_0002', 'cus_0003']);
    expect(new Set(recs.map((x) => x.requestId)).size).toBe(1);
    for (const rec of recs) {
      expect(rec).toMatchObject({
        actor: { kind: 'staff', id: 'alice', roles: ['support-agent'] }, purpose: 'customer-support', taskId: 'tsk_support_alice',
        subjectType: 'Customer', fieldsRead: ['email', 'fullName', 'id'], fieldsDenied: ['paymentCard'], fieldsWritten: [], decision: 'partial',
      });
    }
    const customer = await app.models.customers.findById('cus_0001').lean();
    const text = JSON.stringify(recs);
    expect(text).not.toContain(customer!.email!);
    expect(text).not.toContain(customer!.fullName);
  });

  it('records writes', async () => {
    const r = await gql(app.url, 'mutation Fix { updateCustomer(id: "cus_0003", input: { phone: "+33612345678" }) { id } }', {
      token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice',
    });
    expect(r.errors).toBeUndefined();
    const rec = await logEntry(app, { operationName: 'Fix' });
    expect(rec).toMatchObject({ subjectId: 'cus_0003', fieldsWritten: ['phone'], decision: 'allowed' });
  });

  it('is append-only: the model refuses updates and deletes', async () => {
    const model = log();
    const one = await model.findOne().exec();
    await expect(model.updateOne({}, { $set: { purpose: 'x' } })).rejects.toBeInstanceOf(AppendOnlyError);
    await expect(model.deleteMany({})).rejects.toBeInstanceOf(AppendOnlyError);
    await expect(model.findOneAndUpdate({}, { $set: { purpose: 'x' } })).rejects.toBeInstanceOf(AppendOnlyError);
    await expect(model.findOneAndDelete({})).rejects.toBeInstanceOf(AppendOnlyError);
    await expect(model.replaceOne({}, {})).rejects.toBeInstanceOf(AppendOnlyError);
    await expect(model.bulkWrite([{ deleteOne: { filter: {} } }])).rejects.toBeInstanceOf(AppendOnlyError);
    one!.purpose = 'x';
    await expect(one!.save()).rejects.toBeInstanceOf(AppendOnlyError);
    await expect(one!.deleteOne()).rejects.toBeInstanceOf(AppendOnlyError);
    expect(await model.countDocuments({ purpose: 'x' })).toBe(0);
    one!.purpose = null;
  });

  it('the privacy officer filters the log by customer, actor and purpose, and pages through it', async () => {
    for (let i = 0; i < 3; i += 1) await gql(app.url, '{ customer(id: "cus_0004") { fullName } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    const q = 'query L($c: ID, $a: String, $p: String, $after: String) { accessLog(customerId: $c, actorId: $a, purpose: $p, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id subjectId actor { id } purpose } } } }';
    const h = { token: app.tokens.pat, purpose: 'audit' };
    const p1 = await gql(app.url, q, { ...h, variables: { c: 'cus_0004', a: 'alice', p: 'customer-support' } });
    expect(p1.data?.accessLog.totalCount).toBe(3);
    expect(p1.data?.accessLog.pageInfo.hasNextPage).toBe(true);
    const p2 = await gql(app.url, q, { ...h, variables: { c: 'cus_0004', after: p1.data?.accessLog.pageInfo.endCursor } });
    expect(p2.data?.accessLog.edges).toHaveLength(1);
    const ids = [...p1.data?.accessLog.edges, ...p2.data?.accessLog.edges].map((e: any) => e.node.id);
    expect(new Set(ids).size).toBe(3);
    const bad = await gql(app.url, q, { ...h, variables: { after: 'not-a-cursor' } });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('access log unavailable', () => {
  let app: TestApp;
  let killStore = false;
  const killer: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        // Runs before the audit flush: the data was read, now the store really goes away.
        async willSendResponse() {
          if (killStore) void app.db.stop();
        },
      };
    },
  };
  beforeAll(async () => {
    app = await startTestApp({ plugins: [killer] });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('returns no data and AUDIT_UNAVAILABLE when the record cannot be written', async () => {
    const h = { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' };
    const ok = await gql(app.url, '{ customers(first: 5) { edges { node { email } } } }', h);
    expect(ok.data?.customers.edges).toHaveLength(5);
    killStore = true;
    const r = await gql(app.url, '{ customers(first: 5) { edges { node { email } } } }', h);
    expect(r.status).toBe(503);
    expect(r.data).toBeNull();
    expect(codes(r)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(JSON.stringify(r)).not.toContain('@');
  });
});
