import { type Connection, type Model, Schema } from 'mongoose';

/** One customer's data key, wrapped by a master key. Collection `dataKeys`. */
export interface DataKeyDoc {
  /** The customer id (`cus_…`). */
  _id: string;
  /** The 32-byte data key, encrypted by the key provider named in `providerId`. */
  wrapped: Buffer;
  /** `KeyProvider.id` of the master key that wrapped it. */
  providerId: string;
  createdAt: Date;
  /** When it was last rewrapped under a new master key; null if never. */
  rotatedAt: Date | null;
}

export const DATA_KEY_MODEL = 'DataKey';
export const DATA_KEY_COLLECTION = 'dataKeys';

const dataKeySchema = new Schema<DataKeyDoc>(
  {
    _id: { type: String, required: true },
    wrapped: { type: Buffer, required: true },
    providerId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
  },
  { collection: DATA_KEY_COLLECTION, versionKey: false },
);

/** The DataKey model on `conn`, created once per connection and reused. */
export function dataKeyModel(conn: Connection): Model<DataKeyDoc> {
  const existing = conn.models[DATA_KEY_MODEL] as Model<DataKeyDoc> | undefined;
  return existing ?? conn.model<DataKeyDoc>(DATA_KEY_MODEL, dataKeySchema, DATA_KEY_COLLECTION);
}
