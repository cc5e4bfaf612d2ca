/**
 * Collection validators (`create`/`collMod` `validator`, `validationLevel`, `validationAction`):
 * checked when set, applied to every insert, update, replace, upsert and aggregation write unless
 * `bypassDocumentValidation`. A failing document is refused with mongod's error 121
 * (DocumentValidationFailure) and an `errInfo` naming the document and the rules it broke;
 * `validationAction: 'warn'` logs instead; `validationLevel: 'moderate'` leaves alone updates to
 * documents that were already invalid.
 */
import type { Document } from 'bson';
import { logger } from '../../../logger';
import { CommandError } from '../errors';
import { compileFilter } from '../query/mingoEngine';
import { isPlainObject } from '../query/predicates';
import { bsonTypesOf, compileSchema } from './jsonSchema';

export interface CollectionValidator {
  level: 'off' | 'strict' | 'moderate';
  action: 'error' | 'warn';
  /** Undefined when the document passes; mongod's `errInfo.details` when it does not. */
  failure(doc: Document): Document | undefined;
}

const LEVELS = ['off', 'strict', 'moderate'];
const ACTIONS = ['error', 'warn'];

function valueAt(doc: Document, path: string): unknown {
  let node: unknown = doc;
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Document)[part];
  }
  return node;
}

/** The details of one failed top-level clause of a query-operator validator. */
function clauseDetails(key: string, value: unknown, doc: Document): Document {
  if (key.startsWith('$')) return { operatorName: key, specifiedAs: { [key]: value }, reason: 'expression did not match' };
  const op = isPlainObject(value) && Object.keys(value).length === 1 && Object.keys(value)[0].startsWith('$') ? Object.keys(value)[0] : '$eq';
  const considered = valueAt(doc, key);
  const out: Document = { operatorName: op, specifiedAs: { [key]: value } };
  if (considered === undefined) return { ...out, reason: 'field was missing' };
  if (op === '$type') return { ...out, reason: 'type did not match', consideredValue: considered, consideredType: bsonTypesOf(considered)[0] };
  return { ...out, reason: op === '$eq' ? 'comparison failed' : 'expression did not match', consideredValue: considered };
}

/** Checks `validator`, `validationLevel` and `validationAction` of a create/collMod command. */
export function checkValidatorOptions(cmdName: string, opts: Document): void {
  if (opts.validator !== undefined && !isPlainObject(opts.validator)) {
    throw CommandError.of('TypeMismatch', `BSON field '${cmdName}.validator' is the wrong type, expected type 'object'`);
  }
  if (opts.validationLevel !== undefined && !LEVELS.includes(opts.validationLevel)) {
    throw CommandError.of('BadValue', `Enumeration value '${String(opts.validationLevel)}' for field '${cmdName}.validationLevel' is not a valid value.`);
  }
  if (opts.validationAction !== undefined && !ACTIONS.includes(opts.validationAction)) {
    throw CommandError.of('BadValue', `Enumeration value '${String(opts.validationAction)}' for field '${cmdName}.validationAction' is not a valid value.`);
  }
  if (opts.validator) compileValidator(opts);
}

/** The validator described by a collection's options, or undefined when it has none. */
export function compileValidator(options: Document): CollectionValidator | undefined {
  const validator = options.validator as Document | undefined;
  if (!validator || Object.keys(validator).length === 0) return undefined;
  const level = (options.validationLevel ?? 'strict') as CollectionValidator['level'];
  const action = (options.validationAction ?? 'error') as CollectionValidator['action'];
  const keys = Object.keys(validator);
  let failure: (doc: Document) => Document | undefined;
  if (keys.length === 1 && keys[0] === '$jsonSchema') {
    const check = compileSchema(validator.$jsonSchema);
    failure = (doc) => {
      const rules = check(doc);
      return rules.length ? { operatorName: '$jsonSchema', schemaRulesNotSatisfied: rules } : undefined;
    };
  } else {
    const whole = compileFilter(validator);
    const clauses = keys.map((k) => [k, validator[k], compileFilter({ [k]: validator[k] })] as const);
    failure = (doc) => {
      if (whole(doc)) return undefined;
      const failed = clauses.map(([k, v, test], index) => (test(doc) ? undefined : { index, details: clauseDetails(k, v, doc) })).filter((c) => c !== undefined);
      if (failed.length === 1 && clauses.length === 1) return failed[0]!.details;
      return { operatorName: '$and', clausesNotSatisfied: failed };
    };
  }
  return { level, action, failure };
}

/**
 * Checks a document about to be stored. `previous` is the stored version for an update (for the
 * moderate level). Throws DocumentValidationFailure (121) with mongod's errInfo.
 */
export function validateWrite(validator: CollectionValidator | undefined, ns: string, next: Document, previous: Document | undefined, bypass: boolean): void {
  if (!validator || bypass || validator.level === 'off') return;
  if (previous && validator.level === 'moderate' && validator.failure(previous)) return;
  const details = validator.failure(next);
  if (!details) return;
  if (validator.action === 'warn') {
    logger.warn('embedded store: document failed validation (validationAction is warn: stored anyway)', { ns, operatorName: details.operatorName });
    return;
  }
  throw CommandError.of('DocumentValidationFailure', 'Document failed validation', { errInfo: { failingDocumentId: next._id, details } });
}
