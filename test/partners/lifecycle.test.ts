/**
 * Agreement changes over HTTP, without a restart: revoked and expired agreements refuse every request
 * (AGREEMENT_INACTIVE, logged), a new version reshapes the partner's schema, a bad file changes nothing.
 */
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { getIntrospectionQuery, type IntrospectionObjectType, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/logger';
import { registryOf } from '../../src/partners';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { MyTasksDocument, ParcelDocument } from '../operations/generated/partner-shipfast';
import { copyPolicies, type PolicyCopy } from '../policy/policyCopy';
import { IN_TASK, send, SHIPFAST } from './client';

let app: TestApp;
let copy: PolicyCopy;
const lines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;
beforeAll(async () => {
  copy = copyPolicies();
  app = await startTestApp({ env: { POLICIES_DIR: copy.dir } });
  restoreSink = setLogSink((l) => lines.push(l));
});
afterAll(async () => {
  setLogSink(restoreSink);
  await app.stop();
  copy.remove();
});

const FILE = 'partners/shipfast.yaml';
const registry = () => registryOf(app.running.services);
const parcel = () => send(app.url, ParcelDocument, { id: IN_TASK[0]! }, { ...SHIPFAST, token: app.tokens.shipfast });
const customerFields = async () => {
  const r = await gql<IntrospectionQuery>(app.url, getIntrospectionQuery(), { endpoint: SHIPFAST.endpoint, token: app.tokens.shipfast });
  const t = r.data!.__schema.types.find((x) => x.name === 'Customer') as IntrospectionObjectType;
  return t.fields.map((f) => f.name).sort();
};
const refusals = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'partner request refused: agreement not in force');

describe('agreement lifecycle without a restart', () => {
  it('serves shipfast while the agreement is in force', async () => {
    const r = await parcel();
    expect(r.errors).toBeUndefined();
    expect(r.data!.customer!.phone).toEqual(expect.any(String));
  });

  it('refuses every request once the agreement is revoked (the file watch picks it up), and logs each', async () => {
    const reloaded = once(registry(), 'reloaded');
    copy.edit(FILE, '  # revoked: { at: "2026-03-01", by: Privacy Office', '  revoked: { at: "2025-06-01", by: Privacy Office');
    await reloaded;
    const before = refusals().length;
    for (const r of [await parcel(), await send(app.url, MyTasksDocument, {}, { ...SHIPFAST, token: app.tokens.shipfast })]) {
      expect(codes(r)).toEqual(['AGREEMENT_INACTIVE']);
      expect(r.errors![0]!.extensions).toMatchObject({ partner: 'shipfast', reason: 'revoked' });
      expect(r.data).toBeUndefined();
    }
    const introspection = await gql(app.url, getIntrospectionQuery(), { endpoint: SHIPFAST.endpoint, token: app.tokens.shipfast });
    expect(codes(introspection)).toEqual(['AGREEMENT_INACTIVE']);
    expect(refusals().slice(before)).toHaveLength(3);
    expect(refusals().at(-1)).toMatchObject({ partner: 'shipfast', reason: 'revoked', version: '2025-01' });
  });

  it('refuses an expired agreement', async () => {
    copy.edit(FILE, '  revoked: { at: "2025-06-01"', '  # revoked: { at: "2025-06-01"');
    copy.edit(FILE, 'expiresAt: "2027-01-15"', 'expiresAt: "2025-12-31"');
    registry().reload();
    const r = await parcel();
    expect(codes(r)).toEqual(['AGREEMENT_INACTIVE']);
    expect(r.errors![0]!.extensions).toMatchObject({ reason: 'expired' });
  });

  it('serves a new agreement version with its own, narrower schema', async () => {
    copy.edit(FILE, 'expiresAt: "2025-12-31"', 'expiresAt: "2099-01-01"');
    copy.edit(FILE, 'version: "2025-01"', 'version: "2025-07"');
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, address]');
    expect(registry().reload().loaded).toEqual(['shipfast']);
    expect(await customerFields()).toEqual(['address', 'fullName', 'id']);
    const r = await parcel();
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.errors![0]!.message).toMatch(/Cannot query field "phone" on type "Customer"\.$/);
  });

  it('keeps the last good version when the file turns bad', async () => {
    copy.edit(FILE, 'read: [fullName, address]', 'read: [fullName, address, health]');
    const report = registry().reload();
    expect(report.rejected[0]!.error).toMatch(/needs restrictedApprovedBy/);
    expect(registry().get('shipfast')!.version).toBe('2025-07');
    expect(await customerFields()).toEqual(['address', 'fullName', 'id']);
  });

  it('refuses everything once the file is gone', async () => {
    rmSync(join(copy.dir, FILE));
    expect(registry().reload().removed).toEqual(['shipfast']);
    const r = await gql(app.url, '{ myTasks { id } }', { ...SHIPFAST, token: app.tokens.shipfast });
    expect(codes(r)).toEqual(['AGREEMENT_INACTIVE']);
    expect(r.errors![0]!.extensions).toMatchObject({ reason: 'missing' });
  });
});
