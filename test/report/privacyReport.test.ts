/**
 * privacyReport on a seeded workload (reads, partial reads, denials, consents, a correction, an
 * erasure through the API; a disposal run, assets, a certificate, checkpoints and verifications
 * inserted in the shapes the lifecycle and the sequencer write): every figure matches what the test
 * computes itself from the raw collections, and the report holds no id.
 */
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { REPORT_QUERY } from '../../src/report';
import { expectedAccesses, expectedConsents, expectedErasures, expectedStatusCounts, hide } from './independent';

let app: TestApp;
let db: Db;
const DAY = 86_400_000;
const today = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
const day = (offset: number) => new Date(today.getTime() + offset * DAY).toISOString().slice(0, 10);
// Yesterday to tomorrow: the workload happens now, whichever side of midnight the test runs on.
const RANGE = { from: day(-1), to: day(1) };
const start = new Date(today.getTime() - DAY);
const end = new Date(today.getTime() + 2 * DAY);

const report = async (variables: Record<string, unknown> = RANGE, token = app.tokens.pat, purpose = 'audit') =>
  gql(app.url, REPORT_QUERY, { token, purpose, variables });

const self = (customer: string, query: string) => gql(app.url, query, { token: app.sign({ kind: 'customer', sub: customer }), endpoint: '/self/graphql' });

function categoryOf(field: string): string {
  if (field === 'id') return 'id';
  const fields = app.running.services.policies.fields;
  const def = fields.get(field) ?? [...fields.entries()].find(([p]) => p.startsWith(`${field}.`))?.[1];
  return def?.category ?? 'other';
}

beforeAll(async () => {
  app = await startTestApp();
  db = app.running.services.conn.db!;
  // Reads: the marketer's list (allowed), then a field she may not read (partial).
  for (let i = 0; i < 3; i++) await gql(app.url, '{ customers(first: 8) { edges { node { id fullName email } } } }', { token: app.tokens.mia, purpose: 'marketing' });
  await gql(app.url, '{ customers(first: 6) { edges { node { id fullName phone } } } }', { token: app.tokens.mia, purpose: 'marketing' });
  await gql(app.url, '{ customer(id: "cus_0001") { id phone address { city } } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
  // Denials: a purpose the analyst's role may not act for (six times), a purpose without its task.
  for (let i = 0; i < 6; i++) await gql(app.url, '{ customers(first: 1) { edges { node { id } } } }', { token: app.tokens.dan, purpose: 'marketing' });
  await gql(app.url, '{ customer(id: "cus_0001") { id } }', { token: app.tokens.alice, purpose: 'customer-support' });
  // Consents: grants and withdrawals by several customers; a correction request; one erasure.
  for (const c of ['cus_0002', 'cus_0003', 'cus_0004', 'cus_0005', 'cus_0006', 'cus_0007']) {
    // Whatever the demo data granted, this makes at least a withdrawal and a grant per customer.
    await self(c, 'mutation { grantConsent(key: "analytics") { key } }');
    await self(c, 'mutation { withdrawConsent(key: "analytics") { key } }');
    await self(c, 'mutation { grantConsent(key: "analytics") { key } }');
    if (c < 'cus_0004') await self(c, 'mutation { withdrawConsent(key: "marketing") { key } }');
  }
  await self('cus_0008', 'mutation { requestCorrection(field: "fullName", proposedValue: "Jo March") { id } }');
  const left = await self('cus_0009', 'mutation { leaveProgram(confirm: true) { status } }');
  expect(left.data?.leaveProgram.status).toBe('DONE');
  // The records lifecycle and the transparency log, in the shapes they write.
  const now = new Date();
  await db.collection('disposalRuns').insertMany([
    { _id: 'run_1' as never, startedAt: now, finishedAt: now, dryRun: false, status: 'DONE', items: [{ rule: 'closed-tasks', data: 'tasks', action: 'delete', count: 12 }, { rule: 'old-log', data: 'accessLog', action: 'archive', count: 3 }] },
    { _id: 'run_2' as never, startedAt: now, finishedAt: now, dryRun: false, status: 'DONE', items: [{ rule: 'closed-tasks', data: 'tasks', action: 'delete', count: 2 }] },
    { _id: 'run_3' as never, startedAt: now, dryRun: true, status: 'DONE', items: [{ rule: 'closed-tasks', data: 'tasks', action: 'delete', count: 40 }] },
    { _id: 'run_old' as never, startedAt: new Date('2020-01-01T00:00:00Z'), dryRun: false, status: 'DONE', items: [{ rule: 'closed-tasks', data: 'tasks', action: 'delete', count: 99 }] },
  ]);
  const asset = (i: number, kind: string, status: string) => ({
    _id: `ast_${i}` as never, kind, label: `shelf ${i}`, status, registeredAt: now, statusChangedAt: now, history: [{ at: now, status, byRole: 'privacy-officer' }],
  });
  await db.collection('storageAssets').insertMany([
    ...Array.from({ length: 6 }, (_, i) => asset(i, 'BACKUP', 'IN_SERVICE')), asset(10, 'DEVICE', 'DESTROYED'), asset(11, 'MEDIA', 'SANITIZED'),
  ]);
  await db.collection('disposalCertificates').insertMany([
    { _id: 'cert_1' as never, assetId: 'ast_10', method: 'DESTROY', performedAt: now, issuedAt: now },
    { _id: 'cert_2' as never, assetId: 'ast_11', method: 'PURGE', performedAt: now, issuedAt: now },
  ]);
});

afterAll(async () => { await app?.stop(); });

describe('privacyReport', () => {
  it('shows empty sections as zeros, and an unverified log, before anything happened in the range', async () => {
    const r = await report({ from: '2001-01-01', to: '2001-01-31' });
    expect(r.errors).toBeUndefined();
    const p = r.data!.privacyReport;
    expect(p).toMatchObject({ from: '2001-01-01', to: '2001-01-31', days: 31, suppressBelow: 5 });
    expect(p.accesses).toEqual({ requests: '0', entries: '0', byPurpose: [], byPurposeDay: [], denialsByCode: [], byRole: [], fieldsReadByCategory: [] });
    expect(p.erasures).toEqual({ requested: '0', completed: '0', pending: '0', medianSecondsToComplete: null });
    expect(p.disposals).toEqual({ runs: '0', dryRuns: '0', byStatus: [], items: [] });
    expect(p.assets).toEqual({ byStatus: [], byKindStatus: [], sanitizedByMethod: [] });
    expect(p.integrity).toMatchObject({ status: 'UNVERIFIED', treeSize: null, lastCheckpointAt: null, verifications: '0' });
  });

  it('matches the counts computed from the raw collections, with counts under 5 shown as "< 5"', async () => {
    const checkpointAt = new Date();
    await db.collection('tlogCheckpoints').insertMany([
      { treeSize: 40, root: 'b2xkZXI=', note: 'old', at: new Date(checkpointAt.getTime() - 60_000) },
      { treeSize: 57, root: 'cm9vdA==', note: 'note', at: checkpointAt },
    ]);
    await db.collection('tlogVerifications').insertMany([
      { at: new Date(checkpointAt.getTime() - 30_000), ok: false, records: 40, treeSize: 40, root: 'b2xkZXI=', failure: 'leaf 3 differs' },
      { at: checkpointAt, ok: true, records: 57, treeSize: 57, root: 'cm9vdA==' },
    ]);
    // Computed before the report's own request is recorded.
    const acc = await expectedAccesses(db, start, end, categoryOf);
    const con = await expectedConsents(db, start, end);
    const era = await expectedErasures(db, start, end);
    const corrections = await expectedStatusCounts(db, 'correctionRequests', { requestedAt: { $gte: start, $lt: end } }, 'status');
    // The workload is big enough for the comparison to mean something.
    expect(acc.raw.requests).toBeGreaterThanOrEqual(12);
    expect(acc.raw.denials.get('PURPOSE_NOT_ALLOWED')).toBe(6);
    expect(con.raw.events).toBeGreaterThanOrEqual(12);
    expect(era.raw).toEqual({ requested: 1, completed: 1 });

    const r = await report();
    expect(r.errors).toBeUndefined();
    const p = r.data!.privacyReport;
    const a = p.accesses;
    expect({ requests: a.requests, entries: a.entries }).toEqual({ requests: acc.requests, entries: acc.entries });
    expect(Object.fromEntries(a.byPurposeDay.map((d: { day: string; purpose: string; total: string }) => [`${d.day} ${d.purpose}`, d.total]))).toEqual(acc.byDayPurpose);
    const decisions: Record<string, string> = {};
    for (const t of a.byPurpose) for (const k of ['allowed', 'partial', 'denied'] as const) if (t[k] !== '0') decisions[`${t.purpose} ${k}`] = t[k];
    expect(decisions).toEqual(acc.byPurposeDecision);
    expect(Object.fromEntries(a.denialsByCode.map((d: { code: string; count: string }) => [d.code, d.count]))).toEqual(acc.denials);
    expect(a.denialsByCode[0]).toEqual({ code: 'PURPOSE_NOT_ALLOWED', count: '6' });
    expect(Object.fromEntries(a.byRole.map(({ role, ...rest }: { role: string }) => [role, rest]))).toEqual(acc.byRole);
    expect(Object.fromEntries(a.fieldsReadByCategory.map((c: { category: string; reads: string }) => [c.category, c.reads]))).toEqual(acc.categories);
    expect(a.fieldsReadByCategory.map((c: { category: string }) => c.category)).toEqual(expect.arrayContaining(['identity', 'contact', 'id']));

    expect(Object.fromEntries(p.consents.byKey.flatMap((k: { key: string; granted: string; withdrawn: string }) =>
      [[`${k.key} granted`, k.granted], [`${k.key} withdrawn`, k.withdrawn]].filter(([, v]) => v !== '0')))).toEqual(con.byKey);
    expect(Object.fromEntries(p.consents.byDay.flatMap((k: { day: string; granted: string; withdrawn: string }) =>
      [[`${k.day} granted`, k.granted], [`${k.day} withdrawn`, k.withdrawn]].filter(([, v]) => v !== '0')))).toEqual(con.byDay);

    expect(p.erasures).toMatchObject({ requested: era.requested, completed: era.completed, pending: era.pending });
    expect(p.erasures.medianSecondsToComplete).toBeCloseTo(era.median!, 3);
    expect(Object.fromEntries(p.corrections.map((c: { status: string; count: string }) => [c.status, c.count]))).toEqual(corrections);
    expect(p.corrections).toEqual([{ status: 'PENDING', count: '< 5' }]);

    // Runs of the range only; the dry run counted apart and its items left out.
    expect(p.disposals).toEqual({
      runs: '< 5', dryRuns: '< 5', byStatus: [{ status: 'DONE', count: '< 5' }],
      items: [{ rule: 'closed-tasks', data: 'tasks', action: 'delete', runs: '< 5', records: hide(14) }, { rule: 'old-log', data: 'accessLog', action: 'archive', runs: '< 5', records: '< 5' }],
    });
    // The registry also holds the database itself (registered at first start): counted from the raw collection.
    const assets = await app.running.services.conn.collection('storageAssets').find({}).toArray();
    const tally = (key: (d: Record<string, unknown>) => string) => assets.reduce<Record<string, number>>((m, d) => ({ ...m, [key(d)]: (m[key(d)] ?? 0) + 1 }), {});
    const shown = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, n]) => [k, hide(n)]));
    expect(Object.fromEntries(p.assets.byStatus.map((x: { status: string; count: string }) => [x.status, x.count]))).toEqual(shown(tally((d) => String(d.status))));
    expect(Object.fromEntries(p.assets.byKindStatus.map((x: { kind: string; status: string; count: string }) => [`${x.kind} ${x.status}`, x.count])))
      .toEqual(shown(tally((d) => `${String(d.kind)} ${String(d.status)}`)));
    expect(p.assets.byStatus[0]).toEqual({ status: 'IN_SERVICE', count: '7' });
    expect(p.assets.sanitizedByMethod).toEqual([{ method: 'DESTROY', count: '< 5' }, { method: 'PURGE', count: '< 5' }]);
    expect(p.integrity).toEqual({
      status: 'VERIFIED', treeSize: 57, lastCheckpointAt: checkpointAt.toISOString(), lastCheckpointRoot: 'cm9vdA==', lastVerificationAt: checkpointAt.toISOString(),
      lastVerificationOk: true, lastVerificationTreeSize: 57, lastVerificationFailure: null, verifications: '< 5', failedVerifications: '< 5',
    });
  });

  it('holds no staff or customer id, and records its own reading in the access log', async () => {
    const r = await report();
    const text = JSON.stringify(r.data);
    expect(text).not.toMatch(/cus_\d/);
    for (const id of ['alice', 'mia', 'dan', 'pat', 'cus_0009']) expect(text).not.toContain(`"${id}"`);
    const recorded = await db.collection('accessLog').find({ 'actor.id': 'pat', 'entries.subjectType': 'PrivacyReport' }).toArray();
    const mine = recorded.filter((d) => d.entries[0].subjectIds[0] === `${RANGE.from}..${RANGE.to}`);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    for (const d of mine) {
      expect(d.purpose).toBe('audit');
      expect(d.entries).toEqual([expect.objectContaining({ subjectType: 'PrivacyReport', decision: 'allowed', fieldsRead: expect.arrayContaining(['accesses', 'integrity']) })]);
    }
  });
});

describe('privacyReport refuses bad input and other roles', () => {
  it.each([
    [{ from: '2026-03-10', to: '2026-03-01' }, 'from', 'must not be after "to"'],
    [{ from: '2026-13-01', to: '2026-12-31' }, 'from', 'calendar date'],
    [{ from: '2026-02-30', to: '2026-03-01' }, 'from', 'calendar date'],
    [{ from: 'last week', to: '2026-03-01' }, 'from', 'YYYY-MM-DD'],
    [{ from: '2026-01-01', to: '01/02/2026' }, 'to', 'YYYY-MM-DD'],
    [{ from: '2025-01-01', to: '2026-02-05' }, 'to', 'at most 400 days'],
  ])('%j → BAD_USER_INPUT naming %s', async (variables, field, rule) => {
    const r = await report(variables);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].extensions).toMatchObject({ field });
    expect(r.errors![0].message).toContain(rule);
    expect(r.errors![0].message).not.toContain(String(variables[field as 'from' | 'to']));
    expect(r.data).toBeNull();
  });

  it('accepts exactly 400 days, and defaults to the last 30', async () => {
    expect((await report({ from: '2025-01-01', to: '2026-02-04' })).data!.privacyReport.days).toBe(400);
    const dr = await report({});
    expect(dr.errors).toBeUndefined();
    const d = dr.data!.privacyReport;
    expect(d).toMatchObject({ to: day(0), days: 30 });
  });

  it('refuses another role (PURPOSE_NOT_ALLOWED) and another purpose (FORBIDDEN), with no data', async () => {
    const other = await report(RANGE, app.tokens.mia, 'audit');
    expect(codes(other)).toEqual(['PURPOSE_NOT_ALLOWED']);
    expect(other.data).toBeNull();
    const purpose = await report(RANGE, app.tokens.pat, 'privacy-request');
    expect(codes(purpose)).toEqual(['TASK_REQUIRED']);
    const withTask = await gql(app.url, REPORT_QUERY, { token: app.tokens.pat, purpose: 'privacy-request', task: 'tsk_privacy_pat', variables: RANGE });
    expect(codes(withTask)).toEqual(['FORBIDDEN']);
    expect(withTask.errors![0].message).toContain('serves audit');
    expect(codes(await report(RANGE, ''))).toEqual(['UNAUTHENTICATED']);
  });
});
