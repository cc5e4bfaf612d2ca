import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Principal, PrincipalKind } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { CLAIM_ID as ID } from '../core/ids';

const KINDS: readonly PrincipalKind[] = ['staff', 'partner', 'customer'];

export interface TokenClaims {
  sub: string;
  kind: PrincipalKind;
  roles?: string[];
  partner?: string;
}

/** What a verified token must also satisfy (config: JWT_MAX_TTL, JWT_ISSUER, JWT_AUDIENCE). */
export interface TokenRules {
  /** The longest lifetime, `exp` − `iat` (or − now without `iat`), in seconds. Default 43200 (12 h). */
  maxTtlSeconds?: number;
  /** Required `iss`. Default: not checked. */
  issuer?: string;
  /** Required `aud` (one of them, when a list). Default: not checked. */
  audience?: string;
}

/** Default JWT_MAX_TTL: 12 hours. */
export const DEFAULT_MAX_TTL_SECONDS = 12 * 3600;
/** Clock skew tolerated on `iat`, in seconds. */
const IAT_SKEW_SECONDS = 60;

/** Sign an HS256 bearer token (with `iat`, `exp`, and `iss` / `aud` when given). `expiresIn` defaults to 8 hours. */
export function signToken(
  secret: string, claims: TokenClaims, expiresIn: jwt.SignOptions['expiresIn'] = '8h', rules: Pick<TokenRules, 'issuer' | 'audience'> = {},
): string {
  const payload: Record<string, unknown> = { kind: claims.kind };
  if (claims.kind === 'staff') payload.roles = claims.roles ?? [];
  if (claims.kind === 'partner') payload.partner = claims.partner;
  return jwt.sign(payload, secret, {
    algorithm: 'HS256', subject: claims.sub, expiresIn,
    ...(rules.issuer ? { issuer: rules.issuer } : {}), ...(rules.audience ? { audience: rules.audience } : {}),
  });
}

class Refused extends Error {}

function unauthenticated(reason: string): SafeError {
  return new SafeError(ErrorCode.UNAUTHENTICATED, `Not authenticated: ${reason}`);
}

/**
 * The HMAC key of a secret, made once: given a string, jsonwebtoken tries to parse it as a public
 * key on every call before it uses it as a secret.
 */
const secretKeys = new Map<string, KeyObject>();
function secretKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    if (secretKeys.size > 8) secretKeys.clear();
    secretKeys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  }
  return key;
}

/** Verify a bearer token and turn its claims into a principal; any fault is UNAUTHENTICATED. */
export function verifyToken(secret: string, token: string, rules: TokenRules = {}): Principal {
  let claims: jwt.JwtPayload;
  const maxTtl = rules.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  try {
    const decoded = jwt.verify(token, secretKey(secret), {
      algorithms: ['HS256'], ...(rules.issuer ? { issuer: rules.issuer } : {}), ...(rules.audience ? { audience: rules.audience } : {}),
    });
    if (typeof decoded === 'string') throw new Error('string payload');
    const now = Math.floor(Date.now() / 1000);
    if (typeof decoded.exp !== 'number') throw new Refused('the token has no expiry ("exp" claim)');
    if (decoded.iat !== undefined && (typeof decoded.iat !== 'number' || decoded.iat > now + IAT_SKEW_SECONDS)) {
      throw new Refused('the token was issued in the future ("iat" claim)');
    }
    if (decoded.exp - (decoded.iat ?? now) > maxTtl) throw new Refused(`the token lives longer than the maximum of ${maxTtl} seconds ("exp" − "iat")`);
    claims = decoded;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw unauthenticated('the token has expired');
    if (err instanceof Refused) throw unauthenticated(err.message);
    if (err instanceof jwt.JsonWebTokenError && /^jwt (issuer|audience) invalid/.test(err.message)) {
      throw unauthenticated(`the token's ${err.message.includes('issuer') ? 'issuer ("iss" claim)' : 'audience ("aud" claim)'} is not the one this gateway accepts`);
    }
    throw unauthenticated('the token is invalid');
  }
  const kind = claims.kind as PrincipalKind;
  if (!KINDS.includes(kind)) throw unauthenticated('claim "kind" must be staff, partner or customer');
  if (typeof claims.sub !== 'string' || !ID.test(claims.sub)) throw unauthenticated('claim "sub" must be an id');
  if (kind === 'staff') {
    const roles = claims.roles;
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === 'string' && ID.test(r))) {
      throw unauthenticated('claim "roles" must be a non-empty array of role names for staff');
    }
    return { kind, id: claims.sub, roles: [...roles] };
  }
  if (kind === 'partner') {
    if (typeof claims.partner !== 'string' || !ID.test(claims.partner)) throw unauthenticated('claim "partner" must name the partner');
    return { kind, id: claims.sub, roles: [], partner: claims.partner };
  }
  return { kind, id: claims.sub, roles: [] };
}

/** The token from an `Authorization: Bearer <jwt>` header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  return m[1];
}
