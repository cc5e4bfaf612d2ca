/**
 * Restoring a backup into an empty database: everything is verified first (the manifest's MAC with
 * the backup's key from the vault, every file's SHA-256), and nothing is written if any check fails.
 * Then every erasure that happened after the backup was taken is applied again: a restored customer
 * whose data key is no longer in the vault was erased, and goes through the erasure procedure.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BSON, type Document } from 'bson';
import type { Connection } from 'mongoose';
import type { DataKeys } from '../core/context';
import { eraseCustomer, type ErasureServices } from '../erasure';
import { BACKUP_FORMAT, backupKeyId, BackupError, fileOf, macMatches, type Manifest } from './format';

export interface RestoreResult {
  collections: number;
  documents: number;
  /** Restored customers erased again (erased after the backup was taken). */
  erasedAgain: number;
}

function readManifest(dir: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw new BackupError(`--from ${dir}: manifest.json is missing or is not valid JSON`);
  }
  if (m?.format !== BACKUP_FORMAT || typeof m.id !== 'string' || !Array.isArray(m.collections)) {
    throw new BackupError(`--from ${dir}: manifest.json is not a ${BACKUP_FORMAT} manifest`);
  }
  return m;
}

/** The documents of one encrypted collection file. */
function* documentsOf(bytes: Buffer, key: Buffer, backupId: string, name: string): Generator<Document> {
  if (bytes.length < 28) throw new BackupError(`${fileOf(name)} is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(`${backupId}|${name}`));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
  } catch {
    throw new BackupError(`${fileOf(name)} does not decrypt with the backup's key (altered, or from another backup)`);
  }
  for (let at = 0; at < plain.length; ) {
    const size = plain.readInt32LE(at);
    yield BSON.deserialize(plain.subarray(at, at + size), { promoteBuffers: false });
    at += size;
  }
}

export async function restoreBackup(opts: {
  conn: Connection; keys: Pick<DataKeys, 'get'>; from: string; erasure: ErasureServices;
}): Promise<RestoreResult> {
  const dir = resolve(opts.from);
  const manifest = readManifest(dir);
  let key: Buffer;
  try {
    key = await opts.keys.get(backupKeyId(manifest.id));
  } catch {
    throw new BackupError(`backup ${manifest.id}: its key is not in the key vault (destroyed by a cryptographic erase, or another vault): it cannot be restored`);
  }
  if (!macMatches(key, manifest)) throw new BackupError(`backup ${manifest.id}: manifest.json was changed (its MAC does not verify); nothing was restored`);
  const files = new Map<string, Buffer>();
  for (const c of manifest.collections) {
    const path = join(dir, fileOf(c.name));
    if (!existsSync(path)) throw new BackupError(`backup ${manifest.id}: ${fileOf(c.name)} is missing; nothing was restored`);
    const bytes = readFileSync(path);
    if (createHash('sha256').update(bytes).digest('hex') !== c.sha256) throw new BackupError(`backup ${manifest.id}: ${fileOf(c.name)} was changed (checksum); nothing was restored`);
    files.set(c.name, bytes);
  }
  const db = opts.conn.db!;
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (!name.startsWith('system.') && (await db.collection(name).estimatedDocumentCount()) > 0) {
      throw new BackupError(`the database ${db.databaseName} is not empty (${name} has documents): restore into an empty database; nothing was restored`);
    }
  }
  let documents = 0;
  for (const c of manifest.collections) {
    const coll = db.collection(c.name);
    let batch: Document[] = [];
    for (const doc of documentsOf(files.get(c.name)!, key, manifest.id, c.name)) {
      batch.push(doc);
      if (batch.length === 1000) {
        await coll.insertMany(batch, { ordered: true });
        documents += batch.length;
        batch = [];
      }
    }
    if (batch.length) {
      await coll.insertMany(batch, { ordered: true });
      documents += batch.length;
    }
    for (const i of c.indexes) await coll.createIndex(i.key, { name: i.name, ...(i.unique ? { unique: true } : {}), ...(i.sparse ? { sparse: true } : {}) });
  }
  // Erasures after the backup: the key goes first in every erasure, so a customer without one was erased.
  let erasedAgain = 0;
  const restored = await db.collection('customers').find({}, { projection: { _id: 1 } }).toArray();
  for (const { _id } of restored) {
    const id = String(_id);
    try {
      await opts.keys.get(id);
    } catch {
      await eraseCustomer(opts.erasure, id, { reason: 'erased after this backup was taken (re-applied at restore)', requestedBy: 'restore' });
      erasedAgain += 1;
    }
  }
  return { collections: manifest.collections.length, documents, erasedAgain };
}
