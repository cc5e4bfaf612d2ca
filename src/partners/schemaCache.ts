import type { GraphQLSchema } from 'graphql';
import type { Agreement } from './agreement';
import { buildPartnerSchema } from './partnerSchema';

/**
 * Partner schemas, built once per (partner, agreement version, terms) from the guarded staff schema.
 * The registry refuses new terms under the version it holds; the terms hash in the key also covers a
 * version number reused later with other terms.
 */
export class PartnerSchemaCache {
  private readonly schemas = new Map<string, GraphQLSchema>();
  /** How many schemas were built (each key once). */
  builds = 0;

  constructor(private readonly staffSchema: GraphQLSchema) {}

  static key(agreement: Agreement): string {
    return `${agreement.id}@${agreement.version}#${agreement.termsHash}`;
  }

  get(agreement: Agreement): GraphQLSchema {
    const key = PartnerSchemaCache.key(agreement);
    let schema = this.schemas.get(key);
    if (!schema) {
      schema = buildPartnerSchema(this.staffSchema, agreement);
      this.schemas.set(key, schema);
      this.builds++;
    }
    return schema;
  }
}
