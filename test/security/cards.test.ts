import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInputObjectType, isObjectType, type GraphQLSchema } from 'graphql';
import { MongoClient } from 'mongodb';
import { PERSONAS } from '../../src/demo/personas';
import { FieldCipher } from '../../src/crypto';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { fullSelection, remoteSchema } from './introspect';

let app: TestApp;
let client: MongoClient;
/** Every full card number held in the database (decrypted here, as only the test can). */
let heldNumbers: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  client = await MongoClient.connect(app.db.uri);
  const withCards = await client.db(app.db.dbName).collection('customers').find({ paymentCard: { $ne: null } }).toArray();
  const cipher = new FieldCipher(app.running.keyStore);
  heldNumbers = [...new Set(await Promise.all(withCards.map((d) => cipher.decrypt(String(d._id), 'paymentCard.number', d.paymentCard.number))))];
});
afterAll(async () => {
  await client.close();
  await app.stop();
});

const SECURITY_CODE = /cvv|cvc|csc|cvn|securitycode|cardverification|pin$/i;
const BOB = () => ({ token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' });

function assertNoCardNumberField(schema: GraphQLSchema, audience: string) {
  const card = schema.getType('PaymentCard');
  if (isObjectType(card)) expect(Object.keys(card.getFields()).sort(), audience).toEqual(['brand', 'expiryMonth', 'expiryYear', 'last4']);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInputObjectType(type))) continue;
    for (const field of Object.keys(type.getFields())) {
      expect(SECURITY_CODE.test(field), `${audience} ${type.name}.${field}`).toBe(false);
      if (isObjectType(type) && /card/i.test(type.name)) expect(field, `${audience} ${type.name}`).not.toMatch(/number|pan/i);
    }
  }
  const input = schema.getType('PaymentCardInput');
  if (isInputObjectType(input)) expect(Object.keys(input.getFields()).sort()).toEqual(['expiryMonth', 'expiryYear', 'number']);
}

describe('the full card number is never readable', () => {
  it('the seed holds real-looking card numbers to look for', () => {
    expect(heldNumbers.length).toBeGreaterThanOrEqual(3);
  });

  it('no schema (staff, self, partner) has a field for the number or a security code', async () => {
    const audiences = [
      { endpoint: '/graphql', token: app.tokens.alice },
      { endpoint: '/self/graphql', token: app.tokens.customer },
      { endpoint: '/partner/graphql', token: app.tokens.shipfast },
    ];
    for (const a of audiences) assertNoCardNumberField(await remoteSchema(app.url, a.endpoint, a.token), a.endpoint);
    const staff = await remoteSchema(app.url, '/graphql', app.tokens.alice);
    expect(isObjectType(staff.getType('PaymentCard'))).toBe(true);
  });

  it('every persona, reading everything its schema offers, never receives a full number', async () => {
    for (const p of PERSONAS) {
      const token = app.tokens[p.name];
      const schema = await remoteSchema(app.url, p.endpoint, token);
      const query = p.endpoint === '/self/graphql'
        ? `{ me { ${fullSelection(schema, 'Customer')} } }`
        : `{ customers(first: 200) { edges { node { ${fullSelection(schema, 'Customer')} } } } }`;
      const r = await gql(app.url, query, { token, endpoint: p.endpoint, purpose: p.endpoint === '/self/graphql' ? undefined : p.purpose, task: p.task });
      const text = JSON.stringify(r);
      for (const n of heldNumbers) expect(text.includes(n), `${p.name} received a card number`).toBe(false);
      if (p.name === 'bob') expect(r.data?.customers.edges.length, p.name).toBeGreaterThan(0);
      if (p.name === 'customer') expect(r.data?.me.id, p.name).toBe('cus_0001');
      if (p.name === 'bob') expect(text).toMatch(/"last4":"[0-9]{4}"/);
      const asked = await gql(app.url, '{ customers(first: 5) { edges { node { paymentCard { number } } } } }', { token, endpoint: p.endpoint, purpose: p.purpose, task: p.task });
      expect(codes(asked), p.name).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    }
  });

  it('a card holder reading and exporting their own data sees brand and last 4, never the number', async () => {
    const bobs = await gql(app.url, '{ customers(first: 1) { edges { node { id paymentCard { last4 } } } } }', BOB());
    const holder = bobs.data?.customers.edges[0].node;
    expect(holder.paymentCard.last4).toMatch(/^[0-9]{4}$/);
    const token = app.sign({ kind: 'customer', sub: holder.id });
    const me = await gql(app.url, '{ me { paymentCard { brand last4 expiryMonth expiryYear } } }', { token, endpoint: '/self/graphql' });
    expect(me.data?.me.paymentCard.last4).toBe(holder.paymentCard.last4);
    const exported = await gql(app.url, 'mutation { exportMyData }', { token, endpoint: '/self/graphql' });
    expect(exported.errors).toBeUndefined();
    for (const n of heldNumbers) expect(JSON.stringify(exported).includes(n)).toBe(false);
  });
});

describe('updateCustomer with a bad card (HTTP): names the field and the rule, never echoes digits', () => {
  const year = new Date().getUTCFullYear();
  const UPDATE = 'mutation($id: ID!, $card: PaymentCardInput!) { updateCustomer(id: $id, input: { paymentCard: $card }) { id paymentCard { last4 } } }';
  const cases = [
    { number: '4111 1111 1111 1112', expiryMonth: 12, expiryYear: year + 1, field: 'input.paymentCard.number', rule: /Luhn/ },
    { number: '9999999999999995', expiryMonth: 12, expiryYear: year + 1, field: 'input.paymentCard.number', rule: /supported card brand/ },
    { number: '3782822463100052', expiryMonth: 12, expiryYear: year + 1, field: 'input.paymentCard.number', rule: /15 digits for its brand \(amex\)/ },
    { number: '4111-1111-abcd-1111', expiryMonth: 12, expiryYear: year + 1, field: 'input.paymentCard.number', rule: /only digits/ },
    { number: '4000056655665556', expiryMonth: 1, expiryYear: year - 1, field: 'input.paymentCard.expiryYear', rule: /expired/ },
    { number: '4000056655665556', expiryMonth: 13, expiryYear: year + 1, field: 'input.paymentCard.expiryMonth', rule: /1 to 12/ },
  ];

  it.each(cases)('$number / $expiryMonth: $field', async ({ number, expiryMonth, expiryYear, field, rule }) => {
    const id = (await gql(app.url, '{ customers(first: 1) { edges { node { id } } } }', BOB())).data?.customers.edges[0].node.id;
    const before = await client.db(app.db.dbName).collection('customers').findOne({ _id: id });
    const r = await gql(app.url, UPDATE, { ...BOB(), variables: { id, card: { number, expiryMonth, expiryYear } } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].extensions?.field).toBe(field);
    expect(r.errors?.[0].message).toMatch(rule);
    const digits = number.replace(/[^0-9]/g, '');
    const text = JSON.stringify(r);
    for (let i = 0; i + 4 <= digits.length; i += 1) expect(text.includes(digits.slice(i, i + 4)), `echoes ${i}`).toBe(false);
    expect(await client.db(app.db.dbName).collection('customers').findOne({ _id: id })).toEqual(before);
  });

  it('a number sent with the wrong GraphQL type is not echoed either (variables and inline)', async () => {
    const id = (await gql(app.url, '{ customers(first: 1) { edges { node { id } } } }', BOB())).data?.customers.edges[0].node.id;
    const asNumber = await gql(app.url, UPDATE, { ...BOB(), variables: { id, card: { number: 4000056655665556, expiryMonth: 1, expiryYear: year + 1 } } });
    expect(codes(asNumber)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(asNumber)).not.toContain('665556');
    const inline = await gql(app.url, `mutation { updateCustomer(id: "${id}", input: { paymentCard: { number: 4000056655665556, expiryMonth: 1, expiryYear: ${year + 1} } }) { id } }`, BOB());
    expect(codes(inline)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(inline)).not.toContain('665556');
    const cvv = await gql(app.url, UPDATE, { ...BOB(), variables: { id, card: { number: '4000056655665556', expiryMonth: 1, expiryYear: year + 1, cvv: '123' } } });
    expect(codes(cvv)).toEqual(['BAD_USER_INPUT']);
  });
});
