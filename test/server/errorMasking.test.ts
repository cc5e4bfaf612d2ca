import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeMessage } from '../../src/server/plugins/maskErrors';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const ENROL = 'mutation E($input: EnrolCustomerInput!) { enrolCustomer(input: $input) { id } }';
const UPDATE = 'mutation U($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { id } }';
const SECRETS = ['rue de la Paix', '+33612345678', 'on treatment since 2019', '4111111111111111', 'cvv 123', 'Jeanne'];
const leaked = (r: unknown) => SECRETS.filter((s) => JSON.stringify(r).includes(s));

describe('errors never echo input values, even values that look like message syntax', () => {
  it('a missing required field next to values containing "; " and \' at "\'', async () => {
    const r = await gql(app.url, ENROL, {
      token: app.tokens.alice, purpose: 'onboarding',
      variables: { input: { address: { street: '12; rue de la Paix at "input.x"; ', city: 'Paris' }, phone: '+33612345678', consent: { storage: true } } },
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].message).toBe('Invalid value for "$input.fullName": is required (type "String!")');
    expect(leaked(r)).toEqual([]);
  });

  it('an unknown field beside a health note', async () => {
    const r = await gql(app.url, UPDATE, {
      token: app.tokens.carla, purpose: 'care', task: 'tsk_care_carla',
      variables: { id: 'cus_0001', input: { health: { notes: 'HIV positive; on treatment since 2019', conditionz: ['x'] } } },
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].message).toBe('Invalid value for "$input.health": field "conditionz" is not defined by type "HealthInput"');
    expect(leaked(r)).toEqual([]);
  });

  it('a card expiry of the wrong type that carries the card number', async () => {
    const r = await gql(app.url, UPDATE, {
      token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob',
      variables: { id: 'cus_0001', input: { paymentCard: { number: '4111111111111111', expiryMonth: 'Dec; card 4111111111111111 cvv 123', expiryYear: 2030 } } },
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0].message).toBe('Invalid value for "$input.paymentCard.expiryMonth": must be an integer between -2147483648 and 2147483647');
    expect(leaked(r)).toEqual([]);
  });

  it('an inline literal of the wrong type', async () => {
    const r = await gql(app.url, 'mutation { updateCustomer(id: "cus_0001", input: { phone: 33612345678 }) { id } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.errors?.[0].message).toBe('Expected value of type "String": must be a string.');
    expect(JSON.stringify(r)).not.toContain('33612345678');
  });

  it('a syntax error inside a string', async () => {
    const r = await gql(app.url, '{ customer(id: "cus_0001") { "Jeanne 4111111111111111" } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(codes(r)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(leaked(r)).toEqual([]);
  });
});

describe('safeMessage', () => {
  it('keeps messages that carry no value', () => {
    expect(safeMessage('Variable "$id" of required type "ID!" was not provided.', undefined)).toBe('Variable "$id" of required type "ID!" was not provided.');
    expect(safeMessage('Cannot query field "emai" on type "Customer". Did you mean "email"?', undefined)).toBe('Cannot query field "emai" on type "Customer".');
  });
  it('drops a value it cannot delimit', () => {
    expect(safeMessage('Variable "$input" got invalid value "4111111111111111 unterminated', undefined)).toBe('Variable "$input" got an invalid value.');
    expect(safeMessage('Value "4111111111111111" does not exist in "VerificationChannel" enum.', undefined)).toBe('Expected value of type "VerificationChannel": the value does not fit the type.');
  });
});
