/**
 * No restricted plaintext at rest: a realistic workload over HTTP (enrol, read, card and health
 * updates, verification, self-service, erasure), then EVERY collection read raw through the driver,
 * and every application log line, searched byte for byte for the restricted values.
 * Also crypto-shredding end to end: a raw copy taken before erasure cannot be decrypted afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON } from 'bson';
import { MongoClient, type Db, type Document } from 'mongodb';
import { DecryptionError, FieldCipher, KeyShreddedError } from '../../src/crypto';
import { setLogSink } from '../../src/logger';
import { openOutboxMessage, type OutboxDoc } from '../../src/verification';
import { startTestApp, type TestApp } from '../support/app';
import { gql, type GqlRequest } from '../support/graphql';

const year = new Date().getUTCFullYear() + 2;
const CARD_X = '4000056655665556';
const CARD_Z = '6011111111111117';
const NOTE_X = 'Insulin dose adjusted after kidney test K-7731';
const NOTE_Z = 'Referred to cardiology, stent follow-up S-4410';
const CONDITIONS_X = ['chronic kidney disease stage 2', 'rare condition XQ-7731'];
const CONDITIONS_Z = ['atrial fibrillation AF-4410'];
/** The seed's restricted values (src/demo/seed.ts). */
const SEEDED = ['4111111111111111', '5555555555554444', '378282246310005', 'Prefers morning calls about treatment reminders.',
  'Follow-up scheduled after the last consultation.', 'Needs large-print documents.', 'diabetes type 2', 'lactose intolerance', 'peanut allergy'];
/** Identity and contact values of the workload, stored encrypted like every personal attribute. */
const PERSONAL = ['Ines Workload', 'ines.workload@example.org', '+33612340099', '1985-02-03', '3 rue du Test', 'camille.new@example.org'];
const RESTRICTED = [CARD_X, CARD_Z, '4000 0566 5566 5556', NOTE_X, NOTE_Z, ...CONDITIONS_X, ...CONDITIONS_Z, ...SEEDED];

let app: TestApp;
let client: MongoClient;
let db: Db;
const logLines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;

type Who = Pick<GqlRequest, 'token' | 'purpose' | 'task' | 'endpoint'>;
const as = {
  alice: (): Who => ({ token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' }),
  onboarding: (): Who => ({ token: app.tokens.alice, purpose: 'onboarding' }),
  bob: (task = 'tsk_billing_bob'): Who => ({ token: app.tokens.bob, purpose: 'billing', task }),
  carla: (task = 'tsk_care_carla'): Who => ({ token: app.tokens.carla, purpose: 'care', task }),
  sam: (): Who => ({ token: app.tokens.sam, purpose: 'task-management' }),
  vera: (): Who => ({ token: app.tokens.vera, purpose: 'identity-verification', task: 'tsk_verify_vera' }),
  pat: (): Who => ({ token: app.tokens.pat, purpose: 'privacy-request', task: 'tsk_privacy_pat' }),
  self: (id: string): Who => ({ token: app.sign({ kind: 'customer', sub: id }), endpoint: '/self/graphql' }),
};

/** Runs an operation that must succeed, and returns its data. */
async function ok(query: string, who: Who, variables?: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await gql(app.url, query, { ...who, variables });
  expect(r.errors, query).toBeUndefined();
  return r.data as Record<string, any>;
}

async function outboxCode(customerId: string, channel: 'email' | 'phone'): Promise<string> {
  const [doc] = await db.collection<OutboxDoc>('outbox').find({ customerId, channel }).sort({ createdAt: -1 }).limit(1).toArray();
  return (await openOutboxMessage(new FieldCipher(app.running.keyStore), doc)).code;
}

/** Every document of every collection, as raw BSON bytes. */
async function dumpAll(): Promise<Map<string, Buffer[]>> {
  const out = new Map<string, Buffer[]>();
  for (const database of [db, client.db(app.config.keyVaultDb)]) {
    for (const { name } of await database.listCollections({}, { nameOnly: true }).toArray()) {
      const docs = await database.collection(name).find({}).toArray();
      out.set(name, docs.map((d) => Buffer.from(BSON.serialize(d))));
    }
  }
  return out;
}

function occurrences(dump: Map<string, Buffer[]>, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return [...dump].filter(([, docs]) => docs.some((b) => b.includes(needle))).map(([name]) => name);
}

let customerZ: string;
let copyZ: { customer: Document; outbox: Document[] };
/** What the copy decrypted to while the key existed. */
let openedBefore: { card: string; notes: string; code: string };

beforeAll(async () => {
  app = await startTestApp();
  client = await MongoClient.connect(app.db.uri);
  db = client.db(app.db.dbName);
  restoreSink = setLogSink((line) => logLines.push(line));

  // Enrol, and read as support.
  const enrolled = await ok(`mutation($in: EnrolCustomerInput!) { enrolCustomer(input: $in) { id fullName email } }`, as.onboarding(), {
    in: { fullName: 'Ines Workload', email: 'ines.workload@example.org', phone: '+33612340099', birthDate: '1985-02-03',
      address: { street: '3 rue du Test', city: 'Lyon', postalCode: '69003', country: 'FR' }, consent: { storage: true, purposes: ['health-data'] } },
  });
  expect(enrolled.enrolCustomer.email).toBe('ines.workload@example.org');
  await ok('{ customers(first: 10) { edges { node { id fullName email phone address { city } } } } }', as.alice());

  // Billing: a new card (bob); care: health data (carla); both read back.
  const bobs = await ok('{ customers(first: 5) { edges { node { id paymentCard { last4 } } } } }', as.bob());
  const x = bobs.customers.edges[0].node.id as string;
  await ok('mutation($id: ID!, $c: PaymentCardInput!) { updateCustomer(id: $id, input: { paymentCard: $c }) { paymentCard { brand last4 } } }', as.bob(), { id: x, c: { number: '4000 0566 5566 5556', expiryMonth: 6, expiryYear: year } });
  const carlas = await ok('{ customers(first: 5) { edges { node { id health { conditions notes } } } } }', as.carla());
  const careId = carlas.customers.edges[0].node.id as string;
  const h = await ok('mutation($id: ID!, $h: HealthInput!) { updateCustomer(id: $id, input: { health: $h }) { health { conditions notes } } }', as.carla(), { id: careId, h: { conditions: CONDITIONS_X, notes: NOTE_X } });
  expect(h.updateCustomer.health.notes).toBe(NOTE_X);

  // Customer Z (care consent) gets a card and health data through tasks opened by the supervisor.
  customerZ = carlas.customers.edges[1].node.id as string;
  const billingTask = await ok('mutation($in: OpenTaskInput!) { openTask(input: $in) { id } }', as.sam(), { in: { purpose: 'billing', customerIds: [customerZ], assigneeIds: ['bob'] } });
  await ok('mutation($id: ID!, $c: PaymentCardInput!) { updateCustomer(id: $id, input: { paymentCard: $c }) { paymentCard { last4 } } }', as.bob(billingTask.openTask.id), { id: customerZ, c: { number: CARD_Z, expiryMonth: 1, expiryYear: year } });
  await ok('mutation($id: ID!, $h: HealthInput!) { updateCustomer(id: $id, input: { health: $h }) { id } }', as.carla(), { id: customerZ, h: { conditions: CONDITIONS_Z, notes: NOTE_Z } });

  // Verification: vera (email code, identity), a customer (phone code), then a contact change.
  await ok('mutation { startVerification(customerId: "cus_0006", channel: EMAIL) { expiresAt } }', as.vera());
  await ok('mutation($c: String!) { confirmVerification(customerId: "cus_0006", channel: EMAIL, code: $c) { id } }', as.vera(), { c: await outboxCode('cus_0006', 'email') });
  await ok('mutation { markIdentityVerified(customerId: "cus_0006", method: "id-document", evidenceRef: "dms:2026/0006") { id } }', as.vera());
  await ok('mutation { startMyVerification(channel: PHONE) { expiresAt } }', as.self('cus_0001'));
  await ok('mutation($c: String!) { confirmMyVerification(channel: PHONE, code: $c) { id } }', as.self('cus_0001'), { c: await outboxCode('cus_0001', 'phone') });
  await ok('mutation { updateMyContact(input: { email: "camille.new@example.org" }) { email } }', as.self('cus_0001'));
  await ok('{ me { fullName email health { notes } consents { key granted } } }', as.self(customerZ));
  await ok('mutation { startMyVerification(channel: EMAIL) { expiresAt } }', as.self(customerZ));
  await ok('mutation { withdrawConsent(key: "marketing") { key granted } }', as.self(customerZ));

  // Raw copy of Z's documents, as a backup would hold them; then Z leaves, and pat erases cus_0002.
  copyZ = {
    customer: (await db.collection('customers').findOne({ _id: customerZ as never }))!,
    outbox: await db.collection('outbox').find({ customerId: customerZ }).toArray(),
  };
  const before = new FieldCipher(app.running.keyStore);
  openedBefore = {
    card: await before.decrypt(customerZ, 'paymentCard.number', copyZ.customer.paymentCard.number),
    notes: await before.decrypt(customerZ, 'health.notes', copyZ.customer.health.notes),
    code: (await openOutboxMessage(before, copyZ.outbox[0] as OutboxDoc)).code,
  };
  const left = await ok('mutation { leaveProgram(confirm: true) { status } }', as.self(customerZ));
  expect(left.leaveProgram.status).toBe('DONE');
  const erased = await ok('mutation { eraseCustomer(id: "cus_0002", reason: "subject erasure request") { status } }', as.pat());
  expect(erased.eraseCustomer.status).toBe('DONE');
});

afterAll(async () => {
  setLogSink(restoreSink);
  await client.close();
  await app.stop();
});

describe('after the workload, no restricted plaintext anywhere', () => {
  it('reads every collection raw, including all the ones the workload wrote', async () => {
    const dump = await dumpAll();
    for (const name of ['customers', 'accessLog', 'dataKeys', 'consentEvents', 'erasures', 'outbox', 'verificationCodes', 'tasks']) {
      expect(dump.get(name)?.length ?? 0, name).toBeGreaterThan(0);
    }
    // The scan does find values that are stored in clear (so a miss below means absence): a consent source label, a staff id.
    expect(occurrences(dump, 'dms:2026/0006')).toContain('customers');
    expect(occurrences(dump, 'vera')).toContain('accessLog');
  });

  it('no name, email, phone, birth date or street in clear in any document of any collection', async () => {
    const dump = await dumpAll();
    for (const value of PERSONAL) expect(occurrences(dump, value), value).toEqual([]);
    // The demo customers too: every one of them, read through the gateway, is absent from the raw bytes.
    const seen = await ok('{ customers(first: 5) { edges { node { fullName email phone address { street } } } } }', as.alice());
    for (const { node } of seen.customers.edges) {
      for (const value of [node.fullName, node.email, node.phone, node.address?.street].filter(Boolean)) expect(occurrences(dump, value as string), value as string).toEqual([]);
    }
  });

  it('no card number, health condition or note in any document of any collection', async () => {
    const dump = await dumpAll();
    for (const secret of RESTRICTED) expect(occurrences(dump, secret), secret).toEqual([]);
  });

  it('restricted attributes are stored as ciphertext, beside the card facts that may be shown', async () => {
    const x = await db.collection('customers').findOne({ 'paymentCard.last4': '5556' });
    expect(x?.paymentCard).toMatchObject({ brand: 'visa', last4: '5556', expiryMonth: 6, expiryYear: year });
    expect(Object.keys(x?.paymentCard.number).sort()).toEqual(['ct', 'iv', 'tag', 'v']);
  });

  it('the application log holds no restricted value, address, or bearer token, while it did log the workload', async () => {
    const log = logLines.join('\n');
    expect(logLines.some((l) => l.includes('one-time code'))).toBe(true);
    for (const secret of [...RESTRICTED, 'ines.workload@example.org', '+33612340099', 'camille.new@example.org']) expect(log.includes(secret), secret).toBe(false);
    for (const token of Object.values(app.tokens)) expect(log.includes(token.split('.')[2])).toBe(false);
    expect(log).not.toMatch(/"variables":\s*\{/);
  });
});

describe('crypto-shredding, end to end', () => {
  it('erasure removed every row about the customer (key, record, outbox, codes, consent events)', async () => {
    for (const [name, filter] of [['dataKeys', { _id: customerZ }], ['customers', { _id: customerZ }], ['outbox', { customerId: customerZ }], ['verificationCodes', { customerId: customerZ }], ['consentEvents', { customerId: customerZ }]] as const) {
      expect(await db.collection(name).countDocuments(filter as Document), name).toBe(0);
    }
  });

  it('the raw copy taken before erasure decrypts with nothing the system still holds', async () => {
    expect(Object.keys(copyZ.customer.paymentCard.number).sort()).toEqual(['ct', 'iv', 'tag', 'v']);
    expect(copyZ.outbox.length).toBeGreaterThan(0);
    const cipher = new FieldCipher(app.running.keyStore);
    await expect(cipher.decrypt(customerZ, 'paymentCard.number', copyZ.customer.paymentCard.number)).rejects.toBeInstanceOf(KeyShreddedError);
    await expect(cipher.decryptJson(customerZ, 'health.conditions', copyZ.customer.health.conditions)).rejects.toBeInstanceOf(KeyShreddedError);
    await expect(cipher.decrypt(customerZ, 'health.notes', copyZ.customer.health.notes)).rejects.toBeInstanceOf(KeyShreddedError);
    await expect(openOutboxMessage(cipher, copyZ.outbox[0] as OutboxDoc)).rejects.toBeInstanceOf(KeyShreddedError);
    // A key made later under the same id is a different key: the copy still does not open.
    await app.running.keyStore.create(customerZ);
    await expect(cipher.decrypt(customerZ, 'paymentCard.number', copyZ.customer.paymentCard.number)).rejects.toBeInstanceOf(DecryptionError);
    await expect(cipher.decrypt(customerZ, 'health.notes', copyZ.customer.health.notes)).rejects.toBeInstanceOf(DecryptionError);
    await app.running.keyStore.destroy(customerZ);
  });

  it('while the key existed, the same copy did decrypt (so the failures above are the shredding)', () => {
    expect(openedBefore).toEqual({ card: CARD_Z, notes: NOTE_Z, code: expect.stringMatching(/^[0-9]{6}$/) });
  });
});
