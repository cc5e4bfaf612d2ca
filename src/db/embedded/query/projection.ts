/**
 * Inclusion projections (`{ a: 1, 'b.c': 1 }`, with `_id: 0` or not), the kind every driver read
 * sends, answered without mingo: the projected document is built from the stored one's own
 * values, in the stored field order, as mongod does. Stored documents are replaced, never changed
 * in place, so the values are shared rather than copied. Path collisions answer mongod's 31249;
 * anything else (exclusions, operators, a dotted path through an array) is left to mingo.
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { isPlainObject } from './predicates';

/** Field name → included whole (`true`) or the fields included under it. */
type Tree = Map<string, true | Tree>;

export interface Inclusion {
  tree: Tree;
  withId: boolean;
}

/** The inclusion tree of a projection, or undefined when the projection is not a plain inclusion. */
export function inclusionOf(projection: Document): Inclusion | undefined {
  const tree: Tree = new Map();
  let withId = true;
  for (const [path, v] of Object.entries(projection)) {
    const on = v === true || (typeof v === 'number' && v !== 0);
    if (path === '_id') {
      if (v === false || v === 0) withId = false;
      else if (!on) return undefined;
      continue;
    }
    if (!on || path.includes('$')) return undefined;
    const parts = path.split('.');
    if (parts.some((p) => p === '')) return undefined;
    let node = tree;
    for (let i = 0; i < parts.length; i++) {
      const existing = node.get(parts[i]);
      if (i === parts.length - 1) {
        if (existing !== undefined) throw collision(path, parts.slice(i + 1));
        node.set(parts[i], true);
      } else {
        if (existing === true) throw collision(path, parts.slice(i + 1));
        let next = existing;
        if (!next) node.set(parts[i], (next = new Map()));
        node = next;
      }
    }
  }
  // `{ _id: 0 }` alone excludes, `{ _id: 1 }` alone includes only the id: both left to mingo.
  if (tree.size === 0) return undefined;
  return { tree, withId };
}

/** mongod's 31249 for `{ a: 1, 'a.b': 1 }` (either order). */
function collision(path: string, rest: string[]): CommandError {
  return new CommandError(31249, `Path collision at ${path}${rest.length ? ` remaining portion ${rest.join('.')}` : ''}`);
}

const THROUGH_ARRAY = Symbol('through an array');

function pick(doc: Document, tree: Tree, top: boolean, withId: boolean): Document | typeof THROUGH_ARRAY {
  const out: Document = {};
  for (const k of Object.keys(doc)) {
    if (top && k === '_id') {
      if (withId) out._id = doc._id;
      continue;
    }
    const node = tree.get(k);
    if (node === undefined) continue;
    const v = doc[k];
    if (node === true) {
      if (v !== undefined) out[k] = v;
    } else if (Array.isArray(v)) {
      return THROUGH_ARRAY;
    } else if (isPlainObject(v)) {
      const sub = pick(v, node, false, false);
      if (sub === THROUGH_ARRAY) return sub;
      out[k] = sub;
    }
  }
  return out;
}

/** The projected document, or undefined when a dotted path crosses an array (mingo decides). */
export function projectInclusion(doc: Document, inclusion: Inclusion): Document | undefined {
  const out = pick(doc, inclusion.tree, true, inclusion.withId);
  return out === THROUGH_ARRAY ? undefined : out;
}
