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

/** Sign an HS256 bearer token. `expiresIn` defaults to 8 hours. */
export function signToken(secret: string, claims: TokenClaims, expiresIn: jwt.SignOptions['expiresIn'] = '8h'): string {
  const payload: Record<string, unknown> = { kind: claims.kind };
  if (claims.kind === 'staff') payload.roles = claims.roles ?? [];
  if (claims.kind === 'partner') payload.partner = claims.partner;
  return jwt.sign(payload, secret, { algorithm: 'HS256', subject: claims.sub, expiresIn });
}

class MissingExpiry extends Error {}

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
export function verifyToken(secret: string, token: string): Principal {
  let claims: jwt.JwtPayload;
  try {
    const decoded = jwt.verify(token, secretKey(secret), { algorithms: ['HS256'] });
    if (typeof decoded === 'string') throw new Error('string payload');
    if (typeof decoded.exp !== 'number') throw new MissingExpiry();
    claims = decoded;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw unauthenticated('the token has expired');
    if (err instanceof MissingExpiry) throw unauthenticated('the token has no expiry ("exp" claim)');
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
