/**
 * Read-only views (`create` with `viewOn` and `pipeline`). A view is kept as an entry of its
 * database with those options and no documents; reading it runs its pipeline over its source
 * (views on views resolve to the innermost collection, at most 20 deep as in mongod). Writes,
 * indexes and validators on a view are refused with mongod's CommandNotSupportedOnView (166).
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { checkCollectionName } from '../storage/store';
import type { CommandContext } from './context';

/** mongod's limit on nested views. */
const MAX_VIEW_DEPTH = 20;

/** Stages a view definition may not contain. */
const WRITING_STAGES = new Set(['$out', '$merge']);

export interface ViewDefinition {
  viewOn: string;
  pipeline: Document[];
}

/** The definition of `name` when it is a view. */
export function viewOf(ctx: CommandContext, name: string, db = ctx.db): ViewDefinition | undefined {
  const entry = ctx.store.get(db, name);
  if (!entry || typeof entry.options.viewOn !== 'string') return undefined;
  return { viewOn: entry.options.viewOn, pipeline: (entry.options.pipeline as Document[] | undefined) ?? [] };
}

export function isView(ctx: CommandContext, name: string, db = ctx.db): boolean {
  return viewOf(ctx, name, db) !== undefined;
}

/** Throws CommandNotSupportedOnView (166) when `name` is a view. */
export function refuseView(ctx: CommandContext, name: string, db = ctx.db): void {
  if (isView(ctx, name, db)) throw CommandError.of('CommandNotSupportedOnView', `Namespace ${db}.${name} is a view, not a collection`);
}

/** The collection a view reads in the end, and the whole pipeline to run over it (innermost first). */
export function resolveView(ctx: CommandContext, name: string): { source: string; pipeline: Document[] } | undefined {
  let view = viewOf(ctx, name);
  if (!view) return undefined;
  const stack: Document[][] = [];
  let source = name;
  for (let depth = 0; view; depth++) {
    if (depth >= MAX_VIEW_DEPTH) throw CommandError.of('ViewDepthLimitExceeded', `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`);
    stack.unshift(view.pipeline);
    source = view.viewOn;
    view = viewOf(ctx, source);
  }
  return { source, pipeline: stack.flat() };
}

/** Checks a view definition (for create and collMod). */
export function checkViewDefinition(ctx: CommandContext, name: string, viewOn: unknown, pipeline: unknown): ViewDefinition {
  if (typeof viewOn !== 'string') throw CommandError.of('TypeMismatch', "BSON field 'viewOn' is the wrong type, expected type 'string'");
  checkCollectionName(ctx.db, viewOn);
  const stages = pipeline === undefined ? [] : pipeline;
  if (!Array.isArray(stages)) throw CommandError.of('TypeMismatch', "BSON field 'pipeline' is the wrong type, expected type 'array'");
  for (const stage of stages) {
    const key = stage && typeof stage === 'object' ? Object.keys(stage)[0] : undefined;
    if (key && WRITING_STAGES.has(key)) throw CommandError.of('OptionNotSupportedOnView', `${key} cannot be used in a view definition`);
  }
  // A cycle (a view reading, through others, itself) is refused when it is made.
  let next: string | undefined = viewOn;
  for (let depth = 0; next !== undefined; depth++) {
    if (next === name) throw new CommandError(142, `View cycle detected: ${name} reads itself through ${viewOn}`);
    if (depth >= MAX_VIEW_DEPTH) throw CommandError.of('ViewDepthLimitExceeded', `View depth too deep; maximum depth is ${MAX_VIEW_DEPTH}`);
    next = viewOf(ctx, next)?.viewOn;
  }
  return { viewOn, pipeline: stages as Document[] };
}
