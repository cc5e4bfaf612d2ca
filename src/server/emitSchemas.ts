/**
 * The SDL of every audience — staff.graphql, self.graphql and partner-<id>.graphql per agreement —
 * printed from the schemas the gateway serves, sorted so that diffs are stable. The files in schema/
 * are checked in: a test fails when they drift from the code, so a reviewer sees every change to
 * what each audience (above all each partner) can see. `npm run schema:emit` rewrites them.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPartnerSchema, PartnerRegistry } from '../partners';
import { DEFAULT_POLICY_DIR, loadPolicies, mergeSpecs } from '../policy';
import { CAPABILITIES } from './capabilities';
import { buildAudienceSchema, guardSpecsOf, printSorted } from './schemas';

export { printSorted };

/** Where the SDL files live, relative to the working directory. */
export const SCHEMA_DIR = 'schema';

/** File name → SDL, for every audience, built exactly as the gateway builds them (guarded). */
export function audienceSdl(policiesDir: string = DEFAULT_POLICY_DIR): Map<string, string> {
  const policies = loadPolicies(policiesDir);
  const specs = guardSpecsOf(CAPABILITIES, policies);
  const out = new Map<string, string>();
  const staff = buildAudienceSchema(CAPABILITIES, 'staff', specs);
  out.set('staff.graphql', printSorted(staff));
  out.set('self.graphql', printSorted(buildAudienceSchema(CAPABILITIES, 'self', specs)));
  const customerGuard = mergeSpecs(CAPABILITIES.flatMap((c) => c.guards ?? [])).find((s) => s.root === 'Customer')!;
  const registry = PartnerRegistry.load(join(policiesDir, 'partners'), policies);
  for (const agreement of registry.list()) out.set(`partner-${agreement.id}.graphql`, printSorted(buildPartnerSchema(staff, agreement, customerGuard)));
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
