/**
 * exportMyData: everything held about the customer, as one JSON document (portability). Every store
 * a capability declared with an `export` contributes its part, each read through the policy and
 * recorded; then the access history. The card number is never readable, so never exported.
 */
import type { RequestContext } from '../core/context';
import type { StoredCustomer } from '../customers';
import { accessHistoryAll } from './accessHistory';

/** Format tag of the export document. */
export const EXPORT_FORMAT = 'purpose-gateway/customer-export/v1';
/** Most access-history entries in one export (newest first); `accessHistoryTruncated` says if more exist. */
export const EXPORT_ACCESS_HISTORY_LIMIT = 10_000;

export async function exportMyData(ctx: RequestContext, doc: StoredCustomer): Promise<string> {
  const parts: Record<string, unknown> = {};
  for (const cap of ctx.services.capabilities)
    for (const store of cap.stores ?? []) if (store.export) parts[store.export.key] = await store.export.read(ctx, doc._id);
  const access = await accessHistoryAll(ctx, EXPORT_ACCESS_HISTORY_LIMIT);
  return JSON.stringify({
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    ...parts,
    accessHistory: access.entries,
    accessHistoryTruncated: access.truncated,
  });
}
