/**
 * `npm run keys:rotate`: rewraps every data key under a new master key. Customer data is not touched.
 *
 *   MONGODB_URI=mongodb://… MASTER_KEY=<old> NEW_MASTER_KEY=<new> npm run keys:rotate
 *   MONGODB_URI=mongodb://… MASTER_KEY=<new> MASTER_KEY_PREVIOUS=<old> npm run keys:rotate
 *
 * The second form is what running gateways are configured with during a rotation: they wrap new
 * keys with MASTER_KEY and keep unwrapping old ones with MASTER_KEY_PREVIOUS, so none needs a restart.
 *
 * - MONGODB_URI (required): the gateway's database server. With the embedded dev store, use the
 *   loopback URI the gateway prints at startup while it runs.
 * - KEY_VAULT_URI, KEY_VAULT_DB, DB_NAME: where `dataKeys` is, as for the gateway (default: the key
 *   vault database `<DB_NAME>-keys` on MONGODB_URI, DB_NAME defaulting to `crm`).
 * - The old key: MASTER_KEY, or else the key file (MASTER_KEY_FILE, default `.data/master.key`).
 * - NEW_MASTER_KEY (required): base64 of 32 random bytes (`openssl rand -base64 32`).
 * When the old key came from the key file and every key was rewrapped, the key file is replaced by
 * the new key. Otherwise set MASTER_KEY to the new key on every gateway instance afterwards.
 * Safe to rerun: keys already under the new key are skipped.
 */
import 'reflect-metadata';
import mongoose from 'mongoose';
import { KeyConfigError, KeyStore, LocalKeyProvider, parseMasterKey, replaceKeyFile, resolveLocalKey } from '../crypto';

async function main(): Promise<number> {
  const uri = process.env.MONGODB_URI?.trim();
  if (!uri) throw new KeyConfigError('MONGODB_URI is required for keys:rotate: the database that holds the dataKeys collection');
  const previousText = process.env.MASTER_KEY_PREVIOUS?.trim();
  const rotatingInPlace = !process.env.NEW_MASTER_KEY?.trim() && !!previousText && !!process.env.MASTER_KEY?.trim();
  const newKeyText = rotatingInPlace ? process.env.MASTER_KEY! : process.env.NEW_MASTER_KEY;
  if (newKeyText === undefined || newKeyText.trim() === '') {
    throw new KeyConfigError('NEW_MASTER_KEY is required for keys:rotate (or MASTER_KEY=<new> with MASTER_KEY_PREVIOUS=<old>): the base64 encoding of 32 random bytes (e.g. `openssl rand -base64 32`)');
  }
  const next = new LocalKeyProvider(parseMasterKey(newKeyText, rotatingInPlace ? 'MASTER_KEY' : 'NEW_MASTER_KEY'));
  const old = rotatingInPlace
    ? { provider: LocalKeyProvider.fromBase64(previousText, 'MASTER_KEY_PREVIOUS'), keyFile: undefined }
    : resolveLocalKey({
        masterKey: process.env.MASTER_KEY,
        keyFile: process.env.MASTER_KEY_FILE,
        production: process.env.NODE_ENV === 'production',
        createKeyFile: false,
      });
  if (old.provider.id === next.id) throw new KeyConfigError('NEW_MASTER_KEY equals the current master key');

  // The key vault, found as loadConfig finds it.
  const vaultDb = process.env.KEY_VAULT_DB?.trim() || `${process.env.DB_NAME?.trim() || 'crm'}-keys`;
  const conn = await mongoose.createConnection(process.env.KEY_VAULT_URI?.trim() || uri, { dbName: vaultDb }).asPromise();
  try {
    const result = await new KeyStore(conn, old.provider).rotate(next);
    process.stdout.write(
      `keys:rotate: ${result.rewrapped} rewrapped, ${result.alreadyCurrent} already under the new key, ` +
        `${result.failed} failed, ${result.vanished} destroyed during the run (new provider ${next.id})\n`,
    );
    if (result.failed > 0) {
      process.stdout.write('keys:rotate: some keys could not be unwrapped with the old key; the old key is still needed. Rerun once resolved.\n');
      return 2;
    }
    if (rotatingInPlace) {
      process.stdout.write('keys:rotate: every key is under MASTER_KEY now; remove MASTER_KEY_PREVIOUS from the gateways and destroy the old key\n');
    } else if (old.keyFile) {
      replaceKeyFile(old.keyFile, newKeyText);
      process.stdout.write(`keys:rotate: the key file ${old.keyFile} now holds the new master key\n`);
    } else {
      process.stdout.write('keys:rotate: now set MASTER_KEY to the new key on every gateway instance and destroy the old key\n');
    }
    return 0;
  } finally {
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`keys:rotate failed: ${err instanceof KeyConfigError ? err.message : `${err.name}: ${err.message}`}\n`);
    process.exit(1);
  },
);
