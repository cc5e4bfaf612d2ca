/**
 * Partner schemas are built once per (partner, agreement version, terms), from the guarded staff
 * schema: the gateway keeps one per `partnerSchemaKey`.
 */
import { join } from 'node:path';
import type { GraphQLNamedType, GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildPartnerSchema, PartnerRegistry, partnerSchemaKey } from '../../src/partners';
import { loadPolicies, mergeSpecs } from '../../src/policy';
import { CAPABILITIES } from '../../src/server/capabilities';
import { buildStaffSchema } from '../support/schemas';

const dir = join(__dirname, '../../policies');
const agreement = PartnerRegistry.load(join(dir, 'partners'), loadPolicies(dir)).get('shipfast')!;
const customerGuard = mergeSpecs(CAPABILITIES.flatMap((c) => c.guards ?? [])).find((s) => s.root === 'Customer')!;

describe('partner schema keys', () => {
  it('are the same for the same version and terms, whatever else changes (revocation)', () => {
    expect(partnerSchemaKey({ ...agreement, revoked: { at: new Date(), by: 'x', reason: 'y' } })).toBe(partnerSchemaKey(agreement));
  });

  it('differ for a new version, and for a version number that comes back with other terms', () => {
    expect(partnerSchemaKey({ ...agreement, version: '2099-01' })).not.toBe(partnerSchemaKey(agreement));
    expect(partnerSchemaKey({ ...agreement, termsHash: 'other-terms' })).not.toBe(partnerSchemaKey(agreement));
  });

  it('cut the Customer type down to the terms', () => {
    const next = buildPartnerSchema(buildStaffSchema(), { ...agreement, grants: { ...agreement.grants, Customer: { read: ['fullName'], update: [] } } }, customerGuard);
    expect(Object.keys((next.getType('Customer') as GraphQLObjectType).getFields()).sort()).toEqual(['fullName', 'id']);
  });

  it('keeps the staff resolvers (with their guards) on the fields it keeps', () => {
    const staff = buildStaffSchema();
    const partner = buildPartnerSchema(staff, agreement, customerGuard);
    const staffCustomer = staff.getQueryType()!.getFields().customer!;
    expect(partner.getQueryType()!.getFields().customer!.resolve).toBe(staffCustomer.resolve);
    const phone = (t: GraphQLNamedType | null | undefined) => (t as GraphQLObjectType).getFields().phone!.resolve;
    expect(phone(partner.getType('Customer'))).toBe(phone(staff.getType('Customer')));
  });
});
