import type { CustomerDoc } from '../customers/customerModel';
import { InputError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { actorOf } from './actor';
import { setVerificationItem, type StoredVerificationState } from './verificationState';
import { IDENTITY_METHODS } from './verificationSettings';
import { VerificationStatus } from './verificationTypes';

/** An evidence reference: an id or URI in a document system, 1 to 200 characters, no spaces. */
const EVIDENCE_REF = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,199}$/;

/** Validates the method and evidence reference of an identity check (errors never echo them). */
export function validateIdentityEvidence(method: string, evidenceRef: string): { method: string; evidenceRef: string } {
  if (!(IDENTITY_METHODS as readonly string[]).includes(method)) {
    throw new InputError('method', `must be one of ${IDENTITY_METHODS.join(', ')}`);
  }
  const ref = typeof evidenceRef === 'string' ? evidenceRef.trim() : '';
  if (!EVIDENCE_REF.test(ref) || /^data:/i.test(ref)) {
    throw new InputError('evidenceRef', 'must be a reference to the evidence (an id or URI of 1 to 200 characters without spaces), never the document itself');
  }
  return { method, evidenceRef: ref };
}

/** Records that the customer's identity was verified, with the method and an evidence reference. */
export async function markIdentity(ctx: RequestContext, doc: CustomerDoc, method: string, evidenceRef: string, now = new Date()): Promise<CustomerDoc> {
  const clean = validateIdentityEvidence(method, evidenceRef);
  const state: StoredVerificationState = { status: VerificationStatus.VERIFIED, method: clean.method, at: now, ...actorOf(ctx), evidenceRef: clean.evidenceRef };
  const updated = await ctx.app.models.customers
    .findOneAndUpdate({ _id: doc._id }, { $set: setVerificationItem(doc.verification, 'identity', state) }, { returnDocument: 'after' })
    .lean<CustomerDoc>()
    .exec();
  if (!updated) throw new InputError('customerId', 'the customer no longer exists');
  return updated;
}
