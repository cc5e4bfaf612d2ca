/**
 * `let` variables: a command's `let` document (and an update statement's `c` constants) checked as
 * mongod checks user variable names, each value evaluated once as an aggregation expression, then
 * visible as `$$name` in `$expr`, projections, pipelines and pipeline-style updates.
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { runPipeline } from './mingoEngine';
import { isPlainObject } from './predicates';

/** mongod's rule for user variable names: a lowercase letter (or non-ASCII) first, then letters, digits, `_`. */
function checkName(name: string): void {
  if (name === '') throw new CommandError(16866, 'empty variable names are not allowed');
  const first = name.charCodeAt(0);
  if (!((first >= 97 && first <= 122) || first >= 0x80)) {
    throw new CommandError(16867, `'${name}' starts with an invalid character for a user variable name`);
  }
  const bad = /[^A-Za-z0-9_\u0080-\uffff]/.exec(name);
  if (bad) throw new CommandError(16868, `'${name}' contains an invalid character for a variable name: '${bad[0]}'`);
}

/**
 * The values of a `let` document (undefined when absent). `field` names the option in errors,
 * e.g. `find.let`. Values are expressions (`{ $literal: '$x' }` keeps a string starting with `$`),
 * evaluated against `against` (`$merge`'s source document; nothing for a command's `let`).
 */
export function evaluateLet(raw: unknown, field: string, against: Document = {}): Document | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) throw CommandError.of('TypeMismatch', `BSON field '${field}' is the wrong type, expected type 'object'`);
  const names = Object.keys(raw);
  if (names.length === 0) return undefined;
  for (const n of names) checkName(n);
  const [values] = runPipeline([against], [{ $replaceWith: raw }]);
  return values ?? {};
}

/** Command-level `let` and statement-level constants together (the statement's win). */
export function mergeVariables(...sets: Array<Document | undefined>): Document | undefined {
  const present = sets.filter((s): s is Document => !!s);
  if (present.length === 0) return undefined;
  return Object.assign({}, ...present);
}
