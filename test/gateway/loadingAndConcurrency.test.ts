import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { systemWrite } from '../../src/core/writeScope';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ monitorCommands: true });
});
afterAll(async () => {
  await app.stop();
});

/** Counts the database commands (round trips) a request makes, per command name, on the data and the key vault. */
async function roundTrips(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const clients = [app.running.services.conn.getClient(), app.running.keyStore.model.db.getClient()];
  const seen: Record<string, number> = {};
  const on = (e: CommandStartedEvent) => {
    seen[e.commandName] = (seen[e.commandName] ?? 0) + 1;
  };
  for (const client of clients) client.on('commandStarted', on);
  try {
    await run();
  } finally {
    for (const client of clients) client.off('commandStarted', on);
  }
  return seen;
}

const q = (first: number) => `{ customers(first: ${first}) { totalCount edges { node { id fullName email phone preferences health { conditions notes } } } } }`;

describe('database round trips', () => {
  it('do not grow with the page size (care advisor reading decrypted health data)', async () => {
    const { tasks, customers } = app.models;
    const ids = (await customers.find({ 'consentState.health-data': true, health: { $ne: null } }, { _id: 1 }).limit(60).lean()).map((c) => c._id);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    await systemWrite('test: plant a task', () => tasks.create({ _id: 'tsk_care_big', purpose: 'care', customerIds: ids, assigneeIds: ['carla'], status: 'OPEN', openedBy: 'sam' }));
    const h = { token: app.tokens.carla, purpose: 'care', task: 'tsk_care_big' };
    const small = await roundTrips(async () => {
      const r = await gql(app.url, q(2), h);
      expect(r.data?.customers.edges).toHaveLength(2);
    });
    const large = await roundTrips(async () => {
      const r = await gql(app.url, q(40), h);
      expect(r.data?.customers.edges).toHaveLength(40);
      expect(r.data?.customers.edges.every((e: any) => Array.isArray(e.node.health.conditions))).toBe(true);
    });
    expect(large).toEqual(small);
    // task lookup, page, the ids counted (totalCount is recorded per subject), the data keys in one batch (key vault), the access-log insert,
    // and the rate-limit counters (requests before, rows after)
    expect(large).toEqual({ find: 4, insert: 1, findAndModify: 2 });
  });

  it('a batch of lookups by id is one query', async () => {
    const trips = await roundTrips(async () => {
      const r = await gql(app.url, '{ a: customer(id: "cus_0001") { fullName } b: customer(id: "cus_0002") { fullName } c: customer(id: "cus_0003") { fullName } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
      expect(r.data).toMatchObject({ a: { fullName: expect.any(String) }, b: { fullName: expect.any(String) }, c: { fullName: expect.any(String) } });
    });
    // the task, the three customers in one query, their data keys in one query (names are encrypted), the access-log insert, the rate-limit counters
    expect(trips).toEqual({ find: 3, insert: 1, findAndModify: 2 });
  });
});

describe('concurrency', () => {
  it('different roles querying at once each get exactly their own view', async () => {
    const fields = '{ customers(first: 30) { totalCount edges { node { id fullName email phone segment address { street country } paymentCard { last4 } } } } }';
    const calls = {
      alice: { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' },
      bob: { token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' },
      mia: { token: app.tokens.mia, purpose: 'marketing' },
      dan: { token: app.tokens.dan, purpose: 'analytics' },
    };
    const solo: Record<string, string> = {};
    for (const [name, h] of Object.entries(calls)) solo[name] = JSON.stringify(await gql(app.url, fields, h));
    const rounds = await Promise.all(
      Array.from({ length: 6 }, () => Object.entries(calls).map(async ([name, h]) => [name, JSON.stringify(await gql(app.url, fields, h))] as const)).flat(),
    );
    for (const [name, body] of rounds) expect(body).toBe(solo[name]);
    expect(new Set(Object.values(solo)).size).toBe(4);
    const mia = JSON.parse(solo.mia);
    expect(mia.data.customers.edges.every((e: any) => e.node.phone === null && e.node.email)).toBe(true);
    const dan = JSON.parse(solo.dan);
    expect(dan.data.customers.edges.every((e: any) => e.node.email === null && e.node.address.country)).toBe(true);
  });
});
