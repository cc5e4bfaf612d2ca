/**
 * `npm run disposal:run`: applies the retention schedule once (completing first any run a crash
 * left RUNNING) and prints each run's counts per rule.
 *
 *   MONGODB_URI=mongodb://… JWT_SECRET=… [DB_NAME=crm] [KEY_VAULT_URI=…] [KEY_VAULT_DB=…] [POLICIES_DIR=policies] npm run disposal:run [-- --dry-run]
 *
 * - MONGODB_URI (required): the gateway's database (with the embedded dev store, the URI it prints).
 * - JWT_SECRET: the gateway's, so the erasure receipts of retention get the references the gateway computes.
 * - KEY_VAULT_URI, KEY_VAULT_DB: the key vault, as for the gateway; erasure destroys data keys there (no master key needed).
 * - `--dry-run`: count what would be disposed of, change nothing (the run is recorded as a dry run).
 * - `--wait <ms>`: how long to wait for the disposal lease if another instance holds it. Default: DISPOSAL_LEASE_MS + 1 s.
 * - `--pause-after <k>`: for drills of the resume: stop after step k and wait to be killed.
 * Exit 0 when every run is DONE, 1 on a failure (the message says why), 2 when the lease stayed taken.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { KeyStore, type KeyProvider } from '../crypto';
import { connectMongoose } from '../db/connect';
import { erasureRefKey } from '../erasure';
import { checkAgainstManifests, DisposalBusy, loadRetention, runDisposal, type DisposalRunDoc } from '../lifecycle';
import { CAPABILITIES } from '../server/capabilities';

const shredOnly: KeyProvider = {
  id: 'disposal-run:shred-only',
  wrap: () => Promise.reject(new Error('disposal:run never wraps data keys')),
  unwrap: () => Promise.reject(new Error('disposal:run never unwraps data keys')),
};

function describe(run: DisposalRunDoc, how: string): string {
  const lines = [`disposal:run: ${how} ${run._id}${run.dryRun ? ' (dry run)' : ''}: ${run.status}, ${run.items.reduce((n, i) => n + i.count, 0)} record(s)`];
  for (const i of run.items) lines.push(`  ${i.rule.padEnd(24)} ${i.data.padEnd(20)} ${i.action.padEnd(6)} ${i.count}`);
  return lines.join('\n') + '\n';
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean' }, wait: { type: 'string' }, 'pause-after': { type: 'string' } } });
  const uri = process.env.MONGODB_URI?.trim();
  if (!uri) {
    process.stderr.write('disposal:run failed: MONGODB_URI is required: the database of the gateway\n');
    return 1;
  }
  const config = loadConfig();
  const waitMs = values.wait !== undefined ? Number(values.wait) : config.disposalLeaseMs + 1000;
  const pauseAfter = values['pause-after'] !== undefined ? Number(values['pause-after']) : undefined;
  if (!Number.isInteger(waitMs) || waitMs < 0) throw new Error('--wait must be a number of milliseconds (0 or more)');
  if (pauseAfter !== undefined && (!Number.isInteger(pauseAfter) || pauseAfter < 1)) throw new Error('--pause-after must be a step number (1 or more)');
  const schedule = loadRetention(config.policiesDir);
  checkAgainstManifests(schedule, CAPABILITIES);
  const conn = await connectMongoose(uri, config.dbName);
  const vault = await connectMongoose(config.keyVaultUri ?? uri, config.keyVaultDb);
  try {
    const svc = {
      conn, schedule, leaseMs: config.disposalLeaseMs, records: CAPABILITIES.flatMap((c) => c.records ?? []),
      erasure: { conn, keys: new KeyStore(vault, shredOnly), stores: CAPABILITIES.flatMap((c) => c.stores ?? []), refKey: erasureRefKey(config.jwtSecret) },
    };
    const afterStep = async (k: number, rule: string, run: string) => {
      if (k !== pauseAfter) return;
      process.stdout.write(`disposal:run: paused after step ${k} (${rule}) of ${run}\n`);
      await new Promise(() => undefined);
    };
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        const { resumed, run } = await runDisposal(svc, { dryRun: values['dry-run'] ?? false, afterStep });
        for (const r of resumed) process.stdout.write(describe(r, 'resumed'));
        process.stdout.write(describe(run, 'run'));
        return [...resumed, run].every((r) => r.status === 'DONE') ? 0 : 1;
      } catch (err) {
        if (!(err instanceof DisposalBusy)) throw err;
        if (Date.now() >= until) {
          process.stderr.write(`disposal:run: ${err.message}; gave up waiting\n`);
          return 2;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await conn.close();
    await vault.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`disposal:run failed: ${err.name}: ${err.message}\n`);
    process.exit(1);
  },
);
