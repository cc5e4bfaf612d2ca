/** Token lifetime, issue time, issuer and audience (issue 10, deliverable 5), without HTTP; hardening.test.ts checks them over HTTP. */
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TTL_SECONDS, signToken, verifyToken } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import { SafeError } from '../../src/core/errors';

const secret = 'k'.repeat(40);
const now = () => Math.floor(Date.now() / 1000);
const staff = { kind: 'staff', roles: ['support-agent'] };
/** A given iat is kept; without one, none is added (noTimestamp would also drop a given one). */
const raw = (payload: Record<string, unknown>) =>
  jwt.sign({ ...staff, sub: 'alice', ...payload }, secret, { algorithm: 'HS256', noTimestamp: !('iat' in payload) });

function refusal(fn: () => unknown): SafeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SafeError);
    expect((e as SafeError).code).toBe('UNAUTHENTICATED');
    return e as SafeError;
  }
  throw new Error('the token was accepted');
}

describe('token lifetime', () => {
  it('accepts a token of exactly the maximum lifetime (12 h by default), as bench/serve.ts signs them', () => {
    expect(DEFAULT_MAX_TTL_SECONDS).toBe(43200);
    expect(verifyToken(secret, signToken(secret, { kind: 'staff', sub: 'alice', roles: ['support-agent'] }, '12h')).id).toBe('alice');
    const t = now();
    expect(verifyToken(secret, raw({ iat: t, exp: t + 43200 })).id).toBe('alice');
  });

  it('refuses a lifetime one second above the maximum, and exp 10^15', () => {
    const t = now();
    expect(refusal(() => verifyToken(secret, raw({ iat: t, exp: t + 43201 }))).message).toMatch(/longer than the maximum of 43200 seconds/);
    expect(refusal(() => verifyToken(secret, raw({ iat: t, exp: 1e15 }))).message).toMatch(/longer than the maximum/);
    expect(refusal(() => verifyToken(secret, raw({ exp: 1e15 }))).message).toMatch(/longer than the maximum/); // no iat: counted from now
  });

  it('applies JWT_MAX_TTL', () => {
    const t = now();
    expect(refusal(() => verifyToken(secret, raw({ iat: t, exp: t + 3601 }), { maxTtlSeconds: 3600 })).message).toMatch(/3600 seconds/);
    expect(verifyToken(secret, raw({ iat: t, exp: t + 3600 }), { maxTtlSeconds: 3600 }).id).toBe('alice');
    expect(loadConfig({ JWT_SECRET: secret, JWT_MAX_TTL: '90m' }).jwtMaxTtlSeconds).toBe(5400);
    expect(loadConfig({ JWT_SECRET: secret }).jwtMaxTtlSeconds).toBe(43200);
    expect(() => loadConfig({ JWT_SECRET: secret, JWT_MAX_TTL: 'forever' })).toThrow(/JWT_MAX_TTL: must be a duration in range \(expected 60s\.\.31536000s, e\.g\. 12h, 90m or 3600, received "forever"\)/);
  });

  it('refuses a token without exp, and one issued in the future', () => {
    expect(refusal(() => verifyToken(secret, raw({ iat: now() }))).message).toMatch(/no expiry/);
    const later = now() + 3600;
    expect(refusal(() => verifyToken(secret, raw({ iat: later, exp: later + 60 }))).message).toMatch(/issued in the future/);
    // A few seconds of clock skew pass.
    expect(verifyToken(secret, raw({ iat: now() + 5, exp: now() + 600 })).id).toBe('alice');
  });
});

describe('issuer and audience', () => {
  const rules = { issuer: 'https://idp.example', audience: 'purpose-gateway' };
  const claims = { kind: 'staff' as const, sub: 'alice', roles: ['support-agent'] };

  it('accepts tokens signed with the configured iss and aud', () => {
    expect(verifyToken(secret, signToken(secret, claims, '1h', rules), rules).id).toBe('alice');
  });

  it('refuses a wrong or missing aud, and a wrong iss, when configured', () => {
    expect(refusal(() => verifyToken(secret, signToken(secret, claims, '1h', { ...rules, audience: 'other' }), rules)).message).toMatch(/audience \("aud" claim\)/);
    expect(refusal(() => verifyToken(secret, signToken(secret, claims, '1h', { issuer: rules.issuer }), rules)).message).toMatch(/audience/);
    expect(refusal(() => verifyToken(secret, signToken(secret, claims, '1h', { ...rules, issuer: 'https://evil.example' }), rules)).message).toMatch(/issuer \("iss" claim\)/);
  });

  it('does not check them when unset', () => {
    expect(verifyToken(secret, signToken(secret, claims, '1h', { audience: 'anything' })).id).toBe('alice');
  });

  it('validates JWT_ISSUER and JWT_AUDIENCE up front', () => {
    expect(loadConfig({ JWT_SECRET: secret, JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'gw' })).toMatchObject({ jwtIssuer: 'https://idp.example', jwtAudience: 'gw' });
    expect(() => loadConfig({ JWT_SECRET: secret, JWT_AUDIENCE: 'two words' })).toThrow(/JWT_AUDIENCE: must be a printable string without spaces/);
  });
});
