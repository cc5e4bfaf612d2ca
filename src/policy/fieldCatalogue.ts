import type { Action, FieldDef, PolicySet } from './types';
import { RESTRICTED_CATEGORIES } from './types';

/** A problem with one rule's field list; the loader adds the file and key path. */
export class FieldListProblem extends Error {}

/** All Customer leaf attribute paths, in catalogue order. */
export function customerFields(policies: Pick<PolicySet, 'fields'>): string[] {
  return [...policies.fields.keys()];
}

/** The leaves under a parent (`address` → `address.street`, ...); [] for a leaf or unknown name. */
export function childrenOf(policies: Pick<PolicySet, 'fields'>, parent: string): string[] {
  const prefix = `${parent}.`;
  return customerFields(policies).filter((p) => p.startsWith(prefix));
}

/** Leaves in a restricted category (financial, health): never granted by a wildcard. */
export function restrictedFields(policies: Pick<PolicySet, 'restricted'>): string[] {
  return [...policies.restricted];
}

function describeRestricted(fields: Map<string, FieldDef>, covered: string[]): string | null {
  for (const category of RESTRICTED_CATEGORIES) {
    const hit = covered.filter((p) => fields.get(p)?.category === category);
    if (hit.length) return `restricted category ${category} (${hit.join(', ')})`;
  }
  return null;
}

/**
 * Expand a Customer rule's field list into leaf paths.
 * - a leaf stays itself; a parent (`address`) means its leaves: explicit, so it may name restricted leaves;
 * - `*` and `parent.*` are wildcards: they may not cover a restricted category (unless the rule is inverted);
 * - `undefined` (no `fields:`) means every attribute, and counts as a wildcard;
 * - for read, never-readable leaves are dropped from parents and wildcards, and refused when named.
 * Throws FieldListProblem (message says which entry and which rule).
 */
export function expandCustomerFields(
  fields: Map<string, FieldDef>,
  listed: string[] | undefined,
  actions: Action[],
  inverted: boolean,
): string[] {
  const all = [...fields.keys()];
  const grantsRead = !inverted && actions.includes('read');
  const out = new Set<string>();
  const entries = listed ?? ['*'];
  for (const entry of entries) {
    let leaves: string[];
    let wildcard = false;
    if (entry === '*') {
      leaves = all;
      wildcard = true;
    } else if (entry.endsWith('.*')) {
      const parent = entry.slice(0, -2);
      leaves = all.filter((p) => p.startsWith(`${parent}.`));
      if (!leaves.length) throw new FieldListProblem(`wildcard "${entry}": "${parent}" has no attributes in policies/fields.yaml`);
      wildcard = true;
    } else if (fields.has(entry)) {
      leaves = [entry];
      if (grantsRead && fields.get(entry)!.neverReadable)
        throw new FieldListProblem(`"${entry}" is never readable (neverReadable in fields.yaml); remove it from this read rule`);
    } else {
      leaves = all.filter((p) => p.startsWith(`${entry}.`));
      if (!leaves.length) throw new FieldListProblem(`unknown attribute "${entry}" (not in policies/fields.yaml)`);
    }
    if (wildcard && !inverted) {
      const restricted = describeRestricted(fields, leaves);
      if (restricted) {
        const what = listed ? `wildcard "${entry}"` : 'no fields (every attribute)';
        throw new FieldListProblem(`${what} would grant ${restricted}; list restricted fields explicitly`);
      }
    }
    for (const leaf of leaves) {
      if (grantsRead && fields.get(leaf)!.neverReadable) continue; // only reachable from a parent or wildcard
      out.add(leaf);
    }
  }
  return [...out];
}
