import { consentHistoryOf, currentConsents } from '../consent/consentLedger';
import type { CustomerDoc } from '../customers/customerModel';
import { listCorrections } from '../privacy/corrections';
import { correctionView } from '../privacy/views';
import type { RequestContext } from '../server/requestContext';
import { accessHistoryAll } from './accessHistory';
import { exportVerification } from './exportVerification';

/** Format tag of the export document. */
export const EXPORT_FORMAT = 'purpose-gateway/customer-export/v1';
/** Most access-history entries in one export (newest first); `accessHistoryTruncated` says if more exist. */
export const EXPORT_ACCESS_HISTORY_LIMIT = 10_000;

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}

function getPath(doc: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
}

/** One attribute's value for the export: restricted values decrypted for the customer themself. */
async function valueOf(ctx: RequestContext, doc: CustomerDoc, path: string): Promise<unknown> {
  const raw = getPath(doc as unknown as Record<string, unknown>, path);
  switch (path) {
    case 'birthYear':
      return doc.birthDate ? Number(doc.birthDate.slice(0, 4)) : null;
    case 'consents':
      return currentConsents(ctx.app.policies, doc);
    case 'verification':
      return exportVerification(ctx, raw);
    case 'health.conditions':
      return raw ? ctx.cipher.decryptJson<string[]>(doc._id, path, raw) : null;
    case 'health.notes':
      return raw ? ctx.cipher.decrypt(doc._id, path, raw) : null;
    default:
      return raw ?? null;
  }
}

/**
 * Everything held about the customer, as one JSON document (portability): every attribute of the
 * catalogue the policy lets them read (each read goes through the field guard and is logged; the
 * card number is never readable, so never exported), the consent ledger, the correction requests
 * and the access history.
 */
export async function exportMyData(ctx: RequestContext, doc: CustomerDoc): Promise<string> {
  const customer: Record<string, unknown> = { id: doc._id };
  for (const [path, def] of ctx.app.policies.fields) {
    if (def.neverReadable) continue;
    if (!ctx.guard.read('Customer', doc as CustomerDoc & Record<string, unknown>, path)) continue;
    setPath(customer, path, await valueOf(ctx, doc, path));
  }
  const [consentHistory, requests, access] = await Promise.all([
    ctx.guard.read('Customer', doc as CustomerDoc & Record<string, unknown>, 'consents') ? consentHistoryOf(ctx.app.conn, doc._id) : Promise.resolve([]),
    listCorrections(ctx),
    accessHistoryAll(ctx, EXPORT_ACCESS_HISTORY_LIMIT),
  ]);
  return JSON.stringify({
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    customer,
    consentHistory: consentHistory.map(({ key, granted, at, source, textVersion }) => ({ key, granted, at, source, textVersion })),
    correctionRequests: requests.map((r) => {
      const { customerId: _c, decidedBy: _d, ...shown } = correctionView(r, 'self');
      return shown;
    }),
    accessHistory: access.entries,
    accessHistoryTruncated: access.truncated,
  });
}
