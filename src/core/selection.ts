/**
 * What a query selected below a field, as a tree of field names (aliases merged, fragments and
 * @skip/@include applied). The field guard builds a subject's view from it, and list resolvers
 * use it to fetch only what is selected and to compute `totalCount` only when asked.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { Selection } from './context';

const EMPTY: Selection = new Map();

function included(node: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[] }, variables: Record<string, unknown>): boolean {
  for (const d of node.directives ?? []) {
    if (d.name.value !== 'skip' && d.name.value !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    const v = arg?.value as { kind: string; value?: boolean; name?: { value: string } } | undefined;
    const on = v?.kind === Kind.VARIABLE ? variables[v.name!.value] === true : v?.kind === Kind.BOOLEAN ? v.value === true : false;
    if (d.name.value === 'skip' && on) return false;
    if (d.name.value === 'include' && !on) return false;
  }
  return true;
}

function collect(sets: readonly (SelectionSetNode | undefined)[], info: GraphQLResolveInfo, into: Map<string, FieldNode[]>, seen: Set<string>): void {
  for (const set of sets) {
    for (const sel of set?.selections ?? []) {
      if (!included(sel, info.variableValues)) continue;
      if (sel.kind === Kind.FIELD) {
        const list = into.get(sel.name.value);
        if (list) list.push(sel);
        else into.set(sel.name.value, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        collect([sel.selectionSet], info, into, seen);
      } else if (!seen.has(sel.name.value)) {
        const frag = info.fragments[sel.name.value];
        if (frag && included(frag, info.variableValues)) collect([frag.selectionSet], info, into, new Set([...seen, sel.name.value]));
      }
    }
  }
}

function tree(nodes: readonly FieldNode[], info: GraphQLResolveInfo): Selection {
  const fields = new Map<string, FieldNode[]>();
  collect(nodes.map((n) => n.selectionSet), info, fields, new Set());
  const out = new Map<string, Selection | null>();
  for (const [name, ns] of fields) out.set(name, ns.some((n) => n.selectionSet) ? tree(ns, info) : null);
  return out;
}

/** Per request (its variables object) and field node: the selection, computed once for all rows. */
const cache = new WeakMap<object, WeakMap<FieldNode, Map<string, Selection>>>();

/** The selection below the current field, or below `path` inside it (e.g. ['edges', 'node']). */
export function selectionOf(info: GraphQLResolveInfo, path: readonly string[] = []): Selection {
  let byNode = cache.get(info.variableValues);
  if (!byNode) cache.set(info.variableValues, (byNode = new WeakMap()));
  const first = info.fieldNodes[0]!;
  let byPath = byNode.get(first);
  if (!byPath) byNode.set(first, (byPath = new Map()));
  const key = path.join('.');
  let sel = byPath.get(key);
  if (!sel) {
    sel = tree(info.fieldNodes, info);
    for (const step of path) sel = sel.get(step) ?? EMPTY;
    byPath.set(key, sel);
  }
  return sel;
}

/** True when the current field selects `name` (e.g. `totalCount`). */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  return selectionOf(info).has(name);
}
