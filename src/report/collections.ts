/**
 * The collections the report reads, straight through the driver (aggregations only). Some belong
 * to other capabilities (records lifecycle, transparency log sequencer); a collection that does not
 * exist yet reads as empty, so its section shows zeros.
 */

export const COLLECTIONS = {
  accessLog: 'accessLog',
  consentEvents: 'consentEvents',
  erasures: 'erasures',
  correctionRequests: 'correctionRequests',
  /** `{ _id, startedAt, finishedAt?, dryRun, status: RUNNING|DONE|FAILED, items: [{ rule, data, action, count }] }` */
  disposalRuns: 'disposalRuns',
  /** `{ _id, kind, label, status: IN_SERVICE|OBSOLETE|INSECURE|SANITIZED|DESTROYED, registeredAt, statusChangedAt, history }` */
  storageAssets: 'storageAssets',
  /** `{ _id, assetId, method: CLEAR|PURGE|CRYPTOGRAPHIC_ERASE|DESTROY, performedAt, issuedAt }` */
  disposalCertificates: 'disposalCertificates',
  /** `{ treeSize, root (base64), note, at }` */
  tlogCheckpoints: 'tlogCheckpoints',
  /** `{ at, ok, records, treeSize, root, failure? }` */
  tlogVerifications: 'tlogVerifications',
} as const;

/** The label of denied access-log entries that carry no operation code: refused field by field. */
export const FIELD_DENIAL_CODE = 'FORBIDDEN_FIELD';
