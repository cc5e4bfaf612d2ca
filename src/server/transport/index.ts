/**
 * Secure transport: HTTPS when TLS_CERT / TLS_KEY are set, HSTS on secure responses, and the refusal
 * of restricted inputs over plain HTTP in production (TRUST_PROXY: proxies whose X-Forwarded-Proto counts).
 */
export { createHttpServer, type ServerWithScheme } from './httpServer';
export { hsts, HSTS_MAX_AGE } from './hsts';
export { carriesRestrictedInput, DEFAULT_RESTRICTED_INPUT_TYPES } from './restrictedInputs';
export { secureTransportPlugin, type SecureTransportOptions } from './secureTransportPlugin';
