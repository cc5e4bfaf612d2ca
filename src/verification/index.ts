/**
 * Verification of identity, email and phone (`customers.verification`).
 *
 * - Email / phone: one-time codes (startVerification / confirmVerification for staff,
 *   startMyVerification / confirmMyVerification for customers). Codes are keyed hashes at rest
 *   (`verificationCodes`), valid 10 minutes, 5 attempts; delivered encrypted through `outbox`.
 * - Identity: markIdentityVerified(customerId, method, evidenceRef) by a verification officer.
 * - Changing a verified email or phone resets it: verificationResetFields / resetVerificationOnChange.
 */
import { CustomerVerificationResolver, VerificationStateResolver } from './verificationFieldResolvers';
import { VerificationSelfResolver } from './verificationSelfResolver';
import { VerificationStaffResolver } from './verificationStaffResolver';

export { Verification, VerificationChannel, VerificationState, VerificationStatus, VerificationStarted } from './verificationTypes';
export { normaliseVerification, type StoredVerification, type StoredVerificationState } from './verificationState';
export { changedChannels, resetVerificationOnChange, supersedeCodes, verificationResetFields, type BeforeChange, type ContactChange } from './resetOnChange';
export { verificationCodeModel, VERIFICATION_CODE_COLLECTION, type VerificationCodeDoc } from './codeModel';
export { outboxModel, OUTBOX_COLLECTION, type OutboxDoc } from './outboxModel';
export { openOutboxMessage, type CodeMessage } from './outboxMessage';
export { CODE_TTL_MS, MAX_ATTEMPTS, MAX_CODES_PER_HOUR, IDENTITY_METHODS } from './verificationSettings';

/** Resolvers of the staff schema (`/graphql`). */
export const VERIFICATION_STAFF_RESOLVERS: Function[] = [VerificationStaffResolver, CustomerVerificationResolver, VerificationStateResolver];
/** Resolvers of the self-service schema (`/self/graphql`). */
export const VERIFICATION_SELF_RESOLVERS: Function[] = [VerificationSelfResolver, CustomerVerificationResolver, VerificationStateResolver];
