/**
 * A partner write end to end, under a test agreement that grants one: ParcelCo may correct a
 * recipient's phone within its delivery task. The write goes through the same write check and the
 * same write-ahead record as staff writes; what the agreement does not grant is not even in its
 * schema, and a customer outside its task is out of scope.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemWrite } from '../../src/core/writeScope';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntries } from '../support/log';
import { copyPolicies, type PolicyCopy } from '../policy/policyCopy';

const COMMITMENTS = 'ParcelCo corrects a recipient phone only to deliver a parcel of a task assigned to it.\n';
const AGREEMENT = `partner: parcelco
legalName: ParcelCo Test Carrier
agreement:
  version: "2026-01"
  signedBy:
    - { name: Test Signatory, title: Operations, party: partner }
    - { name: Test Counterpart, title: Customer Operations, party: company }
  signedAt: "2026-01-01"
  expiresAt: "2099-01-01"
purposes: [order-fulfilment]
fields:
  Customer:
    read: [fullName, phone]
    update: [phone]
  Task:
    read: [id, purpose, customerIds, status]
operations: [Query.customer, Mutation.updateCustomer]
commitments:
  document: parcelco.commitments.md
  sha256: ${createHash('sha256').update(COMMITMENTS).digest('hex')}
  summary:
    - Corrects the recipient's phone of its own deliveries only.
incidentContact:
  name: ParcelCo DPO
  email: dpo@parcelco.example
  phone: "+33 1 84 00 00 01"
`;

const TASK = 'tsk_parcel_test';
const IN_TASK = 'cus_0003';
const OUTSIDE = 'cus_0004';
let app: TestApp;
let copy: PolicyCopy;
let token: string;
const send = (query: string) => gql(app.url, query, { endpoint: '/partner/graphql', token, purpose: 'order-fulfilment', task: TASK });

beforeAll(async () => {
  copy = copyPolicies();
  // The internal yardstick: our own fulfilment staff may correct a phone, so an agreement may grant it.
  copy.edit('roles/fulfilment-coordinator.yaml', '      - action: read\n        subject: Task', [
    '      - action: update',
    '        subject: Customer',
    '        fields: [phone]',
    '        reason: A wrong recipient phone is corrected to deliver the parcel.',
    '      - action: read',
    '        subject: Task',
  ].join('\n'));
  copy.write('partners/parcelco.yaml', AGREEMENT);
  copy.write('partners/parcelco.commitments.md', COMMITMENTS);
  app = await startTestApp({ env: { POLICIES_DIR: copy.dir } });
  token = app.sign({ kind: 'partner', sub: 'pc-dispatch', partner: 'parcelco' });
  await systemWrite('test: a delivery task for parcelco', () =>
    app.models.tasks.create({ _id: TASK, purpose: 'order-fulfilment', customerIds: [IN_TASK], assigneeIds: ['partner:parcelco'], status: 'OPEN', openedBy: 'sam' }));
});
afterAll(async () => {
  await app.stop();
  copy.remove();
});

describe('a partner write granted by its agreement', () => {
  it('updates the phone of a customer in its task, recorded before the change with the field written', async () => {
    const r = await send(`mutation Fix { updateCustomer(id: "${IN_TASK}", input: { phone: "+33 6 12 34 56 78" }) { id phone } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.updateCustomer).toEqual({ id: IN_TASK, phone: '+33612345678' });
    const read = await send(`{ customer(id: "${IN_TASK}") { phone } }`);
    expect(read.data!.customer).toEqual({ phone: '+33612345678' });
    const writes = await logEntries(app, { 'actor.partner': 'parcelco', subjectId: IN_TASK, fieldsWritten: 'phone' });
    expect(writes.map((w) => w.write).sort()).toEqual(['committed', 'intent']);
    expect(writes.every((w) => w.purpose === 'order-fulfilment' && w.taskId === TASK)).toBe(true);
  });

  it('cannot name an attribute the agreement does not grant: it is not in its input type, and the probe is recorded', async () => {
    const before = (await logEntries(app, { 'actor.partner': 'parcelco', code: 'GRAPHQL_VALIDATION_FAILED' })).length;
    const r = await send(`mutation { updateCustomer(id: "${IN_TASK}", input: { email: "new@example.com" }) { id } }`);
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(r)).not.toContain('new@example.com');
    expect((await logEntries(app, { 'actor.partner': 'parcelco', code: 'GRAPHQL_VALIDATION_FAILED' })).length).toBe(before + 1);
  });

  it('cannot write a customer outside its task: FORBIDDEN, nothing changed', async () => {
    const before = await app.models.customers.collection.findOne({ _id: OUTSIDE as never });
    const r = await send(`mutation { updateCustomer(id: "${OUTSIDE}", input: { phone: "+33 6 98 76 54 32" }) { id } }`);
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data).toBeNull();
    expect(await app.models.customers.collection.findOne({ _id: OUTSIDE as never })).toEqual(before);
  });
});
