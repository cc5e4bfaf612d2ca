/**
 * `npm run keys:migrate`: encrypts, in place, the personal attributes of customers still stored in
 * clear, and writes their blind indexes (see src/customers/sealing.ts). Resumable and safe to rerun;
 * the gateway keeps serving meanwhile and reads both forms.
 *
 *   MONGODB_URI=mongodb://… [DB_NAME=crm] [KEY_VAULT_URI=…] [KEY_VAULT_DB=…] MASTER_KEY=… npm run keys:migrate
 *
 * The master key comes as for the gateway (MASTER_KEY, or the development key file).
 */
import 'reflect-metadata';
import { loadConfig } from '../config';
import { BlindIndex, KeyStore, resolveLocalKey } from '../crypto';
import { sealStoredInClear } from '../customers';
import { connectMongoose } from '../db/connect';

async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.mongodbUri) {
    process.stderr.write('keys:migrate failed: MONGODB_URI is required: the database of the gateway\n');
    return 1;
  }
  const conn = await connectMongoose(config.mongodbUri, config.dbName);
  const vault = await connectMongoose(config.keyVaultUri ?? config.mongodbUri, config.keyVaultDb);
  try {
    const { provider } = resolveLocalKey({ masterKey: config.masterKey, keyFile: config.masterKeyFile, production: config.production, createKeyFile: false });
    const keys = new KeyStore(vault, provider);
    const index = new BlindIndex(await keys.indexKey());
    let total = { sealed: 0, keysCreated: 0, skipped: 0 };
    for (let pass = 1; pass <= 5; pass += 1) {
      const r = await sealStoredInClear({ conn, keys, index });
      total = { sealed: total.sealed + r.sealed, keysCreated: total.keysCreated + r.keysCreated, skipped: r.skipped };
      if (r.skipped === 0) break;
    }
    process.stdout.write(`keys:migrate: ${total.sealed} customer(s) sealed, ${total.keysCreated} data key(s) created, ${total.skipped} changed meanwhile (rerun to finish them)\n`);
    return total.skipped === 0 ? 0 : 2;
  } finally {
    await vault.close();
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`keys:migrate failed: ${err.name}: ${err.message}\n`);
    process.exit(1);
  },
);
