/**
 * Introspection (`__schema`, `__type`) needs a valid token of the endpoint's audience: without one
 * the operation is refused with the authentication error (UNAUTHENTICATED, HTTP 401) before it runs
 * (preflight.ts).
 * `__typename` stays free. The partner endpoint admits callers before any schema (app.ts), so this
 * changes nothing there.
 */
import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';

/** Does the document select `__schema` or `__type` anywhere (fragments included)? */
export function introspects(document: DocumentNode): boolean {
  const walk = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => (s.kind === Kind.FIELD ? s.name.value === '__schema' || s.name.value === '__type' || walk(s.selectionSet) : s.kind === Kind.INLINE_FRAGMENT && walk(s.selectionSet)));
  return document.definitions.some((d) => (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) && walk(d.selectionSet));
}

