/** Partner schemas are built once per (partner, agreement version), from the guarded staff schema. */
import { join } from 'node:path';
import type { GraphQLNamedType, GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PartnerRegistry, PartnerSchemaCache } from '../../src/partners';
import { loadPolicies } from '../../src/policy';
import { buildStaffSchema } from '../../src/server/schemas';

const dir = join(__dirname, '../../policies');
const agreement = PartnerRegistry.load(join(dir, 'partners'), loadPolicies(dir)).get('shipfast')!;

describe('PartnerSchemaCache', () => {
  it('builds a schema once per agreement version, however often it is asked', () => {
    const cache = new PartnerSchemaCache(buildStaffSchema());
    const first = cache.get(agreement);
    expect(cache.get(agreement)).toBe(first);
    expect(cache.get({ ...agreement, revoked: { at: new Date(), by: 'x', reason: 'y' } })).toBe(first); // same version, same terms
    expect(cache.builds).toBe(1);
    const next = cache.get({ ...agreement, version: '2099-01', grants: { ...agreement.grants, Customer: { read: ['fullName'], update: [] } } });
    expect(next).not.toBe(first);
    expect(cache.builds).toBe(2);
    expect(Object.keys((next.getType('Customer') as GraphQLObjectType).getFields()).sort()).toEqual(['fullName', 'id']);
  });

  it('builds anew when a version number comes back with other terms', () => {
    const cache = new PartnerSchemaCache(buildStaffSchema());
    const first = cache.get(agreement);
    const narrower = { ...agreement, termsHash: 'other-terms', grants: { ...agreement.grants, Customer: { read: ['fullName'], update: [] } } };
    const again = cache.get(narrower);
    expect(again).not.toBe(first);
    expect(Object.keys((again.getType('Customer') as GraphQLObjectType).getFields()).sort()).toEqual(['fullName', 'id']);
  });

  it('keeps the staff resolvers (with their guards) on the fields it keeps', () => {
    const staff = buildStaffSchema();
    const partner = new PartnerSchemaCache(staff).get(agreement);
    const staffCustomer = staff.getQueryType()!.getFields().customer!;
    expect(partner.getQueryType()!.getFields().customer!.resolve).toBe(staffCustomer.resolve);
    const phone = (t: GraphQLNamedType | null | undefined) => (t as GraphQLObjectType).getFields().phone!.resolve;
    expect(phone(partner.getType('Customer'))).toBe(phone(staff.getType('Customer')));
  });
});
