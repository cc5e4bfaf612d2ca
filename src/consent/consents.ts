/**
 * Consents: the catalogue check, the current state per key, and a grant or withdrawal: the ledger
 * event (the record of the customer's decision) and the current state on the customer (for row
 * filters: it takes effect on the very next request), in one recorded write.
 */
import { appendConsentEvents, type ConsentSource } from '../audit';
import type { RequestContext } from '../core/context';
import { InputError } from '../core/errors';
import type { ConsentKeyDef, PolicySet } from '../core/policyModel';
import { writeCustomer, type ConsentEntry, type StoredCustomer } from '../customers';

/**
 * The consent key definition for `key`, or BAD_USER_INPUT naming the argument and listing the
 * known keys (`policies/fields.yaml`, `consentKeys`). The given value is not echoed.
 */
export function checkConsentKey(policies: PolicySet, key: unknown, field = 'key'): ConsentKeyDef {
  const def = typeof key === 'string' ? policies.consentKeys.get(key) : undefined;
  if (!def) throw new InputError(field, `must be a consent key: one of ${[...policies.consentKeys.keys()].join(', ')}`);
  return def;
}

export interface ConsentChangeResult {
  /** The customer document after the change (the same document when nothing changed). */
  doc: StoredCustomer;
  /** False when the consent already had that state: nothing was written (a no-op, not an error). */
  changed: boolean;
}

/**
 * Grants or withdraws one consent for a customer loaded through the visibility rule. The write is
 * checked (update on `consents`) and recorded like every customer write. Same state as now: a
 * no-op. Withdrawing `storage` is leaving the program: callers run the erasure procedure instead.
 */
export async function setConsent(ctx: RequestContext, customer: StoredCustomer, key: string, granted: boolean, source: ConsentSource, at = new Date()): Promise<ConsentChangeResult> {
  const { policies } = ctx.services;
  const def = checkConsentKey(policies, key);
  ctx.guard.authorize('Customer', customer, 'update', ['consents']);
  if ((customer.consentState?.[key] === true) === granted) return { doc: customer, changed: false };
  const entry: ConsentEntry = { key, granted, at, source };
  const consents = [...(customer.consents ?? []).filter((c) => c.key !== key), entry];
  const doc = await writeCustomer(ctx, {
    doc: customer,
    set: { [`consentState.${key}`]: granted, consents },
    fields: ['consents'],
    before: () => appendConsentEvents(ctx.services.conn, [{ customerId: customer._id, key, granted, at, source, textVersion: def.textVersion }]),
  });
  return { doc, changed: true };
}
