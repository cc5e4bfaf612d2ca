import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { bearerToken, signToken, verifyToken } from '../../src/auth/tokens';
import { SafeError } from '../../src/core/errors';

const secret = 's'.repeat(40);
const refused = (fn: () => unknown, reason: RegExp) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafeError);
  expect((err as SafeError).extensions.code).toBe('UNAUTHENTICATED');
  expect((err as SafeError).message).toMatch(reason);
};

describe('verifyToken', () => {
  it('turns the contract claims into a principal', () => {
    expect(verifyToken(secret, signToken(secret, { kind: 'staff', sub: 'alice', roles: ['support-agent'] }))).toEqual({ kind: 'staff', id: 'alice', roles: ['support-agent'] });
    expect(verifyToken(secret, signToken(secret, { kind: 'partner', sub: 'sf-dispatch', partner: 'shipfast' }))).toEqual({ kind: 'partner', id: 'sf-dispatch', roles: [], partner: 'shipfast' });
    expect(verifyToken(secret, signToken(secret, { kind: 'customer', sub: 'cus_0001' }))).toEqual({ kind: 'customer', id: 'cus_0001', roles: [] });
  });

  it('refuses a token without an expiry', () => {
    const forever = jwt.sign({ kind: 'staff', roles: ['supervisor'] }, secret, { algorithm: 'HS256', subject: 'sam' });
    refused(() => verifyToken(secret, forever), /no expiry/);
  });

  it('refuses ids that could pose as a task assignee of another kind (partner:<id>)', () => {
    refused(() => verifyToken(secret, signToken(secret, { kind: 'staff', sub: 'partner:shipfast', roles: ['fulfilment-coordinator'] })), /claim "sub"/);
    refused(() => verifyToken(secret, signToken(secret, { kind: 'partner', sub: 'x', partner: 'a:b' })), /claim "partner"/);
  });

  it('refuses other algorithms, bad kinds, missing roles and tampering', () => {
    refused(() => verifyToken(secret, jwt.sign({ kind: 'staff', roles: ['x'] }, secret, { algorithm: 'HS512', subject: 'a', expiresIn: 60 })), /invalid/);
    refused(() => verifyToken(secret, jwt.sign({ kind: 'robot' }, secret, { algorithm: 'HS256', subject: 'a', expiresIn: 60 })), /claim "kind"/);
    refused(() => verifyToken(secret, jwt.sign({ kind: 'staff' }, secret, { algorithm: 'HS256', subject: 'a', expiresIn: 60 })), /claim "roles"/);
    const [h, , s] = signToken(secret, { kind: 'staff', sub: 'alice', roles: ['support-agent'] }).split('.');
    const forged = Buffer.from(JSON.stringify({ kind: 'staff', roles: ['privacy-officer'], sub: 'alice', exp: 9999999999 })).toString('base64url');
    refused(() => verifyToken(secret, `${h}.${forged}.${s}`), /invalid/);
  });

  it('reads only "Bearer <token>" headers', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    refused(() => bearerToken('Basic abc'), /Bearer/);
  });
});
