/**
 * A master-key rotation with gateways running: they are restarted with MASTER_KEY=<new> and
 * MASTER_KEY_PREVIOUS=<old>, serve every customer meanwhile and wrap new keys with the new one;
 * `npm run keys:rotate` in that same configuration rewraps the rest, after which the old key can go.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { generateMasterKey, LocalKeyProvider, type DataKeyDoc } from '../../src/crypto';
import { startGateway, type RunningGateway } from '../../src/server/startGateway';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';

const root = resolve(__dirname, '../..');
const OLD = generateMasterKey();
const NEW = generateMasterKey();
let app: TestApp;
let gateway: RunningGateway | null = null;

beforeAll(async () => {
  // The first gateway wraps every demo customer's key with the old master key.
  app = await startTestApp({ keyProvider: undefined, env: { MASTER_KEY: OLD } });
  await app.running.stop();
});
afterAll(async () => {
  await gateway?.stop().catch(() => undefined);
  await app.db.stop();
});

async function restart(env: Record<string, string>): Promise<string> {
  await gateway?.stop();
  gateway = null;
  const config = loadConfig({ ...envOf(app), SEED_DEMO: '0', ...env });
  gateway = await startGateway(config);
  return gateway.url;
}
function envOf(a: TestApp): Record<string, string> {
  return { JWT_SECRET: a.config.jwtSecret, MONGODB_URI: a.db.uri, KEY_VAULT_URI: a.db.uri, DB_NAME: a.db.dbName, PORT: '0' };
}
const providers = async () => {
  const conn = gateway!.keyStore.model;
  return (await conn.find({ _id: { $regex: '^cus_' } }).lean<DataKeyDoc[]>().exec()).map((d) => d.providerId);
};
const ALICE = () => ({ token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
const LIST = '{ customers { edges { node { id fullName email } } } }';

describe('MASTER_KEY_PREVIOUS', () => {
  it('without it, a gateway on the new key alone refuses to start, saying which setting is missing', async () => {
    await expect(restart({ MASTER_KEY: NEW })).rejects.toThrow(/no configured key provider has this id \(is the right MASTER_KEY, or MASTER_KEY_PREVIOUS, set\?\)/);
    await expect(restart({ MASTER_KEY: NEW })).rejects.not.toThrow(new RegExp(NEW.slice(0, 12).replace(/[+/]/g, '.')));
  });

  it('with it, the gateway serves every customer and wraps new keys with the new master key', async () => {
    const url = await restart({ MASTER_KEY: NEW, MASTER_KEY_PREVIOUS: OLD });
    const r = await gql(url, LIST, ALICE());
    expect(r.errors).toBeUndefined();
    expect(r.data!.customers.edges.length).toBeGreaterThan(0);
    for (const e of r.data!.customers.edges) expect(e.node.email).toMatch(/@/);

    const enrolled = await gql(url, 'mutation { enrolCustomer(input: { fullName: "Nouveau Client", email: "nouveau@example.org", consent: { storage: true } }) { id } }',
      { token: app.tokens.alice, purpose: 'onboarding' });
    expect(enrolled.errors).toBeUndefined();
    const ids = new Set(await providers());
    expect(ids).toEqual(new Set([LocalKeyProvider.fromBase64(OLD).id, LocalKeyProvider.fromBase64(NEW).id]));
  });

  it('keys:rotate in the same configuration rewraps the rest; then the new key alone serves everyone', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(join(root, 'node_modules/.bin/tsx'), ['src/cli/keysRotate.ts'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName, MASTER_KEY: NEW, MASTER_KEY_PREVIOUS: OLD },
      }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/keys:rotate: [1-9]\d* rewrapped, [1-9]\d* already under the new key, 0 failed/);
    expect(run.stdout).toContain('remove MASTER_KEY_PREVIOUS from the gateways and destroy the old key');
    expect(run.stdout + run.stderr).not.toContain(OLD);
    expect(run.stdout + run.stderr).not.toContain(NEW);

    const url = await restart({ MASTER_KEY: NEW });
    expect(new Set(await providers())).toEqual(new Set([LocalKeyProvider.fromBase64(NEW).id]));
    const r = await gql(url, LIST, ALICE());
    expect(r.errors).toBeUndefined();
    for (const e of r.data!.customers.edges) expect(e.node.email).toMatch(/@/);
  });
});
