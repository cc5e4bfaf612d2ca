/** Agreement lifecycle in the registry: in force, revoked, expired, missing; reload with validation. */
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/logger';
import { PartnerRegistry, partnerRoleId, type ReloadReport } from '../../src/partners';
import { buildAbility, decide, loadPolicies, type PolicySet } from '../../src/policy';
import { copyPolicies, type PolicyCopy } from '../policy/policyCopy';

let copy: PolicyCopy;
let base: PolicySet;
let registry: PartnerRegistry;
let lines: string[];
let restoreSink: ReturnType<typeof setLogSink>;
beforeEach(() => {
  copy = copyPolicies();
  base = loadPolicies(copy.dir);
  registry = PartnerRegistry.load(join(copy.dir, 'partners'), base);
  lines = [];
  restoreSink = setLogSink((l) => lines.push(l));
});
afterEach(() => {
  registry.close();
  setLogSink(restoreSink);
  copy.remove();
});

const FILE = 'partners/shipfast.yaml';
const shipfast = { kind: 'partner' as const, id: 'sf-dispatch', roles: [], partner: 'shipfast' };
const canRead = (policies: PolicySet, field: string) =>
  decide(buildAbility(policies, { principal: shipfast, purpose: 'order-fulfilment', task: { id: 't', customerIds: ['cus_1'] } }), 'read', 'Customer', { _id: 'cus_1' }, field).allowed;

describe('status', () => {
  it('is in force between signedAt and expiresAt, and not outside', () => {
    expect(registry.status('shipfast', new Date('2026-06-01T00:00:00Z')).active).toBe(true);
    expect(registry.status('shipfast', new Date('2027-01-15T00:00:00Z'))).toMatchObject({ active: false, reason: 'expired' });
    expect(registry.status('shipfast', new Date('2025-01-14T23:59:59Z'))).toMatchObject({ active: false, reason: 'not yet in force' });
  });

  it('is missing for an unknown partner or none', () => {
    expect(registry.status('acme')).toEqual({ active: false, reason: 'missing', agreement: null });
    expect(registry.status(undefined).active).toBe(false);
  });

  it('adds one partner role to the policy set, for partner principals of that partner only', () => {
    expect(registry.policies.roles.get(partnerRoleId('shipfast'))).toMatchObject({ kind: 'partner', partner: 'shipfast' });
    expect(base.roles.has(partnerRoleId('shipfast'))).toBe(false);
    expect(canRead(registry.policies, 'phone')).toBe(true);
    expect(canRead(registry.policies, 'email')).toBe(false);
  });
});

describe('reload', () => {
  it('revokes without a new version, from the time given', () => {
    copy.edit(FILE, '  # revoked: { at: "2026-03-01"', '  revoked: { at: "2026-03-01"');
    const report = registry.reload();
    expect(report).toEqual({ loaded: ['shipfast'], rejected: [], removed: [] });
    expect(registry.status('shipfast', new Date('2026-02-28T00:00:00Z')).active).toBe(true);
    expect(registry.status('shipfast', new Date('2026-03-01T00:00:00Z'))).toMatchObject({ active: false, reason: 'revoked' });
  });

  it('keeps the last good version when a file turns bad, and logs why', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, phone, address, segment]');
    const report = registry.reload();
    expect(report.loaded).toEqual([]);
    expect(report.rejected).toEqual([{ file: join(copy.dir, FILE), error: expect.stringMatching(/fields\.Customer\.read: grants read on Customer segment/) }]);
    expect(registry.get('shipfast')!.grants.Customer.read).not.toContain('segment');
    expect(registry.status('shipfast', new Date('2026-01-01')).active).toBe(true);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'partner agreement rejected; the last good version stays in force');
    expect(logged).toMatchObject({ level: 'error', kept: '2025-01', error: expect.stringContaining('shipfast.yaml') });
  });

  it('refuses new terms under the same version, and takes them under a new one', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, address]');
    expect(registry.reload().rejected[0]!.error).toMatch(/the terms changed but the version did not/);
    expect(canRead(registry.policies, 'phone')).toBe(true);

    copy.edit(FILE, 'version: "2025-01"', 'version: "2025-02"');
    const policies = new Promise<PolicySet>((resolve) => registry.once('policies', resolve));
    expect(registry.reload()).toEqual({ loaded: ['shipfast'], rejected: [], removed: [] });
    expect(registry.get('shipfast')!.version).toBe('2025-02');
    expect(canRead(registry.policies, 'phone')).toBe(false);
    return policies.then((p) => expect(p).toBe(registry.policies));
  });

  it('treats a removed file as a missing agreement', () => {
    rmSync(join(copy.dir, FILE));
    expect(registry.reload()).toEqual({ loaded: [], rejected: [], removed: ['shipfast'] });
    expect(registry.status('shipfast')).toMatchObject({ active: false, reason: 'missing' });
    expect(registry.policies.roles.has(partnerRoleId('shipfast'))).toBe(false);
  });

  it('reloads when a file in the folder changes', async () => {
    registry.watch({ signal: false, debounceMs: 10 });
    const reloaded = once(registry, 'reloaded') as Promise<[ReloadReport]>;
    copy.edit(FILE, '  # revoked: { at: "2026-03-01"', '  revoked: { at: "2025-06-01"');
    const [report] = await reloaded;
    expect(report.loaded).toEqual(['shipfast']);
    expect(registry.status('shipfast')).toMatchObject({ active: false, reason: 'revoked' });
  });

  it('reloads on SIGHUP', async () => {
    registry.watch({ debounceMs: 60_000 }); // the file watch stays quiet; only the signal reloads
    copy.edit(FILE, '  # revoked: { at: "2026-03-01"', '  revoked: { at: "2025-06-01"');
    const reloaded = once(registry, 'reloaded') as Promise<[ReloadReport]>;
    process.kill(process.pid, 'SIGHUP');
    const [report] = await reloaded;
    expect(report.loaded).toEqual(['shipfast']);
    expect(registry.status('shipfast')).toMatchObject({ active: false, reason: 'revoked' });
  });
});
