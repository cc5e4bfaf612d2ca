/**
 * Collations: a command's `collation` document validated as mongod does, turned into a string
 * comparison (ICU through `Intl.Collator`, which mongod also uses), and the query operators that
 * compare strings under it (`$eq`, `$ne`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, `$lte`: mingo's own
 * ignore the collation when matching). `{ locale: 'simple' }` is the binary comparison: no
 * collation. Options ICU cannot honour through `Intl` are refused, never approximated.
 */
import type { Document } from 'bson';
import { flatten, isNil, resolve } from 'mingo/util';
import { CommandError, unknownField, unsupported } from '../errors';
import { compareValues, typeRank, type StringCompare } from '../storage/bsonOrder';

export interface Collation {
  /** The collation as given (shown back where mongod shows it). */
  spec: Document;
  compare: StringCompare;
  /** Query operators that match under this collation, in place of mingo's. */
  queryOperators: Record<string, unknown>;
}

const FIELDS: Record<string, 'string' | 'bool' | 'int'> = {
  locale: 'string',
  caseLevel: 'bool',
  caseFirst: 'string',
  strength: 'int',
  numericOrdering: 'bool',
  alternate: 'string',
  maxVariable: 'string',
  normalization: 'bool',
  backwards: 'bool',
  version: 'string',
};

const ENUMS: Record<string, string[]> = {
  caseFirst: ['upper', 'lower', 'off'],
  alternate: ['non-ignorable', 'shifted'],
  maxVariable: ['punct', 'space'],
};


function checkFields(spec: Document): void {
  for (const [k, v] of Object.entries(spec)) {
    const type = FIELDS[k];
    if (!type) throw unknownField(`collation.${k}`);
    const ok = type === 'string' ? typeof v === 'string' : type === 'bool' ? typeof v === 'boolean' : typeof v === 'number' && Number.isInteger(v);
    if (!ok) {
      const expected = type === 'string' ? 'string' : type === 'bool' ? 'bool' : 'int';
      throw CommandError.of('TypeMismatch', `BSON field 'collation.${k}' is the wrong type '${typeof v}', expected type '${expected}'`);
    }
    if (ENUMS[k] && !ENUMS[k].includes(v as string)) {
      throw CommandError.of('FailedToParse', `Enumeration value '${String(v)}' for field 'collation.${k}' is not a valid value.`);
    }
  }
  if (spec.locale === undefined) throw new CommandError(40414, "BSON field 'collation.locale' is missing but a required field");
  if (spec.strength !== undefined && (spec.strength < 1 || spec.strength > 5)) {
    throw CommandError.of('FailedToParse', `Field 'strength' must be an integer 1 through 5. Got: ${String(spec.strength)}`);
  }
}

/** mongod's locale ids use underscores (`en_US`); `Intl` wants BCP 47 (`en-US`). */
function bcp47(locale: string): string {
  return locale.replace(/@.*$/, '').replace(/_/g, '-');
}

/**
 * Parses a command's `collation` (undefined, or `{ locale: 'simple' }`: the binary comparison).
 * Throws mongod's errors for invalid documents, and CommandNotSupported for strength 4 or 5,
 * `backwards: true` and `maxVariable: 'space'`.
 */
export function parseCollation(raw: unknown): Collation | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw CommandError.of('TypeMismatch', "BSON field 'collation' is the wrong type, expected type 'object'");
  const spec = raw as Document;
  checkFields(spec);
  if (spec.locale === 'simple') return undefined;
  if (spec.strength === 4 || spec.strength === 5) throw unsupported(`collation strength ${spec.strength} (quaternary/identical)`);
  if (spec.backwards === true) throw unsupported('collation backwards: true');
  if (spec.maxVariable === 'space') throw unsupported("collation maxVariable: 'space'");
  const locale = bcp47(spec.locale as string);
  let supported: string[];
  try {
    supported = Intl.Collator.supportedLocalesOf([locale]);
  } catch {
    supported = [];
  }
  if (supported.length === 0) throw CommandError.of('BadValue', `Field 'locale' is invalid in: { locale: ${JSON.stringify(spec.locale)} }`);
  const strength = (spec.strength as number | undefined) ?? 3;
  let sensitivity: Intl.CollatorOptions['sensitivity'] = strength === 1 ? 'base' : strength === 2 ? 'accent' : 'variant';
  if (spec.caseLevel === true && sensitivity === 'base') sensitivity = 'case';
  if (spec.caseLevel === true && sensitivity === 'accent') sensitivity = 'variant';
  const collator = new Intl.Collator(locale, {
    usage: 'sort',
    sensitivity,
    numeric: spec.numericOrdering === true,
    ignorePunctuation: spec.alternate === 'shifted',
    caseFirst: spec.caseFirst === 'upper' ? 'upper' : spec.caseFirst === 'lower' ? 'lower' : 'false',
  });
  const compare: StringCompare = (a, b) => collator.compare(a, b);
  return { spec, compare, queryOperators: queryOperators(compare) };
}

type Predicate = (lhs: unknown, rhs: unknown, depth: number) => boolean;

/** A mingo query operator: resolves the path (arrays unwrapped) and applies `pred`. */
function operator(pred: Predicate) {
  return (selector: string, value: unknown) => {
    const depth = selector.split('.').length - 1;
    return (doc: Document) => pred(resolve(doc, selector, { unwrapArray: true }), value, depth);
  };
}

function queryOperators(str: StringCompare): Record<string, unknown> {
  const equal = (a: unknown, b: unknown): boolean => {
    if (isNil(a) && isNil(b)) return true;
    if (isNil(a) || isNil(b)) return false;
    if (b instanceof RegExp) return typeof a === 'string' && b.test(a);
    return typeRank(a) === typeRank(b) && compareValues(a, b, str) === 0;
  };
  const eq: Predicate = (a, b, depth) => {
    if (equal(a, b)) return true;
    if (Array.isArray(a)) return a.some((v) => equal(v, b)) || flatten(a, Math.max(depth, 1)).some((v) => equal(v, b));
    return false;
  };
  const inList: Predicate = (a, b) => {
    const list = Array.isArray(b) ? b : [];
    if (isNil(a)) return list.some((v) => v === null);
    const values = Array.isArray(a) ? [a, ...a] : [a];
    return values.some((v) => list.some((x) => equal(v, x)));
  };
  const ordered = (test: (c: number) => boolean): Predicate => (a, b) => {
    const values = Array.isArray(a) ? a : [a];
    return values.some((v) => typeRank(v) === typeRank(b) && !isNil(v) && test(compareValues(v, b, str)));
  };
  return {
    $eq: operator(eq),
    $ne: operator((a, b, d) => !eq(a, b, d)),
    $in: operator(inList),
    $nin: operator((a, b, d) => !inList(a, b, d)),
    $gt: operator(ordered((c) => c > 0)),
    $gte: operator(ordered((c) => c >= 0)),
    $lt: operator(ordered((c) => c < 0)),
    $lte: operator(ordered((c) => c <= 0)),
  };
}
