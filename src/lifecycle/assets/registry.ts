/**
 * Registering storage assets and changing their status. The live database is registered at the
 * first start under an id derived from its name (idempotent across restarts and instances); every
 * backup under an id derived from the backup's. Each change is one conditional update of the asset
 * (its status and history) and one write-once event.
 */
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { backupKeyId, BACKUP_RECORDS, type BackupRecord } from '../../backup';
import { newId } from '../../core/ids';
import { ASSET_COLLECTION, assetEventModel, storageAssetModel, type AssetHistoryEntry, type AssetStatus, type StorageAssetDoc } from './model';

/** The role the gateway itself records changes under. */
export const SYSTEM_ROLE = 'system';

/** The asset id of the live database `dbName`. */
export function databaseAssetId(dbName: string): string {
  return `ast_db_${createHash('sha256').update(dbName).digest('hex').slice(0, 16)}`;
}

export const backupAssetId = (backupId: string) => `ast_${backupId}`;

export type NewAsset = Omit<StorageAssetDoc, '_id' | 'status' | 'registeredAt' | 'statusChangedAt' | 'history'>;

/** Registers an asset IN_SERVICE; with a fixed id, registering it again changes nothing. Resolves the stored asset. */
export async function registerAsset(conn: Connection, asset: NewAsset, byRole: string, opts: { id?: string; note?: string; now?: Date } = {}): Promise<StorageAssetDoc> {
  const at = opts.now ?? new Date();
  const _id = opts.id ?? newId('ast_');
  const entry: AssetHistoryEntry = { at, status: 'IN_SERVICE', byRole, ...(opts.note ? { note: opts.note } : {}) };
  const doc: Omit<StorageAssetDoc, '_id'> = { ...asset, status: 'IN_SERVICE', registeredAt: at, statusChangedAt: at, history: [entry] };
  const model = storageAssetModel(conn);
  try {
    const res = await conn.collection<StorageAssetDoc>(ASSET_COLLECTION).updateOne({ _id }, { $setOnInsert: doc }, { upsert: true });
    if (res.upsertedCount === 1) {
      await assetEventModel(conn).collection.insertOne({ _id: `ase_reg_${_id}`, at, assetId: _id, kind: asset.kind, status: 'IN_SERVICE', byRole, ...(opts.note ? { note: opts.note } : {}) } as never);
    }
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err; // another instance registered it at the same moment
  }
  return (await model.findById(_id).lean<StorageAssetDoc>().exec())!;
}

/** The live database, registered at the first start. */
export function registerDatabase(conn: Connection, dbName: string): Promise<StorageAssetDoc> {
  const hosts = conn.getClient().options.hosts.map((h) => String(h)).join(',');
  return registerAsset(conn, {
    kind: 'DATABASE', label: `MongoDB database ${dbName}`, location: hosts || 'the MONGODB_URI deployment', custodian: 'operations',
    mediaType: 'MongoDB deployment', encrypted: true, holdsCustomerData: true,
  }, SYSTEM_ROLE, { id: databaseAssetId(dbName), note: 'registered at the first start of the gateway' });
}

/** A backup (npm run backup): encrypted under its own key in the vault (`backup:<id>`), which a cryptographic erase destroys. */
export function registerBackup(conn: Connection, backup: BackupRecord): Promise<StorageAssetDoc> {
  return registerAsset(conn, {
    kind: 'BACKUP', label: `backup ${backup._id} of ${backup.database}`, location: backup.location, custodian: 'operations',
    mediaType: 'encrypted backup files (AES-256-GCM)', encrypted: true, holdsCustomerData: true, keyId: backupKeyId(backup._id),
  }, SYSTEM_ROLE, { id: backupAssetId(backup._id), now: backup.takenAt, note: 'registered when the backup was taken' });
}

/** Registers every recorded backup that is not an asset yet (at start: backups taken while no gateway ran). Resolves how many. */
export async function registerBackups(conn: Connection): Promise<number> {
  const backups = await conn.collection<BackupRecord>(BACKUP_RECORDS).find({}).toArray();
  const known = new Set((await storageAssetModel(conn).find({ kind: 'BACKUP' }, { _id: 1 }).lean().exec()).map((a) => a._id));
  const missing = backups.filter((b) => !known.has(backupAssetId(b._id)));
  for (const b of missing) await registerBackup(conn, b);
  return missing.length;
}

/**
 * Moves an asset from one of `from` to `to`, with a history entry and an event. Resolves the
 * updated asset, or null when its status was no longer one of `from` (nothing changed).
 */
export async function changeStatus(
  conn: Connection, id: string, from: readonly AssetStatus[], to: AssetStatus, byRole: string, opts: { note?: string; certificateId?: string; now?: Date } = {},
): Promise<StorageAssetDoc | null> {
  const at = opts.now ?? new Date();
  const entry: AssetHistoryEntry = { at, status: to, byRole, ...(opts.note ? { note: opts.note } : {}) };
  const updated = await storageAssetModel(conn)
    .findOneAndUpdate({ _id: id, status: { $in: [...from] } }, { $set: { status: to, statusChangedAt: at }, $push: { history: entry } }, { returnDocument: 'after' })
    .lean<StorageAssetDoc>()
    .exec();
  if (!updated) return null;
  await assetEventModel(conn).collection.insertOne({
    _id: newId('ase_'), at, assetId: id, kind: updated.kind, status: to, byRole, ...(opts.note ? { note: opts.note } : {}), ...(opts.certificateId ? { certificateId: opts.certificateId } : {}),
  } as never);
  return updated;
}
