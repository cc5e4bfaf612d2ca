/**
 * `npm run erasure:resume`: completes every erasure that a crash left PENDING.
 *
 *   MONGODB_URI=mongodb://… [DB_NAME=crm] [KEY_VAULT_URI=…] [KEY_VAULT_DB=…] npm run erasure:resume
 *
 * - MONGODB_URI (required): the gateway's database. With the embedded dev store, use the loopback
 *   URI the gateway prints at startup while it runs (the gateway also resumes by itself at start).
 * - DB_NAME: the database name, as for the gateway. Default `crm`.
 * - KEY_VAULT_URI, KEY_VAULT_DB: the key vault, as for the gateway (default: MONGODB_URI, `<DB_NAME>-keys`),
 *   where the customers' data keys are destroyed.
 * No master key is needed: erasure only destroys data keys, it never unwraps one.
 * Safe to rerun: every step is idempotent and recorded.
 */
import 'reflect-metadata';
import { loadConfig } from '../config';
import type { KeyProvider } from '../crypto';
import { KeyStore } from '../crypto';
import { connectMongoose } from '../db/connect';
import { erasureRefKey, resumeErasures } from '../erasure';
import { CAPABILITIES } from '../server/capabilities';

/** Erasure never wraps or unwraps a data key; this provider refuses to. */
const shredOnly: KeyProvider = {
  id: 'erasure-resume:shred-only',
  wrap: () => Promise.reject(new Error('erasure:resume never wraps data keys')),
  unwrap: () => Promise.reject(new Error('erasure:resume never unwraps data keys')),
};

async function main(): Promise<number> {
  const uri = process.env.MONGODB_URI?.trim();
  if (!uri) {
    process.stderr.write('erasure:resume failed: MONGODB_URI is required: the database of the gateway\n');
    return 1;
  }
  const config = loadConfig();
  const conn = await connectMongoose(uri, config.dbName);
  const vault = await connectMongoose(config.keyVaultUri ?? uri, config.keyVaultDb);
  try {
    const stores = CAPABILITIES.flatMap((c) => c.stores ?? []);
    const count = await resumeErasures({ conn, keys: new KeyStore(vault, shredOnly), stores, refKey: erasureRefKey(config.jwtSecret) });
    process.stdout.write(`erasure:resume: ${count} pending erasure(s) completed\n`);
    return 0;
  } finally {
    await conn.close();
    await vault.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`erasure:resume failed: ${err.name}: ${err.message}\n`);
    process.exit(1);
  },
);
