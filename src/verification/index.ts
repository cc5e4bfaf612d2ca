/**
 * Verification of identity, email and phone (`customers.verification`): one-time codes for email
 * and phone (keyed hashes at rest, delivered encrypted through the outbox), identity checks by a
 * verification officer, and the reset of a verification when what it vouched for changes.
 */
import type { Capability, GuardSpec } from '../core/capability';
import { VERIFICATION_CODE_COLLECTION } from './codes';
import { OUTBOX_COLLECTION } from './outbox';
import { CustomerVerificationResolver, VerificationSelfResolver, VerificationStaffResolver } from './resolvers';
import { resetOnChange } from './reset';
import { shownVerification } from './state';

/** Customer.verification, a guarded attribute contributed by this capability. */
const VERIFICATION_GUARD: GuardSpec = {
  subjectType: 'Customer',
  root: 'Customer',
  types: { Customer: { verification: { kind: 'leaf', path: 'verification', value: (read, ctx) => shownVerification(read('verification'), ctx.audience) } } },
  encrypted: {},
};

export const verificationCapability: Capability = {
  name: 'verification',
  resolvers: {
    staff: [VerificationStaffResolver, CustomerVerificationResolver],
    self: [VerificationSelfResolver, CustomerVerificationResolver],
  },
  guards: [VERIFICATION_GUARD],
  stores: [
    { collection: OUTBOX_COLLECTION, customerKey: 'customerId' },
    { collection: VERIFICATION_CODE_COLLECTION, customerKey: 'customerId' },
  ],
  onCustomerWrite: resetOnChange,
};

export { CODE_TTL_MS, MAX_ATTEMPTS, MAX_CODES_PER_HOUR, VERIFICATION_CODE_COLLECTION, verificationCodeModel, type VerificationCodeDoc } from './codes';
export { OUTBOX_COLLECTION, openOutboxMessage, outboxModel, type CodeMessage, type OutboxDoc } from './outbox';
export { IDENTITY_METHODS, normaliseVerification, shownVerification, Verification, VERIFICATION_ITEMS, VerificationChannel, VerificationState, VerificationStatus, type StoredVerification, type StoredVerificationState } from './state';
