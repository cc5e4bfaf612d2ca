/** Anything that holds bytes as read back from MongoDB: a Buffer, a Uint8Array or a BSON Binary. */
export type BytesLike = Buffer | Uint8Array | { _bsontype: 'Binary'; value(): Uint8Array };

/** Normalises a BytesLike to a Buffer (mongoose lean reads and raw driver reads return BSON Binary). */
export function toBuffer(bytes: BytesLike): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes && typeof bytes === 'object' && bytes._bsontype === 'Binary' && typeof bytes.value === 'function') {
    const view = bytes.value();
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }
  throw new TypeError('expected bytes (Buffer, Uint8Array or BSON Binary)');
}

/** True for values toBuffer accepts. */
export function isBytesLike(value: unknown): value is BytesLike {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return true;
  const v = value as { _bsontype?: unknown; value?: unknown } | null;
  return !!v && typeof v === 'object' && v._bsontype === 'Binary' && typeof v.value === 'function';
}
