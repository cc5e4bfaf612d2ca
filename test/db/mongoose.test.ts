import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schema, Types, type Connection, type Model } from 'mongoose';
import { connectMongoose } from '../../src/db/connect';
import { startTestDatabase, type TestDatabase } from '../support/database';

interface Customer {
  _id: string;
  fullName: string;
  email?: string;
  segment?: string;
  tags: string[];
  createdAt?: Date;
  updatedAt?: Date;
}
interface Order {
  customer: string;
  total: number;
  note?: string;
}

const customerSchema = new Schema<Customer>(
  {
    _id: { type: String, required: true },
    fullName: { type: String, required: true },
    email: { type: String, unique: true, sparse: true },
    segment: { type: String, index: true },
    tags: { type: [String], default: [] },
  },
  { timestamps: true },
);
const orderSchema = new Schema<Order>({
  customer: { type: String, ref: 'Customer', required: true },
  total: { type: Number, required: true },
  note: String,
});
orderSchema.index({ customer: 1, total: -1 });

let database: TestDatabase;
let conn: Connection;
let Customer: Model<Customer>;
let Order: Model<Order>;

beforeAll(async () => {
  database = await startTestDatabase();
  conn = await connectMongoose(database.uri, database.dbName);
  Customer = conn.model<Customer>('Customer', customerSchema);
  Order = conn.model<Order>('Order', orderSchema);
  await Customer.init();
  await Order.init();
});

afterAll(async () => {
  await conn?.close();
  await database?.stop();
});

describe('mongoose on the configured backend', () => {
  it('builds the schema indexes', async () => {
    const idx = await Customer.listIndexes();
    const byName = Object.fromEntries(idx.map((i) => [i.name, i]));
    expect(byName.email_1).toMatchObject({ key: { email: 1 }, unique: true, sparse: true });
    expect(byName.segment_1).toMatchObject({ key: { segment: 1 } });
    expect((await Order.listIndexes()).map((i) => i.name)).toContain('customer_1_total_-1');
  });

  it('creates, reads lean and counts', async () => {
    await Customer.create([
      { _id: 'cus_a', fullName: 'Ada', email: 'ada@example.test', segment: 'retail' },
      { _id: 'cus_b', fullName: 'Bo', segment: 'retail' },
      { _id: 'cus_c', fullName: 'Cy', segment: 'b2b' },
    ]);
    const lean = await Customer.findById('cus_a').lean();
    expect(lean).toMatchObject({ _id: 'cus_a', fullName: 'Ada', tags: [] });
    expect(lean?.createdAt).toBeInstanceOf(Date);
    expect(await Customer.countDocuments({ segment: 'retail' })).toBe(2);
    const page = await Customer.find({}, { fullName: 1 }).sort({ fullName: -1 }).skip(1).limit(1).lean();
    expect(page).toEqual([{ _id: 'cus_b', fullName: 'Bo' }]);
  });

  it('updates with findOneAndUpdate, including an upsert', async () => {
    const updated = await Customer.findOneAndUpdate({ _id: 'cus_b' }, { $set: { segment: 'vip' }, $addToSet: { tags: 'x' } }, { returnDocument: 'after' }).lean();
    expect(updated).toMatchObject({ segment: 'vip', tags: ['x'] });
    expect(updated!.updatedAt!.getTime()).toBeGreaterThanOrEqual(updated!.createdAt!.getTime());
    const upserted = await Customer.findOneAndUpdate({ _id: 'cus_new' }, { fullName: 'New' }, { upsert: true, returnDocument: 'after' }).lean();
    expect(upserted).toMatchObject({ _id: 'cus_new', fullName: 'New' });
    expect(upserted?.createdAt).toBeInstanceOf(Date);
    const none = await Customer.findOneAndUpdate({ _id: 'cus_missing' }, { fullName: 'x' });
    expect(none).toBeNull();
  });

  it("surfaces a unique index violation as mongoose's E11000 error", async () => {
    const err = (await Customer.create({ _id: 'cus_d', fullName: 'Dup', email: 'ada@example.test' }).catch((e: unknown) => e)) as {
      code?: number;
      message: string;
      keyValue?: unknown;
    };
    expect(err.code).toBe(11000);
    expect(err.message).toMatch(/^E11000 duplicate key error/);
    expect(err.keyValue).toEqual({ email: 'ada@example.test' });
    const viaSave = (await new Customer({ _id: 'cus_a', fullName: 'Again' }).save().catch((e: unknown) => e)) as { code?: number };
    expect(viaSave.code).toBe(11000);
  });

  it('populates references', async () => {
    await Order.create([
      { customer: 'cus_a', total: 10 },
      { customer: 'cus_a', total: 30 },
      { customer: 'cus_c', total: 5 },
    ]);
    const orders = await Order.find({ customer: 'cus_a' }).sort({ total: -1 }).populate<{ customer: Customer }>('customer', 'fullName').lean();
    expect(orders.map((o) => [o.total, o.customer.fullName])).toEqual([
      [30, 'Ada'],
      [10, 'Ada'],
    ]);
  });

  it('aggregates and iterates a query cursor', async () => {
    const sums = await Order.aggregate<{ _id: string; sum: number }>([{ $group: { _id: '$customer', sum: { $sum: '$total' } } }, { $sort: { _id: 1 } }]);
    expect(sums).toEqual([
      { _id: 'cus_a', sum: 40 },
      { _id: 'cus_c', sum: 5 },
    ]);
    await Order.insertMany(Array.from({ length: 150 }, (_, i) => ({ customer: 'cus_b', total: i })));
    let n = 0;
    // Without a sort, mongod answers in the order of the index it uses ({ customer: 1, total: -1 }).
    for await (const o of Order.find({ customer: 'cus_b' }).sort({ total: 1 }).batchSize(20).cursor()) {
      expect(o.total).toBe(n);
      n++;
    }
    expect(n).toBe(150);
  });

  it('stores and reads back a 1 MB document', async () => {
    const note = 'x'.repeat(1024 * 1024);
    const { _id } = await Order.create({ customer: 'cus_c', total: 1, note });
    const back = await Order.findById(_id).lean();
    expect(back?.note).toHaveLength(note.length);
    expect(back?._id).toBeInstanceOf(Types.ObjectId);
  });

  it('serves two connections writing interleaved', async () => {
    const other = await connectMongoose(database.uri, database.dbName);
    try {
      const A = conn.model('Counter', new Schema({ _id: String, n: Number, by: [String] }));
      const B = other.model('Counter', new Schema({ _id: String, n: Number, by: [String] }));
      await A.create({ _id: 'k', n: 0, by: [] });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? A : B).updateOne({ _id: 'k' }, { $inc: { n: 1 }, $push: { by: i % 2 ? 'a' : 'b' } }),
        ),
      );
      const fromB = await B.findById('k').lean<{ n: number; by: string[] }>();
      expect(fromB?.n).toBe(40);
      expect(fromB?.by.filter((x) => x === 'a')).toHaveLength(20);
      expect(fromB?.by.filter((x) => x === 'b')).toHaveLength(20);
    } finally {
      await other.close();
    }
  });

  it('syncs indexes, runs bulkWrite and reports unordered insertMany failures', async () => {
    expect(await Customer.diffIndexes()).toEqual({ toDrop: [], toCreate: [] });
    const res = await Order.bulkWrite([
      { insertOne: { document: { customer: 'cus_c', total: 7 } } },
      { updateMany: { filter: { customer: 'cus_c' }, update: { $inc: { total: 1 } } } },
      { deleteOne: { filter: { customer: 'cus_c', total: 8 } } },
    ]);
    expect(res.insertedCount).toBe(1);
    expect(res.modifiedCount).toBeGreaterThanOrEqual(2);
    expect(res.deletedCount).toBe(1);
    const err = (await Customer.insertMany(
      [
        { _id: 'cus_x1', fullName: 'X1', email: 'ada@example.test' },
        { _id: 'cus_x2', fullName: 'X2' },
      ],
      { ordered: false },
    ).catch((e: unknown) => e)) as { code?: number; insertedDocs?: unknown[] };
    expect(err.code).toBe(11000);
    expect(await Customer.exists({ _id: 'cus_x2' })).not.toBeNull();
    expect(await Customer.exists({ _id: 'cus_x1' })).toBeNull();
  });

  it('refuses multi-document transactions as a standalone server does', async () => {
    const session = await conn.startSession();
    try {
      const err = await session
        .withTransaction(async () => {
          await Order.create([{ customer: 'cus_txn', total: 1 }], { session });
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(await Order.exists({ customer: 'cus_txn' })).toBeNull();
    } finally {
      await session.endSession();
    }
  });

  it('deletes', async () => {
    expect((await Order.deleteMany({ customer: 'cus_b' })).deletedCount).toBe(150);
    expect((await Customer.deleteOne({ _id: 'cus_new' })).deletedCount).toBe(1);
    expect(await Customer.exists({ _id: 'cus_new' })).toBeNull();
  });
});
