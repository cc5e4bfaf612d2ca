/**
 * `npm run schema:emit`: writes the SDL of every audience to schema/ — staff.graphql, self.graphql and
 * partner-<id>.graphql per agreement — printed from the schemas the gateway serves, types and fields
 * sorted so that diffs are stable. Check the files in: a test fails when they drift from the code,
 * so a reviewer sees every change to what each audience (above all each partner) can see.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { PartnerRegistry } from '../partners/partnerRegistry';
import { buildPartnerSchema } from '../partners/partnerSchema';
import { DEFAULT_POLICY_DIR, loadPolicies } from '../policy';
import { buildSelfSchema, buildStaffSchema, SELF_RESOLVERS } from './schemas';

/** Where the SDL files live, relative to the working directory. */
export const SCHEMA_DIR = 'schema';

/** Stable SDL: types, fields and arguments in lexicographic order. */
export function printSorted(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}

/** File name → SDL, for every audience, built exactly as the gateway builds them (guarded). */
export function audienceSdl(policiesDir: string = DEFAULT_POLICY_DIR): Map<string, string> {
  const out = new Map<string, string>();
  const staff = buildStaffSchema();
  out.set('staff.graphql', printSorted(staff));
  if (SELF_RESOLVERS.length > 0) out.set('self.graphql', printSorted(buildSelfSchema()));
  const registry = PartnerRegistry.load(join(policiesDir, 'partners'), loadPolicies(policiesDir));
  for (const agreement of registry.list()) out.set(`partner-${agreement.id}.graphql`, printSorted(buildPartnerSchema(staff, agreement)));
  return out;
}

/** Write the SDL files to `dir` (default schema/) and remove partner files whose agreement is gone. */
export function emitSchemas(dir: string = SCHEMA_DIR, policiesDir: string = DEFAULT_POLICY_DIR): string[] {
  const files = audienceSdl(policiesDir);
  mkdirSync(dir, { recursive: true });
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (name.endsWith('.graphql') && !files.has(name)) rmSync(join(dir, name));
  }
  for (const [name, sdl] of files) writeFileSync(join(dir, name), sdl);
  return [...files.keys()].map((n) => join(dir, n));
}

if (require.main === module) {
  const written = emitSchemas();
  process.stdout.write(`Wrote ${written.join(', ')}\n`);
}
