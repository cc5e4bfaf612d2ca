/** How long a one-time code is valid: 10 minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong guesses allowed per code: 5; then the code is locked and a new one must be started. */
export const MAX_ATTEMPTS = 5;
/** Codes that may be started per customer and channel in one hour: 5 (limits message flooding). */
export const MAX_CODES_PER_HOUR = 5;
/** The method recorded for a channel confirmed by a one-time code. */
export const CODE_METHOD = 'one-time-code';
/** The outbox template of a verification code message. */
export const CODE_TEMPLATE = 'verification-code';
/** Methods a verification officer may record for an identity check. */
export const IDENTITY_METHODS = ['id-document', 'in-person', 'video-call', 'electronic-id', 'bank-reference'] as const;
