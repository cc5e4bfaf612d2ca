/**
 * A lease in MongoDB: at most one holder at a time across every gateway of a cluster, for work that
 * must not run twice at once (the disposal job, the transparency-log sequencer). A lease expires
 * unless renewed, so a crashed holder is replaced after `ttlMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';

/** Collection `leases`: one document per lease name. */
export const LEASE_COLLECTION = 'leases';

interface LeaseDoc {
  _id: string;
  holder: string;
  expiresAt: Date;
}

export class Lease {
  /** This process's holder id. */
  readonly holder: string;

  /**
   * @param name which lease, e.g. `disposal` or `sequencer`
   * @param ttlMs how long a taken lease lasts unless renewed (must exceed the work between renewals)
   */
  constructor(private readonly conn: Connection, readonly name: string, readonly ttlMs: number, holder: string = randomUUID()) {
    if (!Number.isInteger(ttlMs) || ttlMs < 100) throw new RangeError(`lease ${name}: ttlMs must be an integer of at least 100 (received ${ttlMs})`);
    this.holder = holder;
  }

  private coll() {
    return this.conn.collection<LeaseDoc>(LEASE_COLLECTION);
  }

  /** Takes the lease if it is free, expired, or already ours (which renews it). Resolves true when held. */
  async acquire(now = new Date()): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    try {
      const res = await this.coll().updateOne(
        { _id: this.name, $or: [{ holder: this.holder }, { expiresAt: { $lte: now } }] },
        { $set: { holder: this.holder, expiresAt } },
        { upsert: true },
      );
      return res.matchedCount + res.upsertedCount > 0;
    } catch (err) {
      // Another holder has it: the upsert collided with its document on _id.
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  /** Renews a lease this process holds; false if it was lost (expired and taken by another). */
  async renew(now = new Date()): Promise<boolean> {
    const res = await this.coll().updateOne({ _id: this.name, holder: this.holder }, { $set: { expiresAt: new Date(now.getTime() + this.ttlMs) } });
    return res.matchedCount > 0;
  }

  /** Gives the lease up (if held), so another holder need not wait for it to expire. */
  async release(): Promise<void> {
    await this.coll().deleteOne({ _id: this.name, holder: this.holder });
  }

  /** Who holds it now, and until when (null when free). */
  async current(): Promise<{ holder: string; expiresAt: Date } | null> {
    const doc = await this.coll().findOne({ _id: this.name });
    return doc ? { holder: doc.holder, expiresAt: doc.expiresAt } : null;
  }
}
