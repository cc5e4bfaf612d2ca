/**
 * `npm run restore -- --from <dir>`: restores a backup into the (empty) database of MONGODB_URI,
 * after verifying it whole, then erases again every customer erased since the backup was taken.
 *
 *   MONGODB_URI=mongodb://… [DB_NAME=crm] [KEY_VAULT_URI=…] [KEY_VAULT_DB=…] MASTER_KEY=… JWT_SECRET=… npm run restore -- --from /backups/2026-12-01
 *
 * JWT_SECRET is the gateway's (the erasure references derive from it).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { BackupError, restoreBackup } from '../backup';
import { loadConfig } from '../config';
import { KeyStore, resolveLocalKey } from '../crypto';
import { connectMongoose } from '../db/connect';
import { erasureRefKey } from '../erasure';
import { CAPABILITIES } from '../server/capabilities';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { from: { type: 'string' } } });
  if (!values.from) throw new BackupError('--from <dir> is required: the directory of the backup to restore');
  const config = loadConfig();
  if (!config.mongodbUri) throw new BackupError('MONGODB_URI is required: the (empty) database to restore into');
  const conn = await connectMongoose(config.mongodbUri, config.dbName);
  const vault = await connectMongoose(config.keyVaultUri ?? config.mongodbUri, config.keyVaultDb);
  try {
    const { provider } = resolveLocalKey({ masterKey: config.masterKey, keyFile: config.masterKeyFile, production: config.production, createKeyFile: false });
    const keys = new KeyStore(vault, provider);
    const erasure = { conn, keys, stores: CAPABILITIES.flatMap((c) => c.stores ?? []), refKey: erasureRefKey(config.jwtSecret) };
    const r = await restoreBackup({ conn, keys, from: values.from, erasure });
    process.stdout.write(`restore: ${r.collections} collections, ${r.documents} documents restored into ${config.dbName}; ${r.erasedAgain} customer(s) erased since the backup erased again\n`);
    return 0;
  } finally {
    await vault.close();
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`restore failed: ${err instanceof BackupError ? err.message : `${err.name}: ${err.message}`}\n`);
    process.exit(1);
  },
);
