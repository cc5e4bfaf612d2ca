import { describe, expect, it } from 'vitest';
import { useDriver } from './fixture';

const f = useDriver();

async function seedOrders() {
  const customers = f.db.collection(f.name('customers'));
  const orders = f.db.collection(f.name('orders'));
  await customers.insertMany([
    { _id: 'c1', name: 'Ada', country: 'FR' },
    { _id: 'c2', name: 'Bo', country: 'DE' },
    { _id: 'c3', name: 'Cy', country: 'FR' },
  ] as never[]);
  await orders.insertMany([
    { _id: 1, customer: 'c1', total: 10, items: ['a', 'b'] },
    { _id: 2, customer: 'c1', total: 20, items: ['c'] },
    { _id: 3, customer: 'c2', total: 5, items: [] },
    { _id: 4, customer: 'c3', total: 40, items: ['a'] },
  ] as never[]);
  return { customers, orders };
}

describe('aggregation', () => {
  it('runs $match, $group, $sort, $skip, $limit and $project', async () => {
    const { orders } = await seedOrders();
    const out = await orders
      .aggregate([
        { $match: { total: { $gte: 5 } } },
        { $group: { _id: '$customer', sum: { $sum: '$total' }, n: { $sum: 1 } } },
        { $sort: { sum: -1 } },
        { $skip: 1 },
        { $limit: 2 },
        { $project: { _id: 0, customer: '$_id', sum: 1, n: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { sum: 30, n: 2, customer: 'c1' },
      { sum: 5, n: 1, customer: 'c2' },
    ]);
  });

  it('runs $count and $unwind', async () => {
    const { orders } = await seedOrders();
    expect(await orders.aggregate([{ $match: { total: { $gt: 5 } } }, { $count: 'n' }]).toArray()).toEqual([{ n: 3 }]);
    const unwound = await orders.aggregate([{ $unwind: '$items' }, { $group: { _id: '$items', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(unwound).toEqual([
      { _id: 'a', n: 2 },
      { _id: 'b', n: 1 },
      { _id: 'c', n: 1 },
    ]);
  });

  it('joins another collection of the same database with $lookup', async () => {
    const { customers, orders } = await seedOrders();
    const out = await customers
      .aggregate([
        { $match: { country: 'FR' } },
        { $lookup: { from: orders.collectionName, localField: '_id', foreignField: 'customer', as: 'orders' } },
        { $project: { name: 1, n: { $size: '$orders' } } },
        { $sort: { name: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { _id: 'c1', name: 'Ada', n: 2 },
      { _id: 'c3', name: 'Cy', n: 1 },
    ]);
  });

  it('runs $facet with a page and a total in one round trip', async () => {
    const { orders } = await seedOrders();
    const [out] = await orders
      .aggregate([{ $sort: { _id: 1 } }, { $facet: { page: [{ $skip: 1 }, { $limit: 2 }, { $project: { _id: 1 } }], total: [{ $count: 'n' }] } }])
      .toArray();
    expect(out).toEqual({ page: [{ _id: 2 }, { _id: 3 }], total: [{ n: 4 }] });
  });

  it('streams large results through a cursor with getMore', async () => {
    const c = f.db.collection(f.name());
    await c.insertMany(Array.from({ length: 500 }, (_, i) => ({ i })));
    const out = await c.aggregate([{ $match: { i: { $gte: 100 } } }, { $sort: { i: -1 } }], { batchSize: 50 }).toArray();
    expect(out).toHaveLength(400);
    expect(out[0].i).toBe(499);
  });

  it('counts with countDocuments (an aggregation in the driver)', async () => {
    const { orders } = await seedOrders();
    expect(await orders.countDocuments({ customer: 'c1' })).toBe(2);
  });
});
