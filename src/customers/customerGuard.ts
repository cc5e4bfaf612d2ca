import type { GuardSpec } from '../server/guardFields';

const leaves = (group: string, names: string[]) => names.map((n) => `${group}.${n}`);
const ADDRESS = ['street', 'city', 'postalCode', 'country'];
const CARD = ['brand', 'last4', 'expiryMonth', 'expiryYear'];
const HEALTH = ['conditions', 'notes'];

function plain(names: string[]): Record<string, { path: string }> {
  return Object.fromEntries(names.map((n) => [n, { path: n }]));
}
function nested(group: string, names: string[]): Record<string, { path: string }> {
  return Object.fromEntries(names.map((n) => [n, { path: `${group}.${n}` }]));
}

/** Which GraphQL fields are customer attributes, and the attribute path each one is checked as. */
export const customerGuardSpec: GuardSpec = {
  subjectType: 'Customer',
  types: {
    Customer: {
      ...plain(['fullName', 'email', 'phone', 'birthDate', 'birthYear', 'segment', 'loyaltyTier', 'preferences', 'consents', 'verification', 'createdAt', 'updatedAt']),
      address: { group: 'address', leaves: leaves('address', ADDRESS) },
      paymentCard: { group: 'paymentCard', leaves: leaves('paymentCard', CARD) },
      health: { group: 'health', leaves: leaves('health', HEALTH) },
    },
    Address: nested('address', ADDRESS),
    PaymentCard: nested('paymentCard', CARD),
    Health: nested('health', HEALTH),
  },
};
