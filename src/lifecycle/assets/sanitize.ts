/**
 * Sanitizing a storage asset (NIST SP 800-88): every input and the asset's state are checked
 * before anything changes; then the asset moves to SANITIZED (clear, purge, cryptographic erase) or
 * DESTROYED, a cryptographic erase destroys the key the gateway holds for it (a backup's
 * `backup:<id>` in the key vault), and the certificate is written.
 */
import type { Connection } from 'mongoose';
import type { DataKeys } from '../../core/context';
import { InputError } from '../../core/errors';
import { newId } from '../../core/ids';
import { optionalRecordText, pastDate, recordText } from '../utils';
import { certificateModel, SANITIZATION_METHODS, type CertificateDoc, type SanitizationMethod } from './certificate';
import { NEEDS_SANITIZATION, storageAssetModel, type StorageAssetDoc } from './model';
import { changeStatus } from './registry';

export interface SanitizationFacts {
  method: string;
  technique: string;
  tool?: string | null;
  performedBy: string;
  verifiedBy: string;
  verification: string;
  performedAt?: string | null;
}

function checkFacts(input: SanitizationFacts, now: Date) {
  if (!(SANITIZATION_METHODS as readonly string[]).includes(input.method)) {
    throw new InputError('input.method', `must be one of ${SANITIZATION_METHODS.join(', ')} (NIST SP 800-88)`);
  }
  if (input.verifiedBy == null || (typeof input.verifiedBy === 'string' && input.verifiedBy.trim() === '')) {
    throw new InputError('input.verifiedBy', 'is required: the person who verified the sanitization (NIST SP 800-88 asks for verification)');
  }
  return {
    method: input.method as SanitizationMethod,
    technique: recordText(input.technique, 'input.technique', 300),
    tool: optionalRecordText(input.tool, 'input.tool', 200),
    performedBy: recordText(input.performedBy, 'input.performedBy', 200),
    verifiedBy: recordText(input.verifiedBy, 'input.verifiedBy', 200),
    verification: recordText(input.verification, 'input.verification', 1000),
    performedAt: pastDate(input.performedAt, 'input.performedAt', now),
  };
}

/** Why this asset cannot be sanitized now, or null. */
export function notSanitizable(asset: StorageAssetDoc | null, liveDatabaseId: string): string | null {
  if (!asset) return 'is not a registered storage asset';
  if (asset._id === liveDatabaseId) return 'is the live database: it cannot be sanitized or retired while the gateway uses it';
  if (asset.status === 'SANITIZED' || asset.status === 'DESTROYED') return `was already ${asset.status === 'SANITIZED' ? 'sanitized' : 'destroyed'} (see its history for the certificate)`;
  if (asset.status === 'IN_SERVICE') return 'is in service: report it OBSOLETE or INSECURE first (reportAssetStatus)';
  return null;
}

/** A sanitization checked and ready to apply: nothing has changed yet. */
export interface SanitizationPlan {
  asset: StorageAssetDoc;
  facts: ReturnType<typeof checkFacts>;
  byRole: string;
  now: Date;
}

/** Checks every input and the asset's state; throws InputError naming the field and the rule, and changes nothing. */
export async function planSanitization(conn: Connection, id: string, input: SanitizationFacts, byRole: string, liveDatabaseId: string, now = new Date()): Promise<SanitizationPlan> {
  const facts = checkFacts(input, now);
  const asset = await storageAssetModel(conn).findById(id).lean<StorageAssetDoc>().exec();
  const why = notSanitizable(asset, liveDatabaseId);
  if (why) throw new InputError('id', why);
  if (facts.method === 'CRYPTOGRAPHIC_ERASE' && !asset!.encrypted) {
    throw new InputError('input.method', 'CRYPTOGRAPHIC_ERASE needs an encrypted asset, and this one is not: use CLEAR, PURGE or DESTROY');
  }
  return { asset: asset!, facts, byRole, now };
}

/** Applies a checked sanitization: the status change, the key destroyed (cryptographic erase), the certificate. */
export async function applySanitization(conn: Connection, keys: Pick<DataKeys, 'destroy'>, plan: SanitizationPlan): Promise<CertificateDoc> {
  const { asset, facts, byRole, now } = plan;
  const certificateId = newId('cert_');
  const to = facts.method === 'DESTROY' ? 'DESTROYED' : 'SANITIZED';
  const moved = await changeStatus(conn, asset._id, NEEDS_SANITIZATION, to, byRole, { note: `certificate ${certificateId}`, certificateId, now });
  if (!moved) throw new InputError('id', 'was sanitized by another request meanwhile');
  if (facts.method === 'CRYPTOGRAPHIC_ERASE' && asset.keyId) await keys.destroy(asset.keyId);
  const cert: CertificateDoc = {
    _id: certificateId, assetId: asset._id, assetLabel: asset.label, method: facts.method, technique: facts.technique,
    ...(facts.tool ? { tool: facts.tool } : {}), performedBy: facts.performedBy, verifiedBy: facts.verifiedBy,
    verification: facts.verification, performedAt: facts.performedAt, issuedAt: now, issuedBy: byRole,
  };
  await certificateModel(conn).collection.insertOne(cert as never);
  return cert;
}
