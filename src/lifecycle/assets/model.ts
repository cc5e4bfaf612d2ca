/**
 * The storage-asset registry (collection `storageAssets`): every place that holds customer data
 * (the database cluster, each backup and export, each device or medium), its status and the
 * history of it. Each status change is also written once to `storageAssetEvents`, an append-only
 * record of the transparency log. Neither holds personal data of customers.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export const ASSET_KINDS = ['DATABASE', 'BACKUP', 'EXPORT', 'DEVICE', 'MEDIA'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];
export const ASSET_STATUSES = ['IN_SERVICE', 'OBSOLETE', 'INSECURE', 'SANITIZED', 'DESTROYED'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];
/** Statuses that open a sanitization. */
export const NEEDS_SANITIZATION: readonly AssetStatus[] = ['OBSOLETE', 'INSECURE'];

export const ASSET_COLLECTION = 'storageAssets';
export const ASSET_EVENT_COLLECTION = 'storageAssetEvents';

export interface AssetHistoryEntry {
  at: Date;
  status: AssetStatus;
  /** The role that made the change (`records-manager`, `system`), never a person's id. */
  byRole: string;
  note?: string;
}

export interface StorageAssetDoc {
  _id: string;
  kind: AssetKind;
  label: string;
  location: string;
  custodian: string;
  mediaType?: string;
  serialNumber?: string;
  encrypted: boolean;
  holdsCustomerData: boolean;
  status: AssetStatus;
  registeredAt: Date;
  statusChangedAt: Date;
  history: AssetHistoryEntry[];
  /** The key vault id of the key it is encrypted under, when the gateway holds it (backups: `backup:<id>`). */
  keyId?: string;
}

/** One asset event (collection `storageAssetEvents`), written once: a leaf of the transparency log. */
export interface AssetEventDoc {
  _id: string;
  at: Date;
  assetId: string;
  kind: AssetKind;
  status: AssetStatus;
  byRole: string;
  note?: string;
  /** The certificate of a sanitization. */
  certificateId?: string;
}

const historySchema = new Schema({ at: Date, status: String, byRole: String, note: String }, { _id: false });

const assetSchema = new Schema<StorageAssetDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ASSET_KINDS, required: true },
    label: { type: String, required: true },
    location: { type: String, required: true },
    custodian: { type: String, required: true },
    mediaType: String,
    serialNumber: String,
    encrypted: { type: Boolean, required: true },
    holdsCustomerData: { type: Boolean, required: true },
    status: { type: String, enum: ASSET_STATUSES, required: true },
    registeredAt: { type: Date, required: true },
    statusChangedAt: { type: Date, required: true },
    history: { type: [historySchema], default: [] },
    keyId: String,
  },
  { collection: ASSET_COLLECTION, versionKey: false },
);
assetSchema.index({ status: 1, _id: 1 });

const eventSchema = new Schema<AssetEventDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    assetId: { type: String, required: true },
    kind: { type: String, required: true },
    status: { type: String, required: true },
    byRole: { type: String, required: true },
    note: String,
    certificateId: String,
  },
  { collection: ASSET_EVENT_COLLECTION, versionKey: false },
);
eventSchema.index({ assetId: 1, at: 1 });

export function storageAssetModel(conn: Connection): Model<StorageAssetDoc> {
  return (conn.models.StorageAsset as Model<StorageAssetDoc> | undefined) ?? conn.model<StorageAssetDoc>('StorageAsset', assetSchema);
}

export function assetEventModel(conn: Connection): Model<AssetEventDoc> {
  return (conn.models.StorageAssetEvent as Model<AssetEventDoc> | undefined) ?? conn.model<AssetEventDoc>('StorageAssetEvent', eventSchema);
}
