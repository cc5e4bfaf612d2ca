/**
 * The disposal job over HTTP: the records manager's dry run counts and changes nothing; a run
 * erases the customer inactive past retention (receipt with reason `retention`) and keeps the active
 * one, deletes closed tasks, delivered messages, expired codes..., prunes old records to hashes, and
 * is recorded; the privacy officer reads it under audit; nobody else may run it; one run at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHashesOf } from '../../src/audit';
import { LIFECYCLE_RECORDS, disposalRunModel, disposalServicesOf, DisposalBusy, runDisposal } from '../../src/lifecycle';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntries } from '../support/log';
import { DISPOSED, leftOf, ONE_EACH, plant, UNTOUCHED, type Planted } from './plant';

let app: TestApp;
let planted: Planted;
const ACTIVE = 'cus_0021';
const RUN = 'mutation($dry: Boolean) { runDisposal(dryRun: $dry) { id status dryRun startedAt finishedAt items { rule data action count } } }';
const rita = (variables: Record<string, unknown> = {}) => ({ token: app.tokens.rita, purpose: 'records-management', variables });
const counts = (run: { items: Array<{ rule: string; count: number }> }) => run.items.map(({ rule, count }) => ({ rule, count }));

beforeAll(async () => {
  app = await startTestApp({ env: { DISPOSAL_SCHEDULE: 'off' } });
  planted = await plant(app, 'http', 'cus_0020');
}, 60_000);
afterAll(async () => app.stop());

describe('a disposal run over HTTP', () => {
  it('the records manager reads the retention schedule', async () => {
    const r = await gql(app.url, '{ retentionSchedule { id data keepFor after action legalBasis } }', rita());
    expect(r.errors).toBeUndefined();
    expect(r.data!.retentionSchedule).toContainEqual({ id: 'inactive-customers', data: 'customers', keepFor: 'P3Y', after: 'lastActivity', action: 'erase', legalBasis: 'contract' });
    expect(r.data!.retentionSchedule.map((x: { id: string }) => x.id)).toEqual(ONE_EACH.map((x) => x.rule));
  });

  it('a dry run counts what is due and changes nothing', async () => {
    const r = await gql(app.url, RUN, rita({ dry: true }));
    expect(r.errors).toBeUndefined();
    expect(r.data!.runDisposal).toMatchObject({ status: 'DONE', dryRun: true });
    expect(counts(r.data!.runDisposal)).toEqual(ONE_EACH);
    expect(await leftOf(app, planted)).toEqual(UNTOUCHED);
  });

  it('a run disposes of everything past retention, keeps the rest, and records its counts', async () => {
    const r = await gql(app.url, RUN, rita());
    expect(r.errors).toBeUndefined();
    const run = r.data!.runDisposal;
    expect(run).toMatchObject({ status: 'DONE', dryRun: false });
    expect(counts(run)).toEqual(ONE_EACH);
    expect(await leftOf(app, planted)).toEqual(DISPOSED);
    expect(await app.models.customers.countDocuments({ _id: ACTIVE })).toBe(1);
    // Recorded: the run document (contract shape) and its write-once record, counts only.
    const stored = await disposalRunModel(app.running.services.conn).findById(run.id).lean().exec();
    expect(stored).toMatchObject({ status: 'DONE', dryRun: false, items: run.items });
    const record = await app.running.services.conn.collection<{ _id: string }>('disposalRunRecords').findOne({ _id: run.id });
    expect(record).toMatchObject({ status: 'DONE', items: run.items });
    expect(JSON.stringify(record)).not.toContain('cus_');
    const source = LIFECYCLE_RECORDS.find((x) => x.collection === 'disposalRunRecords')!;
    expect(leafHashesOf(source, record as Record<string, unknown>)[0]!.length).toBe(32);
    // A second run finds nothing left to do.
    const again = await gql(app.url, RUN, rita());
    expect(counts(again.data!.runDisposal).every((i) => i.count === 0)).toBe(true);
  });

  it('the erased customer has a receipt with reason retention', async () => {
    const task = await gql(app.url, 'mutation($in: OpenTaskInput!) { openTask(input: $in) { id } }', {
      token: app.tokens.sam, purpose: 'task-management', variables: { in: { purpose: 'privacy-request', customerIds: [planted.inactive], assigneeIds: ['pat'] } },
    });
    expect(task.errors).toBeUndefined();
    const r = await gql(app.url, 'mutation($id: ID!) { eraseCustomer(id: $id, reason: "was it erased?") { status reason requestedBy steps { name } } }', {
      token: app.tokens.pat, purpose: 'privacy-request', task: task.data!.openTask.id, variables: { id: planted.inactive },
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.eraseCustomer).toMatchObject({ status: 'DONE', reason: 'retention', requestedBy: 'retention' });
    expect(r.data!.eraseCustomer.steps.map((s: { name: string }) => s.name)).toContain('destroyDataKey');
  });

  it('the privacy officer reads the runs under audit, and the run is in the access log', async () => {
    const r = await gql(app.url, '{ disposalRuns(first: 5) { edges { node { id status dryRun items { rule count } } } pageInfo { hasNextPage } } }', { token: app.tokens.pat, purpose: 'audit' });
    expect(r.errors).toBeUndefined();
    const runs = r.data!.disposalRuns.edges.map((e: { node: { dryRun: boolean } }) => e.node);
    expect(runs.length).toBe(3);
    expect(runs.map((n: { dryRun: boolean }) => n.dryRun)).toEqual([false, false, true]);
    const page = await gql(app.url, 'query($a: String) { disposalRuns(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', { token: app.tokens.pat, purpose: 'audit' });
    const rest = await gql(app.url, 'query($a: String) { disposalRuns(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }', { token: app.tokens.pat, purpose: 'audit', variables: { a: page.data!.disposalRuns.pageInfo.endCursor } });
    expect([...page.data!.disposalRuns.edges, ...rest.data!.disposalRuns.edges].map((e: { node: { id: string } }) => e.node.id)).toEqual(runs.map((n: { id: string }) => n.id));
    expect(rest.data!.disposalRuns.pageInfo.hasNextPage).toBe(false);
    const logged = await logEntries(app, { purpose: 'records-management', subjectType: 'DisposalRecord', fieldsWritten: 'run', write: 'committed' });
    expect(logged.length).toBe(3);
    expect(logged[0]!.actor).toMatchObject({ id: 'rita', roles: ['records-manager'] });
  });

  it('nobody else may run it, and the privacy officer changes nothing', async () => {
    const before = await disposalRunModel(app.running.services.conn).countDocuments().exec();
    const pat = await gql(app.url, RUN, { token: app.tokens.pat, purpose: 'audit' });
    expect(pat.data).toBeNull();
    expect(codes(pat)).toEqual(['FORBIDDEN']);
    const alice = await gql(app.url, RUN, { token: app.tokens.alice, purpose: 'records-management' });
    expect(codes(alice)).toEqual(['PURPOSE_NOT_ALLOWED']);
    const none = await gql(app.url, RUN, { token: app.tokens.rita });
    expect(codes(none)).toEqual(['PURPOSE_REQUIRED']);
    expect(await disposalRunModel(app.running.services.conn).countDocuments().exec()).toBe(before);
  });

  it('one run at a time: a second one while the lease is held is refused', async () => {
    const svc = disposalServicesOf(app.running.services);
    const results = await Promise.allSettled([runDisposal(svc), runDisposal(svc)]);
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(DisposalBusy);
  });
});
