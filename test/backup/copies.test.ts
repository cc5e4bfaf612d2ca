/**
 * Every copy forgets: a backup is taken, a customer leaves, the backup is restored into a fresh
 * database; neither the restored database nor the backup files hold anything of that customer that
 * anything the system still holds can read. And a backup is refused when it was tampered with,
 * before anything is written.
 */
import { execFile } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BSON } from 'bson';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError, KeyShreddedError, LocalKeyProvider, openField, type DataKeyDoc } from '../../src/crypto';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';

const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const masterKey = randomBytes(32).toString('base64');
let app: TestApp;
let client: MongoClient;
let work: string;

const X = { fullName: 'Orla Backupsson', email: 'orla.backupsson@example.org', phone: '+33612349876', birthDate: '1979-11-23', street: '17 quai des Copies' };
const PERSONAL = [X.fullName, X.email, X.phone, X.birthDate, X.street];

interface Run { code: number; stdout: string; stderr: string }

/** Runs a CLI of src/cli with the app's database and key vault, as an operator would. */
function cli(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(tsx, [`src/cli/${script}.ts`, ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '', MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName, KEY_VAULT_URI: app.db.uri, KEY_VAULT_DB: app.config.keyVaultDb,
        MASTER_KEY: masterKey, JWT_SECRET: app.config.jwtSecret, LOG_LEVEL: 'error', ...env,
      },
    }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** Every document of a database, as raw BSON bytes per collection. */
async function rawBytes(db: Db): Promise<Map<string, Buffer[]>> {
  const out = new Map<string, Buffer[]>();
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    out.set(name, (await db.collection(name).find({}).toArray()).map((d) => Buffer.from(BSON.serialize(d))));
  }
  return out;
}
const holding = (dump: Map<string, Buffer[]>, text: string) => [...dump].filter(([, docs]) => docs.some((b) => b.includes(Buffer.from(text)))).map(([n]) => n);

let xId: string;
let backupDir: string;

beforeAll(async () => {
  app = await startTestApp({ env: { MASTER_KEY: masterKey }, keyProvider: LocalKeyProvider.fromBase64(masterKey) });
  client = await MongoClient.connect(app.db.uri);
  work = mkdtempSync(join(tmpdir(), 'copies-'));
  const enrolled = await gql(app.url, `mutation($in: EnrolCustomerInput!) { enrolCustomer(input: $in) { id } }`, {
    token: app.tokens.alice, purpose: 'onboarding',
    variables: { in: { fullName: X.fullName, email: X.email, phone: X.phone, birthDate: X.birthDate, address: { street: X.street, city: 'Lyon', postalCode: '69002', country: 'FR' }, consent: { storage: true } } },
  });
  expect(enrolled.errors).toBeUndefined();
  xId = enrolled.data!.enrolCustomer.id;
}, 60_000);

afterAll(async () => {
  await client.close();
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a backup, an erasure, a restore', () => {
  it('writes a backup of every collection but the key vault, with a manifest of checksums', async () => {
    backupDir = join(work, 'backup-1');
    const run = await cli('backup', ['--out', backupDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^backup bak_\S+: \d+ collections, \d+ documents, written to /);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
    const names = manifest.collections.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['customers', 'accessLog', 'consentEvents', 'tasks']));
    expect(names).not.toContain('dataKeys');
    expect(manifest.collections.every((c: { sha256: string }) => /^[0-9a-f]{64}$/.test(c.sha256))).toBe(true);
    // The backup is recorded for the records lifecycle.
    expect(await client.db(app.db.dbName).collection('backups').findOne({ _id: manifest.id })).toMatchObject({ documents: expect.any(Number) });
  });

  it('holds none of the personal attributes in clear, in any file', () => {
    const files = readdirSync(backupDir).map((f) => readFileSync(join(backupDir, f)));
    for (const value of PERSONAL) expect(files.some((b) => b.includes(Buffer.from(value))), value).toBe(false);
  });

  it('restores into a fresh database after the customer left: nothing of them is readable with anything the system holds', async () => {
    const left = await gql(app.url, 'mutation { leaveProgram(confirm: true) { status } }', { token: app.sign({ kind: 'customer', sub: xId }), endpoint: '/self/graphql' });
    expect(left.data?.leaveProgram.status).toBe('DONE');
    const fresh = `${app.db.dbName}-restored`;
    const run = await cli('restore', ['--from', backupDir], { DB_NAME: fresh });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/erased again/);
    expect(run.stdout).toMatch(/; 1 customer\(s\) erased since the backup/);
    const restored = client.db(fresh);
    expect(await restored.collection('customers').countDocuments({ _id: xId as never })).toBe(0); // erased again
    expect(await restored.collection('customers').countDocuments()).toBe(await app.models.customers.countDocuments()); // the demo data, less the erased customer
    const dump = await rawBytes(restored);
    for (const value of PERSONAL) expect(holding(dump, value), value).toEqual([]);
    // The backup still holds X's sealed document; with every key the vault holds, none of its values opens.
    const vaultKeys = await client.db(app.config.keyVaultDb).collection<DataKeyDoc>('dataKeys').find({}).toArray();
    expect(vaultKeys.some((k) => k._id === xId)).toBe(false);
    await expect(app.running.keyStore.get(xId)).rejects.toBeInstanceOf(KeyShreddedError);
    // X's sealed document, as the backup holds it (the backup's own key opens the file, as a thief holding the vault would)...
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
    const bytes = readFileSync(join(backupDir, 'customers.bson.enc'));
    const decipher = createDecipheriv('aes-256-gcm', await app.running.keyStore.get(`backup:${manifest.id}`), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${manifest.id}|customers`));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    const docs: Record<string, any>[] = [];
    for (let at = 0; at < plain.length; at += plain.readInt32LE(at)) docs.push(BSON.deserialize(plain.subarray(at, at + plain.readInt32LE(at))));
    const copy = docs.find((d) => d._id === xId)!;
    expect(copy.fullName).toHaveProperty('ct');
    // ...and not one of its values opens with any key the vault still holds.
    let tried = 0;
    for (const doc of vaultKeys) {
      const key = await app.running.keyStore.get(doc._id);
      for (const [path, value] of [['fullName', copy.fullName], ['email', copy.email], ['address.street', copy.address.street]] as const) {
        expect(() => openField(key, xId, path, value)).toThrow(DecryptionError);
        tried += 1;
      }
    }
    expect(tried).toBeGreaterThan(3000);
  }, 60_000);
});

describe('refused, with nothing written', () => {
  it('an output directory that exists, or whose parent is not writable', async () => {
    const exists = await cli('backup', ['--out', backupDir]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/--out .*: the directory already exists/);
    const locked = join(work, 'locked');
    mkdirSync(locked, { mode: 0o500 });
    chmodSync(locked, 0o500);
    const denied = await cli('backup', ['--out', join(locked, 'b')]);
    chmodSync(locked, 0o700);
    // root may write anywhere; then the refusal cannot be shown, but the backup must at least succeed cleanly.
    if (process.getuid?.() === 0) expect(denied.code).toBe(0);
    else expect(denied.stderr).toMatch(/is not writable/);
  });

  it('a restore into a database that is not empty', async () => {
    const run = await cli('restore', ['--from', backupDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the database .* is not empty .* nothing was restored/);
  });

  it('a backup with a changed file, a missing file, or a changed manifest', async () => {
    const target = `${app.db.dbName}-t${randomBytes(3).toString('hex')}`;
    const changed = join(work, 'changed');
    cpSync(backupDir, changed, { recursive: true });
    const file = join(changed, 'tasks.bson.enc');
    const bytes = readFileSync(file);
    bytes[20] ^= 0x01;
    writeFileSync(file, bytes);
    let run = await cli('restore', ['--from', changed], { DB_NAME: target });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/tasks\.bson\.enc was changed \(checksum\); nothing was restored/);

    const missing = join(work, 'missing');
    cpSync(backupDir, missing, { recursive: true });
    rmSync(join(missing, 'consentEvents.bson.enc'));
    run = await cli('restore', ['--from', missing], { DB_NAME: target });
    expect(run.stderr).toMatch(/consentEvents\.bson\.enc is missing; nothing was restored/);

    const forged = join(work, 'forged');
    cpSync(backupDir, forged, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(forged, 'manifest.json'), 'utf8'));
    manifest.collections = manifest.collections.filter((c: { name: string }) => c.name !== 'accessLog'); // drop the log from the backup
    writeFileSync(join(forged, 'manifest.json'), JSON.stringify(manifest));
    run = await cli('restore', ['--from', forged], { DB_NAME: target });
    expect(run.stderr).toMatch(/manifest\.json was changed \(its MAC does not verify\)/);
    expect((await client.db(target).listCollections().toArray()).length).toBe(0);
  }, 60_000);
});
