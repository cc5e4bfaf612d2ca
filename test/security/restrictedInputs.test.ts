import { describe, expect, it } from 'vitest';
import { getOperationAST, parse } from 'graphql';
import { buildStaffSchema } from '../support/schemas';
import { carriesRestrictedInput } from '../../src/server/plugins/secureTransport';

const schema = buildStaffSchema();
function carries(query: string, variables?: Record<string, unknown>): boolean {
  const doc = parse(query);
  return carriesRestrictedInput(schema, doc, getOperationAST(doc)!, variables);
}
const card = { number: '4111111111111111', expiryMonth: 1, expiryYear: 2099 };

describe('carriesRestrictedInput', () => {
  it('finds a card or health value in variables at any depth', () => {
    expect(carries('mutation($i: UpdateCustomerInput!) { updateCustomer(id: "x", input: $i) { id } }', { i: { paymentCard: card } })).toBe(true);
    expect(carries('mutation($i: UpdateCustomerInput!) { updateCustomer(id: "x", input: $i) { id } }', { i: { health: { notes: 'n' } } })).toBe(true);
    expect(carries('mutation($c: PaymentCardInput) { updateCustomer(id: "x", input: { paymentCard: $c }) { id } }', { c: card })).toBe(true);
  });

  it('ignores absent and null values', () => {
    expect(carries('mutation($i: UpdateCustomerInput!) { updateCustomer(id: "x", input: $i) { id } }', { i: { email: 'a@b.example', paymentCard: null } })).toBe(false);
    expect(carries('mutation($c: PaymentCardInput) { updateCustomer(id: "x", input: { paymentCard: $c }) { id } }', {})).toBe(false);
    expect(carries('mutation { updateCustomer(id: "x", input: { health: null, email: "a@b.example" }) { id } }')).toBe(false);
    expect(carries('{ customers(first: 1) { totalCount } }')).toBe(false);
  });

  it('finds inline values, in fragments and in variable defaults', () => {
    expect(carries('mutation { updateCustomer(id: "x", input: { health: { conditions: ["c"] } }) { id } }')).toBe(true);
    expect(carries('mutation { ...F } fragment F on Mutation { updateCustomer(id: "x", input: { paymentCard: { number: "1", expiryMonth: 1, expiryYear: 2099 } }) { id } }')).toBe(true);
    expect(carries('mutation($c: PaymentCardInput = { number: "1", expiryMonth: 1, expiryYear: 2099 }) { updateCustomer(id: "x", input: { paymentCard: $c }) { id } }', {})).toBe(true);
  });
});
