import type { Connection } from 'mongoose';
import { customerModel } from '../customers/customerModel';

/**
 * The mark an erasure puts on the customer document before its first step (`erasing: true`).
 * From then on no staff or partner path reads or writes the customer: the loader, the `customers`
 * list (page and count), updateCustomer and correction approvals all add `notErasing()` to their
 * filters. The document is deleted by the step `deleteCustomer`, so the mark never needs removing.
 */
export const ERASING_FIELD = 'erasing';

/** Filter clause that leaves out customers under erasure (a fresh object for every query). */
export function notErasing(): Record<string, unknown> {
  return { [ERASING_FIELD]: { $ne: true } };
}

/**
 * Marks the customer as under erasure. Idempotent; a customer already deleted is left alone.
 * `strict: false`: the mark is not an attribute of the customer schema (and is no change of the
 * customer's data, so `updatedAt` stays).
 */
export async function markErasing(conn: Connection, customerId: string): Promise<void> {
  await customerModel(conn).updateOne({ _id: customerId }, { $set: { [ERASING_FIELD]: true } }, { strict: false, timestamps: false }).exec();
}
