/** The partner's own schema: the guarded staff schema cut down to its agreement, built once per agreement version and terms. */
import { MapperKind, mapSchema, pruneSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import type { GuardedField, GuardSpec } from '../core/capability';
import type { Agreement } from './agreement';

/** Input fields that name Customer attributes: filtering or writing them reveals the attribute exists. */
const INPUT_ATTRIBUTES: Record<string, { action: 'read' | 'update'; fields: Record<string, string> }> = {
  CustomerFilter: { action: 'read', fields: { segment: 'segment', country: 'address.country', search: 'fullName', email: 'email' } },
  UpdateCustomerInput: {
    action: 'update',
    fields: { email: 'email', phone: 'phone', address: 'address', preferences: 'preferences', segment: 'segment', loyaltyTier: 'loyaltyTier', paymentCard: 'paymentCard', health: 'health' },
  },
};

/** Root operations every partner schema keeps, whatever the agreement: discovery (no customer data). */
const ALWAYS_OPERATIONS: readonly string[] = ['Query.myPurposes'];

/** Fields shown whatever the agreement: the identifiers. */
const ALWAYS: Record<string, readonly string[]> = { Customer: ['id'], Task: ['id'] };

const covers = (granted: string[], attribute: string) => granted.some((g) => g === attribute || g.startsWith(`${attribute}.`));

function customerFieldAllowed(guarded: GuardedField, read: string[]): boolean {
  if (guarded.kind === 'id') return true;
  if (guarded.kind === 'leaf') return read.includes(guarded.path);
  return read.some((l) => l.startsWith(`${guarded.path}.`));
}

/** The key a partner schema is built once for: partner, agreement version and terms. */
export function partnerSchemaKey(agreement: Agreement): string {
  return `${agreement.id}@${agreement.version}#${agreement.termsHash}`;
}

/**
 * The partner's own schema: the staff schema cut down to the agreement. Root fields: only the
 * agreement's operations. Customer types (and their nested attribute types): only the granted
 * attributes, plus `id`; anything the field guard does not know is dropped (fail closed). Task: only the
 * granted fields plus `id`. Input fields that name an attribute: only granted ones. Then every type no
 * longer reachable (PaymentCard, Health, AccessLogEntry, ...) is pruned.
 *
 * Resolvers are the staff ones, already wrapped by the root guard and the field guard, so both still
 * run inside (defence in depth). Pass the guarded staff schema. Pure: build it once per agreement version.
 */
export function buildPartnerSchema(staffSchema: GraphQLSchema, agreement: Agreement, customerGuard: GuardSpec): GraphQLSchema {
  const operations = new Set([...agreement.operations, ...ALWAYS_OPERATIONS]);
  const read = agreement.grants.Customer.read;
  const taskFields = new Set([...ALWAYS.Task!, ...agreement.grants.Task.read]);
  const rootNames = new Set([staffSchema.getQueryType()?.name, staffSchema.getMutationType()?.name, staffSchema.getSubscriptionType()?.name]);

  const mapped = mapSchema(staffSchema, {
    [MapperKind.ROOT_FIELD]: (config, fieldName, typeName) => (operations.has(`${typeName}.${fieldName}`) ? config : null),
    [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
      if (rootNames.has(typeName)) return operations.has(`${typeName}.${fieldName}`) ? config : null;
      if (ALWAYS[typeName]?.includes(fieldName)) return config;
      if (typeName === 'Task') return taskFields.has(fieldName) ? config : null;
      const guardedType = customerGuard.types[typeName];
      if (guardedType) {
        const guarded = guardedType[fieldName];
        return guarded && customerFieldAllowed(guarded, read) ? config : null;
      }
      return config;
    },
    [MapperKind.INPUT_OBJECT_FIELD]: (config, fieldName, typeName) => {
      const spec = INPUT_ATTRIBUTES[typeName];
      if (!spec) return config;
      const attribute = spec.fields[fieldName];
      return attribute && covers(agreement.grants.Customer[spec.action], attribute) ? config : null;
    },
  });
  // A root type left without fields cannot stay in a valid schema.
  const withoutEmptyRoots = mapSchema(mapped, {
    [MapperKind.MUTATION]: (type) => (Object.keys(type.getFields()).length ? type : null),
    [MapperKind.SUBSCRIPTION]: (type) => (Object.keys(type.getFields()).length ? type : null),
  });
  return pruneSchema(withoutEmptyRoots);
}
