/**
 * Taking a backup: every collection of the data database (never the key vault, which lives apart),
 * each document encrypted under a key made for this backup and kept in the vault, with a manifest
 * of checksums authenticated by that key. The backup is recorded (collection `backups`) so the
 * records lifecycle accounts for it as a storage asset.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, openSync, closeSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BSON } from 'bson';
import type { Connection } from 'mongoose';
import type { DataKeys } from '../core/context';
import { newId } from '../core/ids';
import { BACKUP_FORMAT, backupKeyId, BackupError, fileOf, macOf, type CollectionEntry, type Manifest } from './format';

/** Collection `backups`: one record per backup taken (no personal data), read by the records lifecycle. */
export const BACKUP_RECORDS = 'backups';

export interface BackupRecord {
  _id: string;
  takenAt: Date;
  /** Where it was written (an absolute path). */
  location: string;
  database: string;
  collections: number;
  documents: number;
  /** SHA-256 of manifest.json. */
  manifestSha256: string;
}

/** Checks `out` before anything is written: it must not exist, and its parent must be a writable directory. */
function checkOutDir(out: string): string {
  const dir = resolve(out);
  if (existsSync(dir)) throw new BackupError(`--out ${out}: the directory already exists; a backup is written to a new directory`);
  const parent = dirname(dir);
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new BackupError(`--out ${out}: the parent directory ${parent} does not exist or is not writable`);
  }
  return dir;
}

export async function takeBackup(opts: { conn: Connection; keys: Pick<DataKeys, 'create'>; out: string; now?: Date }): Promise<{ manifest: Manifest; dir: string }> {
  const dir = checkOutDir(opts.out);
  const db = opts.conn.db!;
  const id = newId('bak_');
  const takenAt = opts.now ?? new Date();
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.')).sort();
  const key = await opts.keys.create(backupKeyId(id));
  mkdirSync(dir, { mode: 0o700 });
  const collections: CollectionEntry[] = [];
  for (const name of names) {
    const file = fileOf(name);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${id}|${name}`));
    const hash = createHash('sha256');
    const fd = openSync(join(dir, file), 'wx', 0o600);
    const write = (bytes: Buffer) => {
      if (bytes.length === 0) return;
      hash.update(bytes);
      writeSync(fd, bytes);
    };
    let documents = 0;
    try {
      write(iv);
      for await (const doc of db.collection(name).find({}, { raw: false })) {
        write(cipher.update(Buffer.from(BSON.serialize(doc))));
        documents += 1;
      }
      write(cipher.final());
      write(cipher.getAuthTag());
    } finally {
      closeSync(fd);
    }
    const indexes = (await db.collection(name).listIndexes().toArray())
      .filter((i) => i.name !== '_id_')
      .map((i) => ({ key: i.key as Record<string, number>, name: i.name as string, ...(i.unique ? { unique: true } : {}), ...(i.sparse ? { sparse: true } : {}) }));
    collections.push({ name, file, documents, sha256: hash.digest('hex'), indexes });
  }
  const body = { format: BACKUP_FORMAT, id, takenAt: takenAt.toISOString(), database: db.databaseName, collections } as const;
  const manifest: Manifest = { ...body, mac: macOf(key, body) };
  const text = JSON.stringify(manifest, null, 2) + '\n';
  writeFileSync(join(dir, 'manifest.json'), text, { mode: 0o600, flag: 'wx' });
  const record: BackupRecord = {
    _id: id, takenAt, location: dir, database: db.databaseName, collections: collections.length,
    documents: collections.reduce((n, c) => n + c.documents, 0), manifestSha256: createHash('sha256').update(text).digest('hex'),
  };
  await db.collection<BackupRecord>(BACKUP_RECORDS).insertOne(record);
  return { manifest, dir };
}
