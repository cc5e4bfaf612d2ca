/**
 * Consents: the ledger of every grant and withdrawal (append-only, src/audit/consentLedger.ts), and
 * the current state on the customer (`consentState` for row filters, `consents` for display).
 */
import { CONSENT_RECORDS, consentHistoryOf, pruneToHash } from '../audit';
import type { Capability } from '../core/capability';
import type { RequestContext } from '../core/context';
import { findVisible } from '../customers';
import { subject } from '../policy';

/** The export's consent history: the ledger, when the customer may read their consents (recorded). */
async function exportHistory(ctx: RequestContext, customerId: string): Promise<unknown[]> {
  const doc = await findVisible(ctx, customerId);
  if (!doc || !ctx.ability.can('read', subject('Customer', { ...doc }), 'consents')) return [];
  ctx.log.read('Customer', customerId, ['consents', 'id']);
  const events = await consentHistoryOf(ctx.services.conn, customerId);
  return events.map(({ key, granted, at, source, textVersion }) => ({ key, granted, at, source, textVersion }));
}

export const consentCapability: Capability = {
  name: 'consent',
  // The ledger is personal data: erasure prunes the customer's events to their leaf hashes (the
  // transparency log's proofs stay valid; the bodies, and the customer id with them, are gone).
  stores: [{
    collection: 'consentEvents', customerKey: 'customerId',
    erase: (conn, id) => pruneToHash(conn, CONSENT_RECORDS, { customerId: id }, 'erasure'),
    export: { key: 'consentHistory', read: exportHistory },
  }],
};

export { checkConsentKey, setConsent, type ConsentChangeResult } from './consents';
export { currentConsents } from '../customers';
export { ConsentEvent } from './types';
