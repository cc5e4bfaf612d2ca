/** Puts data about one customer in every store the erasure must reach, and says how much it put. */
import { consentEventModel } from '../../src/audit';
import { systemWrite } from '../../src/core/writeScope';
import { correctionRequestModel } from '../../src/rectification';
import type { TestApp } from '../support/app';

export interface Planted {
  dataKey: number;
  corrections: number;
  consentEvents: number;
  tasks: number;
  outbox: number;
  verificationCodes: number;
}

/** Puts the data (the demo customer already has a data key, created at enrolment). */
export async function plantCustomerData(app: TestApp, customerId: string): Promise<Planted> {
  return systemWrite('test: plant customer data', () => plant(app, customerId));
}

async function plant(app: TestApp, customerId: string): Promise<Planted> {
  const { conn } = app.running.services;
  const { models } = app;
  const at = new Date();
  await correctionRequestModel(conn).create([
    { customerId, field: 'fullName', proposedValue: 'Jeanne Planted', status: 'PENDING', requestedAt: at },
    { customerId, field: 'birthDate', proposedValue: '1980-02-03', status: 'REJECTED', requestedAt: at },
  ]);
  await consentEventModel(conn).create([
    { customerId, key: 'marketing', granted: true, at, source: 'self-service', textVersion: '2024-01' },
    { customerId, key: 'marketing', granted: false, at, source: 'self-service', textVersion: '2024-01' },
    { customerId, key: 'analytics', granted: true, at, source: 'staff', textVersion: '2024-01' },
  ]);
  await models.tasks.create([
    { purpose: 'customer-support', customerIds: [customerId, 'cus_0999'], assigneeIds: ['alice'], openedBy: 'sam' },
    { purpose: 'billing', customerIds: [customerId], assigneeIds: ['bob'], openedBy: 'sam', status: 'CLOSED' },
  ]);
  await conn.collection('outbox').insertMany([{ customerId, kind: 'code' }, { customerId, kind: 'code' }]);
  await conn.collection('verificationCodes').insertOne({ customerId, channel: 'email' });
  return {
    dataKey: 1,
    corrections: 2,
    // the three planted here, plus the customer's imported consents from the demo seed
    consentEvents: await consentEventModel(conn).countDocuments({ customerId }).exec(),
    tasks: await models.tasks.countDocuments({ customerIds: customerId }).exec(),
    outbox: 2,
    verificationCodes: await conn.collection('verificationCodes').countDocuments({ customerId }),
  };
}

/** Everything still held about the customer, per store (all zero after an erasure). */
export async function leftOf(app: TestApp, customerId: string): Promise<Record<string, number>> {
  const { conn } = app.running.services;
  const { keyStore } = app.running;
  const { models } = app;
  return {
    customer: await models.customers.countDocuments({ _id: customerId }).exec(),
    dataKey: await keyStore.model.countDocuments({ _id: customerId }).exec(),
    corrections: await correctionRequestModel(conn).countDocuments({ customerId }).exec(),
    consentEvents: await consentEventModel(conn).countDocuments({ customerId }).exec(),
    tasks: await models.tasks.countDocuments({ customerIds: customerId }).exec(),
    outbox: await conn.collection('outbox').countDocuments({ customerId }),
    verificationCodes: await conn.collection('verificationCodes').countDocuments({ customerId }),
  };
}

export const NOTHING_LEFT = { customer: 0, dataKey: 0, corrections: 0, consentEvents: 0, tasks: 0, outbox: 0, verificationCodes: 0 };

/** The step counts an erasure of planted data must record: the data key, every declared store in capability order, the customer last. */
export function expectedSteps(p: Planted): Array<{ name: string; count: number }> {
  return [
    { name: 'destroyDataKey', count: p.dataKey },
    { name: 'erase:tasks', count: p.tasks },
    { name: 'erase:consentEvents', count: p.consentEvents },
    { name: 'erase:correctionRequests', count: p.corrections },
    { name: 'erase:outbox', count: p.outbox },
    { name: 'erase:verificationCodes', count: p.verificationCodes },
    { name: 'erase:customers', count: 1 },
    { name: 'markDone', count: 0 },
  ];
}
