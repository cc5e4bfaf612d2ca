/**
 * The consent ledger: every grant and withdrawal is an append-only event in `consentEvents`
 * (key, granted, at, source, textVersion); the current state stays on the customer
 * (`consentState`, `consents`) for fast row filters.
 */
export { CONSENT_SOURCES, ConsentLedgerAppendOnlyError, consentEventModel, purgeConsentEventsOf, type ConsentEventDoc, type ConsentEventModel, type ConsentSource } from './consentEventModel';
export { checkConsentKey } from './consentKeys';
export { consentHistoryOf, currentConsents, recordEnrolmentConsents, setConsent, type ConsentChangeResult, type LedgerServices } from './consentLedger';
