/**
 * Test helpers: plants, for one tag, a record past retention and one within it for every rule of
 * policies/retention.yaml (raw driver writes with old dates, as years of use would leave them),
 * and reads back what a disposal run left of them.
 */
import { randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { erasureModel, erasureRef, erasureServicesOf } from '../../src/erasure';
import type { TestApp } from '../support/app';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const ahead = (minutes: number) => new Date(Date.now() + minutes * 60_000);

export interface Planted {
  tag: string;
  /** An existing (demo) customer made inactive for four years. */
  inactive: string;
  /** The old access-log and consent-ledger records (ObjectIds from their time, as the gateway writes them). */
  accessLogId: Types.ObjectId;
  consentId: Types.ObjectId;
}

/** An ObjectId from `date`'s second with random remaining bytes (createFromTime zeroes them: two plants of one second collided). */
const oldId = (date: Date) => new Types.ObjectId(Math.floor(date.getTime() / 1000).toString(16).padStart(8, '0') + randomBytes(8).toString('hex'));

/** Every rule of the schedule disposes of exactly one planted record. */
export const ONE_EACH = [
  'inactive-customers', 'closed-tasks', 'delivered-messages', 'expired-messages', 'expired-codes', 'finished-corrections',
  'erasure-working-state', 'access-log', 'consent-ledger', 'disposal-records',
].map((rule) => ({ rule, count: 1 }));

export async function plant(app: TestApp, tag: string, inactive: string): Promise<Planted> {
  const conn: Connection = app.running.services.conn;
  const c = (name: string) => conn.collection<Record<string, unknown> & { _id: string }>(name);
  const res = await c('customers').updateOne({ _id: inactive }, { $set: { updatedAt: ago(4 * 366) } });
  if (res.matchedCount !== 1) throw new Error(`plant: no customer ${inactive}`);
  const task = { purpose: 'customer-support', customerIds: [], assigneeIds: ['alice'], status: 'CLOSED', openedBy: 'sam' };
  await c('tasks').insertMany([
    { _id: `tsk_old_${tag}`, ...task, openedAt: ago(800), closedAt: ago(800) },
    { _id: `tsk_recent_${tag}`, ...task, openedAt: ago(3), closedAt: ago(1) },
  ]);
  const msg = { customerId: 'cus_nobody', channel: 'email', template: 'verification-code', payload: { sealed: 'x' } };
  await c('outbox').insertMany([
    { _id: `msg_sent_${tag}`, ...msg, status: 'sent', createdAt: ago(30), expiresAt: ago(30) },
    { _id: `msg_expired_${tag}`, ...msg, status: 'pending', createdAt: ago(3), expiresAt: ago(3) },
    { _id: `msg_pending_${tag}`, ...msg, status: 'pending', createdAt: new Date(), expiresAt: ahead(10) },
  ]);
  const code = { customerId: 'cus_nobody', channel: 'email', salt: Buffer.alloc(16), hash: Buffer.alloc(32), attempts: 0, by: 'customer', byKind: 'customer' };
  await c('verificationCodes').insertMany([
    { _id: `vc_old_${tag}`, ...code, status: 'expired', createdAt: ago(3), expiresAt: ago(3) },
    { _id: `vc_new_${tag}`, ...code, status: 'pending', createdAt: new Date(), expiresAt: ahead(10) },
  ]);
  const cr = { customerId: 'cus_nobody', field: 'fullName', proposedValue: { sealed: 'x' }, requestedAt: ago(900) };
  await c('correctionRequests').insertMany([
    { _id: `cr_old_${tag}`, ...cr, status: 'APPROVED', decidedAt: ago(800) },
    { _id: `cr_pending_${tag}`, ...cr, status: 'PENDING' },
  ]);
  await c('erasures').insertOne({ _id: `e_old_${tag}`, status: 'DONE', requestedAt: ago(200), completedAt: ago(200), reason: 'test', requestedBy: 'customer', steps: [{ name: 'destroyDataKey', doneAt: ago(200), count: 1 }] });
  const accessLogId = oldId(ago(7 * 366));
  const consentId = oldId(ago(7 * 366));
  await conn.collection('accessLog').insertOne({
    _id: accessLogId, at: ago(7 * 366), requestId: `req_${tag}`, actor: { kind: 'staff', id: 'alice', roles: ['support-agent'] }, purpose: 'customer-support',
    taskId: null, operationName: null, audience: 'staff', phase: 'request', subjects: 1,
    entries: [{ subjectType: 'Customer', subjectIds: ['cus_nobody'], fieldsRead: ['fullName'], fieldsDenied: [], fieldsWritten: [], decision: 'allowed', k0: 0 }],
  });
  await conn.collection('consentEvents').insertOne({ _id: consentId, customerId: 'cus_nobody', key: 'marketing', granted: true, at: ago(7 * 366), source: 'staff', textVersion: '1' });
  const run = { startedAt: ago(11 * 366), finishedAt: ago(11 * 366), dryRun: false, status: 'DONE', items: [] };
  await c('disposalRunRecords').insertOne({ _id: `run_old_${tag}`, at: ago(11 * 366), ...run });
  await c('disposalRuns').insertOne({ _id: `run_old_${tag}`, ...run });
  return { tag, inactive, accessLogId, consentId };
}

/** What is left of what `plant` planted. */
export async function leftOf(app: TestApp, p: Planted): Promise<Record<string, unknown>> {
  const conn = app.running.services.conn;
  const n = (name: string, _id: string) => conn.collection<{ _id: string }>(name).countDocuments({ _id });
  const pruned = async (name: string, _id: string | Types.ObjectId) => !!(await conn.collection(name).findOne({ _id } as never))?.pruned;
  const ref = erasureRef(erasureServicesOf(app.running.services).refKey, p.inactive);
  const erasure = await erasureModel(conn).findById(ref).lean().exec();
  const working = await conn.collection<{ _id: string; steps?: unknown[] }>('erasures').findOne({ _id: `e_old_${p.tag}` });
  const t = p.tag;
  return {
    customer: await n('customers', p.inactive), erasure: erasure ? `${erasure.status} ${erasure.reason} ${erasure.requestedBy}` : null,
    oldTask: await n('tasks', `tsk_old_${t}`), recentTask: await n('tasks', `tsk_recent_${t}`),
    sent: await n('outbox', `msg_sent_${t}`), expired: await n('outbox', `msg_expired_${t}`), pending: await n('outbox', `msg_pending_${t}`),
    oldCode: await n('verificationCodes', `vc_old_${t}`), newCode: await n('verificationCodes', `vc_new_${t}`),
    oldCorrection: await n('correctionRequests', `cr_old_${t}`), pendingCorrection: await n('correctionRequests', `cr_pending_${t}`),
    workingSteps: working?.steps?.length ?? null, receiptKept: working ? 1 : 0,
    accessLogPruned: await pruned('accessLog', p.accessLogId), consentPruned: await pruned('consentEvents', p.consentId),
    runRecordPruned: await pruned('disposalRunRecords', `run_old_${t}`), oldRunDoc: await n('disposalRuns', `run_old_${t}`),
  };
}

/** What `leftOf` gives before any run. */
export const UNTOUCHED = {
  customer: 1, erasure: null, oldTask: 1, recentTask: 1, sent: 1, expired: 1, pending: 1, oldCode: 1, newCode: 1, oldCorrection: 1, pendingCorrection: 1,
  workingSteps: 1, receiptKept: 1, accessLogPruned: false, consentPruned: false, runRecordPruned: false, oldRunDoc: 1,
};

/** What `leftOf` gives after a run: everything past retention disposed of, the rest kept. */
export const DISPOSED = {
  customer: 0, erasure: 'DONE retention retention', oldTask: 0, recentTask: 1, sent: 0, expired: 0, pending: 1, oldCode: 0, newCode: 1, oldCorrection: 0, pendingCorrection: 1,
  workingSteps: 0, receiptKept: 1, accessLogPruned: true, consentPruned: true, runRecordPruned: true, oldRunDoc: 0,
};
