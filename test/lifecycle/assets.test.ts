/**
 * The storage-asset registry over HTTP: the live database registered once at first start (restarts
 * and a second instance add nothing), a device registered, reported insecure, sanitized, and its
 * certificate read; every bad input refused with a clear error and nothing changed; a backup taken
 * by `npm run backup` is an asset whose cryptographic erase destroys its key in the vault.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyProvider } from '../../src/crypto';
import { leafHashesOf } from '../../src/audit';
import { certificateModel, databaseAssetId, LIFECYCLE_RECORDS, storageAssetModel } from '../../src/lifecycle';
import { startGateway } from '../../src/server/startGateway';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

const root = resolve(__dirname, '../..');
const masterKey = randomBytes(32).toString('base64');
let app: TestApp;
let work: string;
beforeAll(async () => {
  app = await startTestApp({ env: { MASTER_KEY: masterKey, DISPOSAL_SCHEDULE: 'off' }, keyProvider: LocalKeyProvider.fromBase64(masterKey) });
  work = mkdtempSync(join(tmpdir(), 'assets-'));
}, 60_000);
afterAll(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});

const ASSET = 'id kind label status encrypted holdsCustomerData serialNumber history { status byRole note }';
const CERT = 'id assetId assetLabel method technique tool performedBy verifiedBy verification performedAt issuedAt issuedBy';
const rita = (variables: Record<string, unknown>) => ({ token: app.tokens.rita, purpose: 'records-management', variables });
const register = (input: Record<string, unknown>) => gql(app.url, `mutation($in: StorageAssetInput!) { registerStorageAsset(input: $in) { ${ASSET} } }`, rita({ in: input }));
const report = (id: string, status: string, note?: string) => gql(app.url, `mutation($id: ID!, $s: AssetStatus!, $n: String) { reportAssetStatus(id: $id, status: $s, note: $n) { ${ASSET} } }`, rita({ id, s: status, n: note }));
const sanitize = (id: string, input: Record<string, unknown>) => gql(app.url, `mutation($id: ID!, $in: SanitizationInput!) { sanitizeStorageAsset(id: $id, input: $in) { ${CERT} } }`, rita({ id, in: input }));
const LAPTOP = { kind: 'DEVICE', label: 'Support laptop 14', location: 'Lyon office, floor 2', custodian: 'IT service desk', mediaType: 'NVMe SSD', serialNumber: 'PF-3XK92L', encrypted: true, holdsCustomerData: true };
const PURGE = { method: 'PURGE', technique: 'NVMe Format with Secure Erase Settings = 1', tool: 'nvme-cli 2.8', performedBy: 'Ines Ortega (IT)', verifiedBy: 'Marc Dubois (security)', verification: 'read back 1% of LBAs at random: all zero', performedAt: '2026-12-01T10:00:00Z' };
const asset = (id: string) => storageAssetModel(app.running.services.conn).findById(id).lean().exec();
const certificates = () => certificateModel(app.running.services.conn).countDocuments().exec();

describe('the live database', () => {
  it('is registered at first start, once, across a restart and a second instance', async () => {
    const id = databaseAssetId(app.db.dbName);
    const second = await startGateway(app.config, { keyProvider: LocalKeyProvider.fromBase64(masterKey) });
    await second.stop();
    const [a, b] = await Promise.all([
      startGateway(app.config, { keyProvider: LocalKeyProvider.fromBase64(masterKey) }),
      startGateway(app.config, { keyProvider: LocalKeyProvider.fromBase64(masterKey) }),
    ]);
    await Promise.all([a.stop(), b.stop()]);
    const dbs = await storageAssetModel(app.running.services.conn).find({ kind: 'DATABASE' }).lean().exec();
    expect(dbs.map((d) => d._id)).toEqual([id]);
    expect(dbs[0]).toMatchObject({ status: 'IN_SERVICE', encrypted: true, holdsCustomerData: true });
    expect(dbs[0]!.history.length).toBe(1);
    expect(await app.running.services.conn.collection('storageAssetEvents').countDocuments({ assetId: id })).toBe(1);
  }, 60_000);

  it('a backup recorded while no gateway ran is registered at the next start', async () => {
    await app.running.services.conn.collection<{ _id: string }>('backups').insertOne({
      _id: 'bak_offline1', takenAt: new Date('2026-11-30T02:00:00Z'), location: '/backups/offline-1', database: app.db.dbName, collections: 3, documents: 9, manifestSha256: '0'.repeat(64),
    } as never);
    const again = await startGateway(app.config, { keyProvider: LocalKeyProvider.fromBase64(masterKey) });
    await again.stop();
    expect(await asset('ast_bak_offline1')).toMatchObject({ kind: 'BACKUP', status: 'IN_SERVICE', location: '/backups/offline-1', keyId: 'backup:bak_offline1', registeredAt: new Date('2026-11-30T02:00:00Z') });
  }, 60_000);

  it('cannot be retired nor sanitized', async () => {
    const id = databaseAssetId(app.db.dbName);
    const retire = await report(id, 'OBSOLETE');
    expect(codes(retire)).toEqual(['BAD_USER_INPUT']);
    expect(retire.errors![0]!.message).toContain('is the live database');
    expect(codes(await report(id, 'INSECURE', 'drill: database reported insecure'))).toEqual([]);
    const s = await sanitize(id, PURGE);
    expect(codes(s)).toEqual(['BAD_USER_INPUT']);
    expect(s.errors![0]!.extensions).toMatchObject({ field: 'id' });
    expect(s.errors![0]!.message).toContain('is the live database');
    expect((await asset(id))!.status).toBe('INSECURE');
  });
});

describe('a device: registered, reported insecure, sanitized, certified', () => {
  let id: string;
  let certId: string;
  it('is registered IN_SERVICE by the records manager', async () => {
    const r = await register(LAPTOP);
    expect(r.errors).toBeUndefined();
    id = r.data!.registerStorageAsset.id;
    expect(id).toMatch(/^ast_/);
    expect(r.data!.registerStorageAsset).toMatchObject({ kind: 'DEVICE', status: 'IN_SERVICE', serialNumber: 'PF-3XK92L', history: [{ status: 'IN_SERVICE', byRole: 'records-manager', note: null }] });
  });

  it('cannot be sanitized while in service', async () => {
    const s = await sanitize(id, PURGE);
    expect(s.errors![0]!.message).toContain('is in service: report it OBSOLETE or INSECURE first');
  });

  it('is reported insecure, which opens its sanitization', async () => {
    const r = await report(id, 'INSECURE', 'lost on a train, found two days later');
    expect(r.errors).toBeUndefined();
    expect(r.data!.reportAssetStatus.status).toBe('INSECURE');
    const due = await gql(app.url, '{ storageAssets(status: INSECURE) { edges { node { id } } } }', rita({}));
    expect(due.data!.storageAssets.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
  });

  it('bad sanitizations are refused with a clear error, and nothing changes', async () => {
    const before = { asset: await asset(id), certificates: await certificates() };
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['ast_nope', PURGE, 'id', 'is not a registered storage asset'],
      [id, { ...PURGE, verifiedBy: '' }, 'input.verifiedBy', 'is required: the person who verified'],
      [id, { ...PURGE, verifiedBy: '   ' }, 'input.verifiedBy', 'is required'],
      [id, { ...PURGE, technique: '' }, 'input.technique', 'must be 1 to 300 characters'],
      [id, { ...PURGE, verification: 'emailed to jane@example.org' }, 'input.verification', 'must not contain customer data'],
      [id, { ...PURGE, performedAt: 'yesterday' }, 'input.performedAt', 'ISO 8601'],
      [id, { ...PURGE, performedAt: '2999-01-01T00:00:00Z' }, 'input.performedAt', 'must not be in the future'],
    ];
    for (const [target, input, field, rule] of cases) {
      const r = await sanitize(target, input);
      expect(codes(r), field).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions, field).toMatchObject({ field });
      expect(r.errors![0]!.message, field).toContain(rule);
    }
    const method = await sanitize(id, { ...PURGE, method: 'WIPE' });
    expect(codes(method)).toEqual(['BAD_USER_INPUT']);
    expect(method.errors![0]!.message).toContain('SanitizationMethod');
    const noVerifier = { ...PURGE } as Record<string, unknown>;
    delete noVerifier.verifiedBy;
    const missing = await sanitize(id, noVerifier);
    expect(codes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(missing.errors![0]!.message).toContain('verifiedBy');
    expect({ asset: await asset(id), certificates: await certificates() }).toEqual(before);
  });

  it('is sanitized: a certificate with the NIST SP 800-88 fields, the asset SANITIZED', async () => {
    const r = await sanitize(id, PURGE);
    expect(r.errors).toBeUndefined();
    const cert = r.data!.sanitizeStorageAsset;
    certId = cert.id;
    expect(cert).toMatchObject({
      assetId: id, assetLabel: LAPTOP.label, method: 'PURGE', technique: PURGE.technique, tool: PURGE.tool, performedBy: PURGE.performedBy,
      verifiedBy: PURGE.verifiedBy, verification: PURGE.verification, performedAt: '2026-12-01T10:00:00.000Z', issuedBy: 'records-manager',
    });
    expect(cert.id).toMatch(/^cert_/);
    const after = await asset(id);
    expect(after!.status).toBe('SANITIZED');
    expect(after!.history.map((h) => h.status)).toEqual(['IN_SERVICE', 'INSECURE', 'SANITIZED']);
    expect(await app.running.services.conn.collection('storageAssetEvents').countDocuments({ assetId: id })).toBe(3);
  });

  it('the certificate is read by the records manager and by the privacy officer under audit', async () => {
    for (const who of [{ token: app.tokens.rita, purpose: 'records-management' }, { token: app.tokens.pat, purpose: 'audit' }]) {
      const r = await gql(app.url, `query($id: ID!) { disposalCertificate(id: $id) { ${CERT} } storageAsset(id: $id2) { status } }`.replace('$id: ID!', '$id: ID!, $id2: ID!'), { ...who, variables: { id: certId, id2: id } });
      expect(r.errors).toBeUndefined();
      expect(r.data!.disposalCertificate).toMatchObject({ id: certId, assetId: id, method: 'PURGE' });
      expect(r.data!.storageAsset.status).toBe('SANITIZED');
    }
  });

  it('cannot be sanitized twice', async () => {
    const before = await certificates();
    const r = await sanitize(id, { ...PURGE, method: 'DESTROY', technique: 'shredded to 2 mm' });
    expect(r.errors![0]!.message).toContain('was already sanitized');
    expect(await certificates()).toBe(before);
    expect((await asset(id))!.status).toBe('SANITIZED');
  });
});

describe('other bad inputs', () => {
  it('registration and status reports are validated', async () => {
    const email = await register({ ...LAPTOP, label: 'laptop of jane@example.org' });
    expect(email.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.label' });
    const serial = await register({ ...LAPTOP, serialNumber: 'has spaces in it' });
    expect(serial.errors![0]!.extensions).toMatchObject({ field: 'input.serialNumber' });
    const unknown = await report('ast_nope', 'OBSOLETE');
    expect(unknown.errors![0]!.message).toContain('is not a registered storage asset');
    const usb = await register({ kind: 'MEDIA', label: 'USB stick 7', location: 'safe B', custodian: 'records office', encrypted: false, holdsCustomerData: true });
    const usbId = usb.data!.registerStorageAsset.id;
    const sanitized = await report(usbId, 'SANITIZED');
    expect(sanitized.errors![0]!.message).toContain('must be OBSOLETE or INSECURE');
    await report(usbId, 'OBSOLETE');
    const crypto = await sanitize(usbId, { ...PURGE, method: 'CRYPTOGRAPHIC_ERASE' });
    expect(crypto.errors![0]!.message).toContain('CRYPTOGRAPHIC_ERASE needs an encrypted asset');
    expect((await asset(usbId))!.status).toBe('OBSOLETE');
    const destroyed = await sanitize(usbId, { ...PURGE, method: 'DESTROY', technique: 'shredded to 2 mm', tool: null });
    expect(destroyed.errors).toBeUndefined();
    expect((await asset(usbId))!.status).toBe('DESTROYED');
  });

  it('the privacy officer changes nothing, and others see nothing', async () => {
    const pat = await gql(app.url, 'mutation($in: StorageAssetInput!) { registerStorageAsset(input: $in) { id } }', { token: app.tokens.pat, purpose: 'audit', variables: { in: LAPTOP } });
    expect(codes(pat)).toEqual(['FORBIDDEN']);
    const alice = await gql(app.url, '{ storageAssets { edges { node { id } } } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(alice.data).toBeNull();
    expect(codes(alice)).toEqual(['FORBIDDEN']);
  });
});

describe('paging', () => {
  it('storageAssets pages by id with sealed cursors; a forged cursor is refused', async () => {
    const q = 'query($after: String) { storageAssets(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }';
    const first = await gql(app.url, q, rita({}));
    const second = await gql(app.url, q, rita({ after: first.data!.storageAssets.pageInfo.endCursor }));
    expect(first.data!.storageAssets.pageInfo.hasNextPage).toBe(true);
    const ids = [first, second].map((r) => r.data!.storageAssets.edges[0].node.id);
    expect(ids[0] < ids[1]!).toBe(true);
    const forged = await gql(app.url, q, rita({ after: 'not-a-cursor' }));
    expect(forged.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const all = await gql(app.url, '{ storageAssets(first: 500) { edges { node { id } } } }', rita({}));
    const n = await storageAssetModel(app.running.services.conn).countDocuments().exec();
    expect(all.data!.storageAssets.edges.length).toBe(n);
  });
});

describe('backups are assets', () => {
  it('npm run backup registers a BACKUP asset; its cryptographic erase destroys the backup key', async () => {
    const out = join(work, 'backup-1');
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', '--out', out], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName, KEY_VAULT_URI: app.db.uri, KEY_VAULT_DB: app.config.keyVaultDb, MASTER_KEY: masterKey, JWT_SECRET: app.config.jwtSecret, LOG_LEVEL: 'error' },
      }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [, backupId, assetId] = /^backup (bak_\S+): .*; storage asset (ast_bak_\S+)\n$/.exec(run.stdout)!;
    const stored = await asset(assetId!);
    expect(stored).toMatchObject({ kind: 'BACKUP', status: 'IN_SERVICE', encrypted: true, holdsCustomerData: true, location: out, keyId: `backup:${backupId}` });
    await expect(app.running.keyStore.get(`backup:${backupId}`)).resolves.toBeInstanceOf(Buffer);
    expect(codes(await report(assetId!, 'OBSOLETE', 'superseded by the weekly backup'))).toEqual([]);
    const r = await sanitize(assetId!, { ...PURGE, method: 'CRYPTOGRAPHIC_ERASE', technique: 'backup key destroyed in the key vault', tool: null, verification: 'npm run restore refuses it: key not in the vault' });
    expect(r.errors).toBeUndefined();
    expect((await asset(assetId!))!.status).toBe('SANITIZED');
    await expect(app.running.keyStore.get(`backup:${backupId}`)).rejects.toThrow();
  }, 60_000);
});

describe('the records this capability declares', () => {
  it('are every asset event and certificate written, each hashable as a transparency-log leaf, with no customer id', async () => {
    const conn = app.running.services.conn;
    for (const source of LIFECYCLE_RECORDS.filter((s) => s.collection !== 'disposalRunRecords')) {
      const docs = await conn.collection(source.collection).find({}).toArray();
      expect(docs.length, source.collection).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(leafHashesOf(source, doc as Record<string, unknown>).every((h) => h.length === 32)).toBe(true);
        expect(JSON.stringify(doc)).not.toMatch(/cus_/);
      }
    }
  });
});
