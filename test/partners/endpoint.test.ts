/**
 * POST /partner/graphql over real HTTP on the embedded store, with the generated typed documents:
 * what shipfast can read within its task, what it is refused, and who is refused at the door.
 */
import { getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/logger';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { MyTasksDocument, ParcelDocument, ParcelsDocument, TaskDocument } from '../operations/generated/partner-shipfast';
import { AccessLogOfActorDocument, CustomerContactDocument, OpenTaskDocument } from '../operations/generated/staff';
import { IN_TASK, OUTSIDE_TASK, send, SHIPFAST } from './client';
import { logEntries, logEntry } from '../support/log';

let app: TestApp;
const logLines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;
beforeAll(async () => {
  app = await startTestApp();
  restoreSink = setLogSink((line) => logLines.push(line));
});
afterAll(async () => {
  setLogSink(restoreSink);
  await app.stop();
});

const asShipfast = () => ({ ...SHIPFAST, token: app.tokens.shipfast });

describe('shipfast within its task', () => {
  it('lists its open tasks, with only the task fields its agreement names', async () => {
    const r = await send(app.url, MyTasksDocument, {}, asShipfast());
    expect(r.errors).toBeUndefined();
    expect(r.data!.myTasks.map((t) => t.id)).toEqual(['tsk_fulfil_shipfast']);
    expect(r.data!.myTasks[0]!.customerIds).toEqual(IN_TASK);
  });

  it("reads a task customer's name, phone and address", async () => {
    const r = await send(app.url, ParcelDocument, { id: IN_TASK[0]! }, asShipfast());
    expect(r.errors).toBeUndefined();
    const c = r.data!.customer!;
    expect(c.id).toBe(IN_TASK[0]);
    expect(c.fullName).toEqual(expect.any(String));
    expect(c.phone).toMatch(/^\+\d+$/);
    expect(c.address?.city).toEqual(expect.any(String));
  });

  it("lists exactly the task's customers", async () => {
    const r = await send(app.url, ParcelsDocument, { first: 50 }, asShipfast());
    expect(r.errors).toBeUndefined();
    expect(r.data!.customers.totalCount).toBe(IN_TASK.length);
    expect(r.data!.customers.edges.map((e) => e.node.id)).toEqual(IN_TASK);
  });

  it('gets FORBIDDEN for a customer outside its task (the same as for one that does not exist)', async () => {
    for (const id of [OUTSIDE_TASK, 'cus_9999999']) {
      const r = await send(app.url, ParcelDocument, { id }, asShipfast());
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.data?.customer).toBeNull();
    }
  });

  it('gets FORBIDDEN for a task that is not its own', async () => {
    const r = await send(app.url, TaskDocument, { id: 'tsk_support_alice' }, asShipfast());
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });

  it('acts only for the purposes its agreement allows, and only with a task assigned to it', async () => {
    const otherPurpose = await send(app.url, ParcelDocument, { id: IN_TASK[0]! }, { ...asShipfast(), purpose: 'customer-support' });
    expect(codes(otherPurpose)).toEqual(['PURPOSE_NOT_ALLOWED']);
    const noTask = await send(app.url, ParcelDocument, { id: IN_TASK[0]! }, { ...asShipfast(), task: undefined });
    expect(codes(noTask)).toEqual(['TASK_REQUIRED']);
    const notItsTask = await send(app.url, ParcelDocument, { id: IN_TASK[0]! }, { ...asShipfast(), task: 'tsk_support_alice' });
    expect(codes(notItsTask)).toEqual(['TASK_INVALID']);
  });

  it('gains a customer only when a supervisor assigns a task with it to partner:shipfast', async () => {
    const before = await send(app.url, ParcelDocument, { id: OUTSIDE_TASK }, asShipfast());
    expect(codes(before)).toEqual(['FORBIDDEN']);
    const opened = await send(
      app.url,
      OpenTaskDocument,
      { input: { purpose: 'order-fulfilment', customerIds: [OUTSIDE_TASK], assigneeIds: ['partner:shipfast'], note: 'One parcel' } },
      { token: app.tokens.sam, purpose: 'task-management' },
    );
    expect(opened.errors).toBeUndefined();
    const task = opened.data!.openTask.id;
    const r = await send(app.url, ParcelDocument, { id: OUTSIDE_TASK }, { ...asShipfast(), task });
    expect(r.errors).toBeUndefined();
    expect(r.data!.customer!.id).toBe(OUTSIDE_TASK);
    // The new task does not widen the old one.
    const old = await send(app.url, ParcelDocument, { id: OUTSIDE_TASK }, asShipfast());
    expect(codes(old)).toEqual(['FORBIDDEN']);
  });

  it('records the partner on every access-log entry of its requests', async () => {
    await send(app.url, ParcelDocument, { id: IN_TASK[1]! }, asShipfast());
    const entries = await logEntries(app, { 'actor.id': 'sf-dispatch' });
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const e of entries) expect(e.actor).toMatchObject({ kind: 'partner', id: 'sf-dispatch', partner: 'shipfast' });
    const read = entries.find((e) => e.subjectId === IN_TASK[1] && e.fieldsRead.includes('phone'));
    expect(read?.fieldsRead).toEqual(['address.city', 'address.country', 'address.postalCode', 'address.street', 'fullName', 'id', 'phone']);
    expect(read?.taskId).toBe('tsk_fulfil_shipfast');

    // The privacy officer sees the same through the staff API.
    const r = await send(app.url, AccessLogOfActorDocument, { actorId: 'sf-dispatch', first: 100 }, { token: app.tokens.pat, purpose: 'audit' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.accessLog.totalCount).toBe(entries.length);
    for (const { node } of r.data!.accessLog.edges) expect(node.actor.partner).toBe('shipfast');
  });
});

describe('schema seen by shipfast', () => {
  it('refuses a hidden field with a validation error that suggests nothing', async () => {
    const queries = [
      '{ customer(id: "cus_0009") { email } }', // hidden attribute
      '{ customer(id: "cus_0009") { emai } }', // near a hidden name
      '{ customer(id: "cus_0009") { fullNam } }', // near a visible name
      '{ customer(id: "cus_0009") { ... on PaymentCard { last4 } } }', // hidden type
      '{ customers(filtr: { search: "A" }) { totalCount } }', // argument typo
      '{ accessLog { totalCount } }', // hidden operation
    ];
    for (const q of queries) {
      const r = await gql(app.url, q, asShipfast());
      expect(codes(r), q).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(r.errors![0]!.message, q).not.toMatch(/did you mean/i);
      expect(r.data, q).toBeUndefined();
    }
    // Each refusal is recorded like any denial, under the partner, with the rule that refused it.
    const refused = await logEntries(app, { 'actor.partner': 'shipfast', code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(refused.length).toBeGreaterThanOrEqual(queries.length);
    expect(refused[0]).toMatchObject({ decision: 'denied', purpose: 'order-fulfilment', subjectType: 'Operation' });
    expect(refused[0]!.reason).toMatch(/does not validate/);
  });

  it('suggests nothing for a mistyped input field either', async () => {
    const r = await send(app.url, ParcelsDocument, { first: 5, filter: { segmen: 'gold' } as never }, asShipfast());
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.message).not.toMatch(/did you mean|segment/i);
  });

  it('has no hidden types in introspection', async () => {
    for (const name of ['PaymentCard', 'Health', 'AccessLogEntry', 'Consent', 'UpdateCustomerInput', 'FieldPermission']) {
      const r = await gql(app.url, `{ __type(name: "${name}") { name } }`, asShipfast());
      expect(r.errors, name).toBeUndefined();
      expect(r.data!.__type, name).toBeNull();
    }
  });

  it('is the same schema as schema/partner-shipfast.graphql describes (introspection answers without a task)', async () => {
    const r = await gql<IntrospectionQuery>(app.url, getIntrospectionQuery(), { endpoint: SHIPFAST.endpoint, token: app.tokens.shipfast });
    expect(r.errors).toBeUndefined();
    const names = r.data!.__schema.types.map((t) => t.name).filter((n) => !n.startsWith('__')).sort();
    expect(names).toEqual(['Address', 'Boolean', 'Customer', 'CustomerConnection', 'CustomerEdge', 'CustomerFilter', 'DateTimeISO', 'ID', 'Int', 'PageInfo', 'PurposeInfo', 'Query', 'String', 'Task', 'TaskStatus']);
    expect(r.data!.__schema.mutationType).toBeNull();
  });
});

describe('who is refused at the door', () => {
  const CONTACT = { id: IN_TASK[0]! };

  it('refuses a partner token on /graphql', async () => {
    const r = await send(app.url, CustomerContactDocument, CONTACT, { token: app.tokens.shipfast, purpose: 'order-fulfilment', task: SHIPFAST.task });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.errors![0]!.message).toMatch(/staff tokens, not partner tokens/);
    expect(r.data?.customer ?? null).toBeNull();
  });

  it('refuses staff and customer tokens on /partner/graphql, before any schema is shown', async () => {
    for (const token of [app.tokens.alice, app.tokens.customer]) {
      const r = await send(app.url, ParcelDocument, CONTACT, { ...SHIPFAST, token });
      expect(codes(r)).toEqual(['UNAUTHENTICATED']);
      expect(r.errors![0]!.message).toMatch(/partner tokens/);
      expect(r.data).toBeUndefined();
    }
    const introspection = await gql(app.url, getIntrospectionQuery(), { endpoint: SHIPFAST.endpoint, token: app.tokens.alice });
    expect(codes(introspection)).toEqual(['UNAUTHENTICATED']);
    expect(introspection.data).toBeUndefined();
  });

  it('refuses a request without a token', async () => {
    const r = await gql(app.url, getIntrospectionQuery(), { endpoint: SHIPFAST.endpoint });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.data).toBeUndefined();
  });

  it('answers UNAUTHENTICATED to a forged partner id: the signature no longer matches', async () => {
    const [header, , signature] = app.tokens.shipfast.split('.');
    const claims = jwt.decode(app.tokens.shipfast) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, partner: 'rivalship' })).toString('base64url');
    const forged = await send(app.url, ParcelDocument, CONTACT, { ...SHIPFAST, token: `${header}.${forgedPayload}.${signature}` });
    expect(codes(forged)).toEqual(['UNAUTHENTICATED']);
    expect(forged.data).toBeUndefined();
    const otherKey = jwt.sign({ kind: 'partner', partner: 'shipfast' }, 'not-the-gateway-secret', { algorithm: 'HS256', subject: 'sf-dispatch' });
    const r = await send(app.url, ParcelDocument, CONTACT, { ...SHIPFAST, token: otherKey });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers AGREEMENT_INACTIVE to a partner without an agreement, logs it and records it', async () => {
    const token = app.sign({ kind: 'partner', sub: 'acme-user', partner: 'acme' });
    const r = await send(app.url, ParcelDocument, CONTACT, { ...SHIPFAST, token });
    expect(codes(r)).toEqual(['AGREEMENT_INACTIVE']);
    expect(r.errors![0]!.extensions).toMatchObject({ partner: 'acme', reason: 'missing' });
    expect(r.data).toBeUndefined();
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.partner === 'acme');
    expect(logged).toMatchObject({ level: 'warn', reason: 'missing', actor: 'acme-user' });
    const recorded = await logEntry(app, { 'actor.id': 'acme-user' });
    expect(recorded).toMatchObject({ actor: { kind: 'partner', partner: 'acme' }, code: 'AGREEMENT_INACTIVE', decision: 'denied', purpose: 'order-fulfilment' });
  });
});
