/**
 * `npm run backup -- --out <dir>`: writes a backup of the data database in MONGODB_URI (every
 * collection, never the key vault), encrypted under a key made for it in the vault (see src/backup).
 *
 *   MONGODB_URI=mongodb://… [DB_NAME=crm] [KEY_VAULT_URI=…] [KEY_VAULT_DB=…] MASTER_KEY=… npm run backup -- --out /backups/2026-12-01
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { BACKUP_RECORDS, BackupError, takeBackup, type BackupRecord } from '../backup';
import { loadConfig } from '../config';
import { KeyStore, resolveLocalKey } from '../crypto';
import { connectMongoose } from '../db/connect';
import { registerBackup } from '../lifecycle';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new BackupError('--out <dir> is required: a new directory to write the backup to');
  const config = loadConfig();
  if (!config.mongodbUri) throw new BackupError('MONGODB_URI is required: the database to back up (with the embedded store, the URI npm start prints)');
  const conn = await connectMongoose(config.mongodbUri, config.dbName);
  const vault = await connectMongoose(config.keyVaultUri ?? config.mongodbUri, config.keyVaultDb);
  try {
    const { provider } = resolveLocalKey({ masterKey: config.masterKey, keyFile: config.masterKeyFile, production: config.production, createKeyFile: false });
    const { manifest, dir } = await takeBackup({ conn, keys: new KeyStore(vault, provider), out: values.out });
    const documents = manifest.collections.reduce((n, c) => n + c.documents, 0);
    // The records lifecycle accounts for every copy: the backup is a storage asset from now on.
    const record = await conn.collection<BackupRecord>(BACKUP_RECORDS).findOne({ _id: manifest.id });
    const asset = await registerBackup(conn, record!);
    process.stdout.write(`backup ${manifest.id}: ${manifest.collections.length} collections, ${documents} documents, written to ${dir} (the key vault is not in it); storage asset ${asset._id}\n`);
    return 0;
  } finally {
    await vault.close();
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`backup failed: ${err instanceof BackupError ? err.message : `${err.name}: ${err.message}`}\n`);
    process.exit(1);
  },
);
