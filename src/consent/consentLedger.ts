import type { Connection } from 'mongoose';
import type { ConsentEntry, CustomerDoc, CustomerModel } from '../customers/customerModel';
import type { PolicySet } from '../policy';
import { checkConsentKey } from './consentKeys';
import { consentEventModel, type ConsentEventDoc, type ConsentSource } from './consentEventModel';

/** What the ledger needs: the connection, the customers and the consent-key catalogue. */
export interface LedgerServices {
  conn: Connection;
  policies: PolicySet;
  models: { customers: CustomerModel };
}

function textVersion(policies: PolicySet, key: string): string {
  return policies.consentKeys.get(key)?.textVersion ?? 'unknown';
}

/**
 * Staff enrolment (enrolCustomer): appends one ledger event per consent entry the new record holds
 * (granted or not), always with source `staff`. The entry's own `source` is the client's display
 * label (free text) and is never taken as the ledger source: staff cannot record a consent as given
 * by the customer in self-service, or as imported.
 */
export async function recordEnrolmentConsents(app: Pick<LedgerServices, 'conn' | 'policies'>, customerId: string, consents: ConsentEntry[]): Promise<void> {
  const events: ConsentEventDoc[] = consents.map((c) => ({
    customerId,
    key: c.key,
    granted: c.granted,
    at: c.at,
    source: 'staff',
    textVersion: textVersion(app.policies, c.key),
  }));
  if (events.length) await consentEventModel(app.conn).insertMany(events, { lean: true });
}

export interface ConsentChangeResult {
  /** The customer document after the change (the same document when nothing changed). */
  doc: CustomerDoc;
  /** False when the consent already had that state: no event was appended (a no-op, not an error). */
  changed: boolean;
}

/**
 * Grants or withdraws one consent: appends the ledger event first (the record of the customer's
 * decision), then updates the current state on the customer (`consentState.<key>` for row filters,
 * `consents` for display). Row filters read that state, so the change takes effect on the very
 * next request. Unknown key: BAD_USER_INPUT. Same state as now: a no-op. Withdrawing `storage`
 * is leaving the program: callers run the erasure procedure instead (see src/self).
 */
export async function setConsent(
  app: LedgerServices,
  customer: CustomerDoc,
  key: string,
  granted: boolean,
  source: ConsentSource,
  at = new Date(),
): Promise<ConsentChangeResult> {
  checkConsentKey(app.policies, key);
  if ((customer.consentState?.[key] === true) === granted) return { doc: customer, changed: false };
  await consentEventModel(app.conn).create({ customerId: customer._id, key, granted, at, source, textVersion: textVersion(app.policies, key) });
  const entry: ConsentEntry = { key, granted, at, source };
  const consents = [...(customer.consents ?? []).filter((c) => c.key !== key), entry];
  const doc = await app.models.customers
    .findOneAndUpdate({ _id: customer._id }, { $set: { [`consentState.${key}`]: granted, consents } }, { returnDocument: 'after' })
    .lean<CustomerDoc>()
    .exec();
  return { doc: doc ?? customer, changed: true };
}

/** The ledger of one customer, oldest first. */
export async function consentHistoryOf(conn: Connection, customerId: string): Promise<ConsentEventDoc[]> {
  return consentEventModel(conn).find({ customerId }).sort({ at: 1, _id: 1 }).lean<ConsentEventDoc[]>().exec();
}

/** The current state per consent key of the catalogue (a key never recorded reads as not granted). */
export function currentConsents(policies: PolicySet, customer: CustomerDoc): ConsentEntry[] {
  const byKey = new Map((customer.consents ?? []).map((c) => [c.key, c]));
  return [...policies.consentKeys.keys()].map((key) => {
    const shown = byKey.get(key);
    const granted = customer.consentState?.[key] === true;
    return shown && shown.granted === granted ? shown : { key, granted, at: shown?.at ?? customer.createdAt, source: shown?.source ?? 'unknown' };
  });
}
