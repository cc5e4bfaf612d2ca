/**
 * Each partner's introspection (over HTTP, with its own token) against its agreement, field by field:
 * the root operations are the agreement's, every customer attribute type shows exactly the granted
 * attributes (plus Customer.id), Task exactly the granted fields (plus id), and nothing else names an
 * attribute. Then defence in depth: the field guard still runs inside a partner schema.
 */
import { execute, getIntrospectionQuery, type IntrospectionObjectType, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRecorder } from '../../src/audit';
import type { Agreement } from '../../src/partners';
import { buildPartnerSchema, partnersCapability, registryOf, withPartnerRoles } from '../../src/partners';
import { mergeSpecs } from '../../src/policy';
import { CAPABILITIES } from '../../src/server/capabilities';
import { contextFor, startTestApp, type TestApp } from '../support/app';
import { buildStaffSchema } from '../support/schemas';
import { gql } from '../support/graphql';
import { ParcelDocument } from '../operations/generated/partner-shipfast';
import { IN_TASK, SHIPFAST } from './client';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const registry = () => registryOf(app.running.services);
/** The Customer guard as the gateway composes it (every capability's mappings). */
const customerGuardSpec = mergeSpecs(CAPABILITIES.flatMap((c) => c.guards ?? [])).find((s) => s.root === 'Customer')!;
const partnerAdmit = partnersCapability.audiences![0]!.admit!;

/** What the agreement says each type must show. */
function expectedFields(a: Agreement): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const read = a.grants.Customer.read;
  for (const [type, fields] of Object.entries(customerGuardSpec.types)) {
    const shown = Object.entries(fields)
      .filter(([, g]) => (g.kind === 'leaf' ? read.includes(g.path) : g.kind === 'group' ? read.some((l) => l.startsWith(`${g.path}.`)) : false))
      .map(([name]) => name);
    if (type === 'Customer') shown.push('id');
    if (shown.length > 1 || (shown.length === 1 && type !== 'Customer')) out.set(type, shown.sort());
  }
  if (a.operations.some((op) => op === 'Query.task' || op === 'Query.myTasks')) out.set('Task', [...new Set(['id', ...a.grants.Task.read])].sort());
  for (const root of ['Query', 'Mutation']) {
    // Discovery (myPurposes) is in every audience's schema.
    const ops = [...a.operations, 'Query.myPurposes'].filter((op) => op.startsWith(`${root}.`)).map((op) => op.slice(root.length + 1));
    if (ops.length) out.set(root, ops.sort());
  }
  return out;
}

describe('introspection of each partner schema matches its agreement', () => {
  it('has agreements to check', () => {
    expect(registry().list().map((a) => a.id)).toContain('shipfast');
  });

  it('shows, for every partner, exactly the operations, attributes and task fields of its agreement', async () => {
    for (const agreement of registry().list()) {
      const token = app.sign({ kind: 'partner', sub: `${agreement.id}-auditor`, partner: agreement.id });
      const r = await gql<IntrospectionQuery>(app.url, getIntrospectionQuery(), { endpoint: SHIPFAST.endpoint, token });
      expect(r.errors, agreement.id).toBeUndefined();
      const types = new Map(r.data!.__schema.types.map((t) => [t.name, t]));
      const expected = expectedFields(agreement);
      for (const [typeName, fields] of expected) {
        const type = types.get(typeName) as IntrospectionObjectType | undefined;
        expect(type, `${agreement.id}: ${typeName}`).toBeDefined();
        expect(type!.fields.map((f) => f.name).sort(), `${agreement.id}: fields of ${typeName}`).toEqual(fields);
      }
      // Customer attribute types the agreement grants nothing of are absent altogether.
      for (const typeName of Object.keys(customerGuardSpec.types)) {
        if (!expected.has(typeName)) expect(types.has(typeName), `${agreement.id}: ${typeName} should be absent`).toBe(false);
      }
      if (!expected.has('Mutation')) expect(r.data!.__schema.mutationType, agreement.id).toBeNull();
      // Filter inputs name only granted attributes (country → address.country, search → fullName, segment → segment).
      const filter = types.get('CustomerFilter') as { inputFields?: { name: string }[] } | undefined;
      const filterAttribute: Record<string, string> = { country: 'address.country', search: 'fullName', segment: 'segment' };
      for (const f of filter?.inputFields ?? []) expect(agreement.grants.Customer.read, `${agreement.id}: CustomerFilter.${f.name}`).toContain(filterAttribute[f.name]);
    }
  });
});

describe('defence in depth', () => {
  it('still runs the field guard inside a partner schema: an attribute the ability denies resolves to null and is recorded', async () => {
    const services = app.running.services;
    const agreement = registry().get('shipfast')!;
    // The schema shows phone, but the policy in force for this request does not grant it.
    const schema = buildPartnerSchema(buildStaffSchema(), agreement, customerGuardSpec);
    const narrowed: Agreement = { ...agreement, grants: { ...agreement.grants, Customer: { read: agreement.grants.Customer.read.filter((f) => f !== 'phone'), update: [] } } };
    const ctx = await contextFor(
      app, 'partner',
      { authorization: `Bearer ${app.tokens.shipfast}`, 'x-purpose': SHIPFAST.purpose, 'x-task-id': SHIPFAST.task },
      { services: { ...services, policies: withPartnerRoles(services.policies, [narrowed]) } },
    );
    const result = await execute({ schema, document: ParcelDocument, variableValues: { id: IN_TASK[0] }, contextValue: ctx });
    expect(result.errors).toBeUndefined();
    const customer = (result.data as { customer: Record<string, unknown> }).customer;
    expect(customer.phone).toBeNull();
    expect(customer.fullName).toEqual(expect.any(String));
    expect(ctx.guard.errors().map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN_FIELD', field: 'Customer.phone' })]);
    const doc = (ctx.log as AccessRecorder).document()!;
    expect(doc.actor).toMatchObject({ partner: 'shipfast' });
    expect(doc.entries[0]).toMatchObject({ subjectIds: [IN_TASK[0]], fieldsDenied: ['phone'] });
  });

  it('still runs the root guard: an inactive agreement at context time refuses every operation', async () => {
    const agreement = registry().get('shipfast')!;
    const schema = buildPartnerSchema(buildStaffSchema(), agreement, customerGuardSpec);
    const token = app.sign({ kind: 'partner', sub: 'x', partner: 'gone' });
    const ctx = await contextFor(app, 'partner', { authorization: `Bearer ${token}`, 'x-purpose': SHIPFAST.purpose, 'x-task-id': SHIPFAST.task }, { admit: partnerAdmit });
    const result = await execute({ schema, document: ParcelDocument, variableValues: { id: IN_TASK[0] }, contextValue: ctx });
    expect(result.errors?.map((e) => e.extensions.code)).toEqual(['AGREEMENT_INACTIVE']);
    expect((result.data as { customer: unknown } | null)?.customer ?? null).toBeNull();
  });
});
