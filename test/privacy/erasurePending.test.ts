/**
 * While an erasure is PENDING, no staff request reaches the customer (the document carries
 * `erasing: true` from before step 1), and a data key created meanwhile does not survive it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TASKS } from '../../src/demo/personas';
import { FieldCipher, KeyShreddedError } from '../../src/crypto';
import { eraseCustomer, ErasureInterrupted, erasureServicesOf, resumeErasures } from '../../src/erasure';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

let app: TestApp;
let careIds: string[];
beforeAll(async () => {
  app = await startTestApp();
  const task = await gql(app.url, `{ task(id: "${DEMO_TASKS.carla}") { customerIds } }`, { token: app.tokens.carla });
  careIds = task.data!.task.customerIds;
});
afterAll(async () => { await app.stop(); });

const REQUEST = { reason: 'pending window test', requestedBy: 'privacy-officer' };
const carla = (query: string, variables?: Record<string, unknown>) =>
  gql(app.url, query, { token: app.tokens.carla, purpose: 'care', task: DEMO_TASKS.carla, variables });
const dataKeys = (id: string) => app.running.keyStore.model.countDocuments({ _id: id }).exec();
const careList = async () => {
  const r = await carla('{ customers(first: 200) { totalCount edges { node { id } } } }');
  expect(r.errors).toBeUndefined();
  return { total: r.data!.customers.totalCount as number, ids: r.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id) as string[] };
};

/** Starts an erasure and really stops it right after step 1 (destroyDataKey), as a crash would. */
async function interruptAfterKeyDestroyed(id: string): Promise<void> {
  expect(await dataKeys(id)).toBe(1); // created at enrolment (the demo import)
  await expect(eraseCustomer(erasureServicesOf(app.running.services), id, REQUEST, { stopAfter: 1 })).rejects.toThrow(ErasureInterrupted);
  expect(await dataKeys(id)).toBe(0);
}

describe('a PENDING erasure', () => {
  it('takes the customer out of every staff read and write path; the resume leaves no data key', async () => {
    const id = careIds[0]!;
    const before = await careList();
    expect(before.ids).toContain(id);
    const write = (notes: string) =>
      carla('mutation Write($id: ID!, $notes: String) { updateCustomer(id: $id, input: { health: { notes: $notes } }) { id } }', { id, notes });
    expect((await write('before the erasure')).errors).toBeUndefined();

    await interruptAfterKeyDestroyed(id);

    const written = await write('written while the erasure is pending');
    expect(codes(written)).toEqual(['FORBIDDEN']);
    expect(await dataKeys(id)).toBe(0);
    expect(codes(await carla(`{ customer(id: "${id}") { id health { notes } } }`))).toEqual(['FORBIDDEN']);
    const during = await careList();
    expect(during.ids).not.toContain(id);
    expect(during.total).toBe(before.total - 1);
    expect((await app.models.customers.findById(id).lean<Record<string, unknown>>().exec())?.erasing).toBe(true); // the mark that keeps staff out

    expect(await resumeErasures(erasureServicesOf(app.running.services))).toBe(1);
    expect(await dataKeys(id)).toBe(0);
    expect(await app.models.customers.countDocuments({ _id: id }).exec()).toBe(0);
  });

  it('no data key can appear during the pending window: a request in flight that encrypts fails, keys are made at enrolment only', async () => {
    const id = careIds[1]!;
    await interruptAfterKeyDestroyed(id);
    // A request that loaded the customer before the mark and encrypts now: its cipher never creates a key.
    const inFlight = new FieldCipher(app.running.keyStore.forRequest());
    await expect(inFlight.encrypt(id, 'health.notes', 'late write')).rejects.toBeInstanceOf(KeyShreddedError);
    expect(await dataKeys(id)).toBe(0);
    // Creating a key is enrolment's alone, and enrolment always draws a fresh customer id.
    await resumeErasures(erasureServicesOf(app.running.services));
    expect(await app.models.customers.countDocuments({ _id: id }).exec()).toBe(0);
    expect(await dataKeys(id)).toBe(0);
  });
});
