/**
 * Customers: the customer document, its guarded attributes, and the staff operations on it.
 * Other capabilities read and write customers only through ./store.
 */
import type { Capability, GuardedField, GuardSpec } from '../core/capability';
import { ENCRYPTED } from './sealing';
import { currentConsents, deleteCustomerDocument, exportAttributes } from './store';
import { CustomerResolver } from './resolvers';

const leaf = (path: string, extra: Partial<Extract<GuardedField, { kind: 'leaf' }>> = {}): GuardedField => ({ kind: 'leaf', path, ...extra });
const leaves = (group: string, names: readonly string[]) => Object.fromEntries(names.map((n) => [n, leaf(`${group}.${n}`)]));

/** Which GraphQL fields are customer attributes, and the attribute path each one is checked as. */
export const CUSTOMER_GUARD: GuardSpec = {
  subjectType: 'Customer',
  root: 'Customer',
  types: {
    Customer: {
      id: { kind: 'id' },
      fullName: leaf('fullName'),
      email: leaf('email'),
      phone: leaf('phone'),
      birthDate: leaf('birthDate'),
      birthYear: leaf('birthYear', {
        value: (read) => {
          const d = read('birthDate');
          return typeof d === 'string' ? Number(d.slice(0, 4)) : null;
        },
        needs: ['birthDate'],
      }),
      address: { kind: 'group', path: 'address', type: 'Address' },
      segment: leaf('segment'),
      loyaltyTier: leaf('loyaltyTier'),
      preferences: leaf('preferences'),
      paymentCard: { kind: 'group', path: 'paymentCard', type: 'PaymentCard' },
      health: { kind: 'group', path: 'health', type: 'Health' },
      consents: leaf('consents', { value: (read, ctx) => currentConsents(ctx.services.policies, { consents: read('consents') as never, consentState: read('consentState') as never, createdAt: read('createdAt') as Date }), needs: ['consents', 'consentState', 'createdAt'] }),
      createdAt: leaf('createdAt'),
      updatedAt: leaf('updatedAt'),
    },
    Address: leaves('address', ['street', 'city', 'postalCode', 'country']),
    PaymentCard: leaves('paymentCard', ['brand', 'last4', 'expiryMonth', 'expiryYear']),
    Health: leaves('health', ['conditions', 'notes']),
  },
  encrypted: ENCRYPTED,
};

export const customersCapability: Capability = {
  name: 'customers',
  resolvers: { staff: [CustomerResolver] },
  guards: [CUSTOMER_GUARD],
  stores: [{ collection: 'customers', customerKey: '_id', erase: deleteCustomerDocument, eraseLast: true, export: { key: 'customer', read: exportAttributes } }],
};

export type { CustomerDoc, StoredCustomer, ConsentEntry } from './model';
export { Address, Consent, Customer, CustomerConnection, CustomerFilter, Health, PaymentCard } from './types';
export * from './store';
export { WRITE_GROUPS } from './resolvers';
export { decadeOf, ENCRYPTED, INDEX_NAME, sealWrite } from './sealing';
export { ISO_3166_ALPHA2 } from './input/address';
