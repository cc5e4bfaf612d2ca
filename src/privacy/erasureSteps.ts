import type { Connection } from 'mongoose';
import { purgeConsentEventsOf } from '../consent/consentEventModel';
import type { KeyStore } from '../crypto';
import { customerModel } from '../customers/customerModel';
import { taskModel } from '../tasks/taskModel';
import { correctionRequestModel } from './correctionRequestModel';
import type { ErasureStepRecord } from './erasureModel';

/**
 * Other collections where the product keeps rows about a customer under a `customerId` field
 * (the verification capability's `outbox` and `verificationCodes`). Collections that do not exist
 * are simply empty. A capability that stores customer rows elsewhere adds its collection here.
 */
export const CUSTOMER_ROW_COLLECTIONS: readonly string[] = ['outbox', 'verificationCodes'];

/** What the erasure procedure needs: the connection and the key store (only `destroy` is used). */
export interface ErasureServices {
  conn: Connection;
  keyStore: Pick<KeyStore, 'destroy'>;
  /** Collections cleared in step 5. Default CUSTOMER_ROW_COLLECTIONS. */
  rowCollections?: readonly string[];
}

type StepResult = Pick<ErasureStepRecord, 'count' | 'detail'>;

export interface ErasureStep {
  name: string;
  /** Idempotent: running it again after it completed removes nothing more and does no harm. */
  run(svc: ErasureServices, customerId: string): Promise<StepResult>;
}

/**
 * The steps, in order. Before them the procedure marks the customer document `erasing: true`
 * (see erasingMark.ts), so no staff or partner request reads or writes the customer meanwhile.
 * The data key goes FIRST (crypto-shredding): from then on every encrypted attribute of the
 * customer, in any copy or backup, is unreadable, even if a later step is delayed. `deleteCustomer`
 * destroys the data key once more after the document is gone, in case a request in flight
 * recreated it. The last step (`markDone`) is carried out by the procedure itself.
 */
export const ERASURE_STEPS: readonly ErasureStep[] = [
  {
    name: 'destroyDataKey',
    run: async (svc, id) => ({ count: (await svc.keyStore.destroy(id)) ? 1 : 0 }),
  },
  {
    name: 'deleteCorrectionRequests',
    run: async (svc, id) => ({ count: (await correctionRequestModel(svc.conn).deleteMany({ customerId: id }).exec()).deletedCount }),
  },
  {
    name: 'deleteConsentEvents',
    run: async (svc, id) => ({ count: await purgeConsentEventsOf(svc.conn, id) }),
  },
  {
    name: 'removeFromTasks',
    run: async (svc, id) => ({
      count: (await taskModel(svc.conn).updateMany({ customerIds: id }, { $pull: { customerIds: id } }).exec()).modifiedCount,
    }),
  },
  {
    name: 'deleteCustomerRows',
    run: async (svc, id) => {
      const detail: Array<{ store: string; count: number }> = [];
      for (const store of svc.rowCollections ?? CUSTOMER_ROW_COLLECTIONS) {
        const res = await svc.conn.collection(store).deleteMany({ customerId: id });
        detail.push({ store, count: res.deletedCount });
      }
      return { count: detail.reduce((n, d) => n + d.count, 0), detail };
    },
  },
  {
    name: 'deleteCustomer',
    run: async (svc, id) => {
      const count = (await customerModel(svc.conn).deleteOne({ _id: id }).exec()).deletedCount;
      // A request already under way when the erasure began may have encrypted a value since step 1,
      // which creates a new data key: destroy it too, now that nothing can load the customer any more.
      await svc.keyStore.destroy(id);
      return { count };
    },
  },
];

/** The final step's name: the record becomes DONE and loses the customer id. */
export const MARK_DONE = 'markDone';

/** Step names in order, numbered from 1 (the `stopAfter` hook counts the same way). */
export const ERASURE_STEP_NAMES: readonly string[] = [...ERASURE_STEPS.map((s) => s.name), MARK_DONE];
