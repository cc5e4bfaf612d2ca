import type { CustomerDoc } from '../customers/customerModel';
import { validateUpdateInput } from '../customers/input';
import { inputLeaves } from '../customers/inputLeaves';
import { inputLists } from '../customers/inputLists';
import { subject } from '../policy';
import { changedChannels, supersedeCodes, verificationResetFields } from '../verification';
import { ErrorCode, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import type { ContactInput } from './selfTypes';

const GROUPS = { address: ['street', 'city', 'postalCode', 'country'] } as const;

/**
 * The customer changes their own email, phone, address or preferences. Checked against the
 * `update` rules of roles/customer.yaml (all or nothing), validated with the same validators as
 * staff updates, written, and recorded as fieldsWritten.
 */
export async function updateContact(ctx: RequestContext, doc: CustomerDoc & Record<string, unknown>, input: ContactInput): Promise<CustomerDoc> {
  const raw = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  const leaves = inputLeaves(raw, GROUPS);
  if (leaves.length === 0) throw new SafeError(ErrorCode.BAD_USER_INPUT, 'Invalid value for "input": give at least one of email, phone, address, preferences', { field: 'input' });
  const target = subject('Customer', doc);
  const denied = leaves.filter((leaf) => !ctx.ability.can('update', target, leaf));
  if (denied.length) {
    for (const leaf of denied) ctx.audit.denied('Customer', doc._id, leaf);
    const fields = denied.map((d) => `Customer.${d}`);
    throw new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to update ${fields.join(', ')}; nothing was written`, {
      field: fields[0], fields, purpose: ctx.purpose?.id ?? null, count: 1,
    });
  }
  const clean = validateUpdateInput({ email: input.email, phone: input.phone, address: input.address, preferences: input.preferences }, inputLists(ctx.app.policies));
  const set: Record<string, unknown> = {};
  for (const key of ['email', 'phone', 'preferences'] as const) if (clean[key] !== undefined) set[key] = clean[key];
  if (clean.address === null || (clean.address && !doc.address)) set.address = clean.address;
  else if (clean.address) for (const [k, v] of Object.entries(clean.address)) set[`address.${k}`] = v;
  Object.assign(set, verificationResetFields(doc, clean)); // a changed email or phone is no longer verified
  const updated = await ctx.app.models.customers.findOneAndUpdate({ _id: doc._id }, { $set: set }, { returnDocument: 'after' }).lean<CustomerDoc>().exec();
  if (!updated) throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: this customer is not in the program (unknown, or erased)');
  await supersedeCodes(ctx.app, doc._id, changedChannels(doc, clean));
  ctx.audit.written('Customer', doc._id, leaves);
  ctx.loaders.customer.clear(doc._id).prime(doc._id, updated);
  return updated;
}
