/**
 * The backup format: one encrypted file per collection of the data database, and a manifest that
 * lists them with their SHA-256 and is authenticated (HMAC-SHA256) with the backup's own key.
 * The key lives in the key vault (never in a backup); destroying it is the cryptographic erase of
 * every copy of that backup.
 *
 *   <dir>/manifest.json                  { format, id, takenAt, database, collections[], mac }
 *   <dir>/<collection>.bson.enc          12-byte IV ‖ AES-256-GCM(concatenated BSON documents) ‖ 16-byte tag
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const BACKUP_FORMAT = 'purpose-gateway/backup/v1';
/** The vault id of a backup's key. */
export const backupKeyId = (backupId: string) => `backup:${backupId}`;

export interface CollectionEntry {
  name: string;
  file: string;
  documents: number;
  /** SHA-256 (hex) of the encrypted file. */
  sha256: string;
  /** The collection's indexes (except _id), as listIndexes reports them. */
  indexes: Array<{ key: Record<string, number>; name: string; unique?: boolean; sparse?: boolean }>;
}

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  id: string;
  takenAt: string;
  database: string;
  collections: CollectionEntry[];
  /** HMAC-SHA256 (hex), under the backup's key, of the manifest without this field. */
  mac: string;
}

/** The bytes the MAC covers: the manifest without `mac`, with its keys in a fixed order. */
function macBytes(m: Omit<Manifest, 'mac'>): Buffer {
  const ordered = {
    format: m.format, id: m.id, takenAt: m.takenAt, database: m.database,
    collections: m.collections.map((c) => ({ name: c.name, file: c.file, documents: c.documents, sha256: c.sha256, indexes: c.indexes })),
  };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

export function macOf(key: Buffer, m: Omit<Manifest, 'mac'>): string {
  return createHmac('sha256', key).update(macBytes(m)).digest('hex');
}

export function macMatches(key: Buffer, m: Manifest): boolean {
  const expected = Buffer.from(macOf(key, m), 'hex');
  const given = /^[0-9a-f]{64}$/.test(m.mac) ? Buffer.from(m.mac, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A file name for a collection: its name, which MongoDB restricts to safe characters here. */
export function fileOf(collection: string): string {
  if (!/^[A-Za-z0-9_.-]{1,120}$/.test(collection)) throw new Error(`backup: collection name ${JSON.stringify(collection)} cannot be a file name`);
  return `${collection}.bson.enc`;
}

/** Thrown for any refused backup or restore; the message says what and why, and nothing was written. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}
