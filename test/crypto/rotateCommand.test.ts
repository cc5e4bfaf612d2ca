import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher, KeyStore, LocalKeyProvider, generateMasterKey, type DataKeyDoc } from '../../src/crypto';
import { openCryptoDb, uriWithDatabase, type CryptoTestDb } from './cryptoDb';

const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run keys:rotate`'s script with exactly `env` (plus PATH), asynchronously (the embedded store lives in this process). */
function rotate(env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(tsx, ['src/cli/keysRotate.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let t: CryptoTestDb;
let uri: string;
let dir: string;

beforeAll(async () => {
  t = await openCryptoDb();
  uri = uriWithDatabase(t.db.uri, t.db.dbName);
  dir = mkdtempSync(join(tmpdir(), 'rotate-'));
});
afterAll(async () => {
  await t.stop();
});

describe('npm run keys:rotate', () => {
  it('requires MONGODB_URI', async () => {
    const run = await rotate({ NEW_MASTER_KEY: generateMasterKey(), MASTER_KEY: generateMasterKey() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MONGODB_URI is required for keys:rotate');
  });

  it('requires a valid NEW_MASTER_KEY and never prints it', async () => {
    const missing = await rotate({ MONGODB_URI: uri, KEY_VAULT_DB: t.db.dbName, MASTER_KEY: generateMasterKey() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NEW_MASTER_KEY is required');
    const short = randomBytes(20).toString('base64');
    const bad = await rotate({ MONGODB_URI: uri, KEY_VAULT_DB: t.db.dbName, MASTER_KEY: generateMasterKey(), NEW_MASTER_KEY: short });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('NEW_MASTER_KEY decodes to 20 bytes, expected 32');
    expect(bad.stderr + bad.stdout).not.toContain(short);
  });

  it('rewraps the data keys under NEW_MASTER_KEY, prints counts, and replaces the dev key file', async () => {
    const keyFile = join(dir, 'master.key');
    const oldKey = generateMasterKey();
    writeFileSync(keyFile, oldKey + '\n', { mode: 0o600 });
    const oldProvider = LocalKeyProvider.fromBase64(oldKey);
    const oldStore = new KeyStore(t.conn, oldProvider);
    await oldStore.createMany(['cus_c1', 'cus_c2', 'cus_c3']);
    const cipher = new FieldCipher(oldStore);
    const stored = await Promise.all(['cus_c1', 'cus_c2', 'cus_c3'].map(async (id) => [id, await cipher.encrypt(id, 'health.notes', `n-${id}`)] as const));

    const newKey = generateMasterKey();
    const run = await rotate({ MONGODB_URI: uri, KEY_VAULT_DB: t.db.dbName, MASTER_KEY_FILE: keyFile, NEW_MASTER_KEY: newKey });
    expect(run.code).toBe(0);
    const logLines = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(logLines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logLines.map((l) => l.msg)).toContain('crypto: data keys rotated');
    expect(run.stderr).not.toContain(newKey);
    expect(run.stderr).not.toContain(oldKey);
    expect(run.stdout).toContain('3 rewrapped, 0 already under the new key, 0 failed, 0 destroyed during the run');
    expect(run.stdout).toContain(`the key file ${keyFile} now holds the new master key`);
    expect(run.stdout).not.toContain(newKey);
    expect(run.stdout).not.toContain(oldKey);

    expect(readFileSync(keyFile, 'utf8').trim()).toBe(newKey);
    if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const newProvider = LocalKeyProvider.fromBase64(newKey);
    const docs = await t.raw<DataKeyDoc>('dataKeys').find().toArray();
    expect(docs.map((d) => d.providerId)).toEqual([newProvider.id, newProvider.id, newProvider.id]);
    const reader = new FieldCipher(new KeyStore(t.conn, newProvider).forRequest());
    for (const [id, value] of stored) expect(await reader.decrypt(id, 'health.notes', value)).toBe(`n-${id}`);

    // With MASTER_KEY instead of a key file, it tells the operator to switch MASTER_KEY.
    const next = generateMasterKey();
    const again = await rotate({ MONGODB_URI: uri, KEY_VAULT_DB: t.db.dbName, MASTER_KEY: newKey, NEW_MASTER_KEY: next });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('3 rewrapped');
    expect(again.stdout).toContain('now set MASTER_KEY to the new key');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(newKey);
  });
});
