/**
 * Certificates of sanitization (collection `disposalCertificates`), after NIST SP 800-88 Rev. 1
 * appendix G: which asset, the method (clear, purge, cryptographic erase, destroy), the technique
 * and tool, who performed and who verified it, how it was verified, when, and the role that issued
 * it. Written once; a leaf of the transparency log. The people named are staff, never customers.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export const SANITIZATION_METHODS = ['CLEAR', 'PURGE', 'CRYPTOGRAPHIC_ERASE', 'DESTROY'] as const;
export type SanitizationMethod = (typeof SANITIZATION_METHODS)[number];

export const CERTIFICATE_COLLECTION = 'disposalCertificates';

export interface CertificateDoc {
  _id: string;
  assetId: string;
  assetLabel: string;
  method: SanitizationMethod;
  technique: string;
  tool?: string;
  performedBy: string;
  verifiedBy: string;
  verification: string;
  performedAt: Date;
  issuedAt: Date;
  /** The role that issued it (`records-manager`), not a person's id. */
  issuedBy: string;
}

const certificateSchema = new Schema<CertificateDoc>(
  {
    _id: { type: String, required: true },
    assetId: { type: String, required: true },
    assetLabel: { type: String, required: true },
    method: { type: String, enum: SANITIZATION_METHODS, required: true },
    technique: { type: String, required: true },
    tool: String,
    performedBy: { type: String, required: true },
    verifiedBy: { type: String, required: true },
    verification: { type: String, required: true },
    performedAt: { type: Date, required: true },
    issuedAt: { type: Date, required: true },
    issuedBy: { type: String, required: true },
  },
  { collection: CERTIFICATE_COLLECTION, versionKey: false },
);
certificateSchema.index({ assetId: 1 });

export function certificateModel(conn: Connection): Model<CertificateDoc> {
  return (conn.models.DisposalCertificate as Model<CertificateDoc> | undefined) ?? conn.model<CertificateDoc>('DisposalCertificate', certificateSchema);
}
