/**
 * MongoDB's `$jsonSchema` (JSON Schema draft 4 plus `bsonType`), compiled once into a checker that
 * says whether a document satisfies the schema and, when not, which rules failed, in the shape of
 * mongod's `errInfo.details` (`schemaRulesNotSatisfied`, `propertiesNotSatisfied`, reasons).
 * Keywords mongod does not support (`$ref`, `format`, `integer`…) fail at compile time as they do
 * in mongod. Numbers: the wire decoding keeps the value, not its BSON width, so `int` is an
 * integer within 32 bits, `long` and `double` both accept an integer beyond that, `double` any
 * other number (Long and Decimal128 values keep their own types).
 */
import type { Document } from 'bson';
import { CommandError, unsupported } from '../errors';
import { compareValues } from '../storage/bsonOrder';

/** One failed rule, as mongod reports it. */
export type RuleFailure = Document;

type Check = (value: unknown) => RuleFailure[];

const BSON_TYPES = [
  'double', 'string', 'object', 'array', 'binData', 'undefined', 'objectId', 'bool', 'date', 'null', 'regex', 'dbPointer',
  'javascript', 'symbol', 'javascriptWithScope', 'int', 'timestamp', 'long', 'decimal', 'minKey', 'maxKey', 'number',
];
const JSON_TYPES = ['object', 'array', 'number', 'boolean', 'string', 'null'];

function parseError(message: string): CommandError {
  return CommandError.of('FailedToParse', message);
}

/** The BSON type names a value has (`number` not included). */
export function bsonTypesOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (v === undefined) return ['undefined'];
  if (Array.isArray(v)) return ['array'];
  if (v instanceof Date) return ['date'];
  if (v instanceof RegExp) return ['regex'];
  switch (typeof v) {
    case 'string':
      return ['string'];
    case 'boolean':
      return ['bool'];
    case 'number':
      if (Number.isInteger(v)) return Math.abs(v) < 2 ** 31 || v === -(2 ** 31) ? ['int'] : ['long', 'double'];
      return ['double'];
    case 'bigint':
      return ['long'];
    default:
      break;
  }
  switch ((v as { _bsontype?: string })._bsontype) {
    case 'ObjectId':
      return ['objectId'];
    case 'Binary':
      return ['binData'];
    case 'Long':
      return ['long'];
    case 'Decimal128':
      return ['decimal'];
    case 'Double':
      return ['double'];
    case 'Int32':
      return ['int'];
    case 'Timestamp':
      return ['timestamp'];
    case 'BSONRegExp':
      return ['regex'];
    case 'Code':
      return (v as { scope?: unknown }).scope ? ['javascriptWithScope'] : ['javascript'];
    case 'BSONSymbol':
      return ['symbol'];
    case 'MinKey':
      return ['minKey'];
    case 'MaxKey':
      return ['maxKey'];
    case 'DBRef':
      return ['object'];
    default:
      return ['object'];
  }
}

function isNumber(v: unknown): boolean {
  const t = bsonTypesOf(v);
  return t.includes('int') || t.includes('long') || t.includes('double') || t.includes('decimal');
}

function jsonTypeOf(v: unknown): string {
  const t = bsonTypesOf(v)[0];
  if (isNumber(v)) return 'number';
  if (t === 'bool') return 'boolean';
  return t;
}

function isObject(v: unknown): v is Document {
  return bsonTypesOf(v)[0] === 'object' && !!v;
}

function typeNames(kw: string, spec: unknown, allowed: string[]): string[] {
  const names = Array.isArray(spec) ? spec : [spec];
  if (names.length === 0 || !names.every((n) => typeof n === 'string')) throw parseError(`$jsonSchema keyword '${kw}' must be a string or an array of strings`);
  for (const n of names) {
    if (kw === 'type' && n === 'integer') throw parseError("$jsonSchema type 'integer' is not currently supported.");
    if (!allowed.includes(n)) throw parseError(`Unknown type name alias: ${n}`);
  }
  return names as string[];
}

function nonNegative(kw: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw parseError(`$jsonSchema keyword '${kw}' must be a non-negative integer`);
  return v;
}

const UNSUPPORTED = new Set(['$ref', '$schema', 'default', 'definitions', 'format', 'id']);
const IGNORED = new Set(['title', 'description']);

/** Compiles a schema (or sub-schema). Throws FailedToParse (9) for what mongod would not accept. */
export function compileSchema(schema: unknown): Check {
  if (!isObject(schema)) throw parseError('$jsonSchema must be an object');
  const s = schema as Document;
  const checks: Check[] = [];
  const rule = (operatorName: string, extra: Document = {}): RuleFailure => ({ operatorName, specifiedAs: { [operatorName]: s[operatorName] }, ...extra });

  for (const kw of Object.keys(s)) {
    if (UNSUPPORTED.has(kw)) throw parseError(`$jsonSchema keyword '${kw}' is not currently supported`);
    if (kw === 'encrypt' || kw === 'encryptMetadata') throw unsupported(`$jsonSchema keyword '${kw}' (client-side field level encryption)`);
  }
  if (s.bsonType !== undefined && s.type !== undefined) throw parseError('Cannot specify both $jsonSchema keywords \'type\' and \'bsonType\'');

  for (const [kw, spec] of Object.entries(s)) {
    switch (kw) {
      case 'bsonType':
      case 'type': {
        const names = typeNames(kw, spec, kw === 'type' ? JSON_TYPES : BSON_TYPES);
        checks.push((v) => {
          const ok = names.some((n) => (kw === 'type' ? jsonTypeOf(v) === n : n === 'number' ? isNumber(v) : bsonTypesOf(v).includes(n)));
          return ok ? [] : [rule(kw, { reason: 'type did not match', consideredValue: v, consideredType: bsonTypesOf(v)[0] })];
        });
        break;
      }
      case 'enum': {
        if (!Array.isArray(spec) || spec.length === 0) throw parseError("$jsonSchema keyword 'enum' must be a non-empty array");
        checks.push((v) => (spec.some((e) => compareValues(e, v) === 0) ? [] : [rule('enum', { reason: 'value was not found in enum', consideredValue: v })]));
        break;
      }
      case 'required': {
        if (!Array.isArray(spec) || spec.length === 0 || !spec.every((r) => typeof r === 'string')) {
          throw parseError("$jsonSchema keyword 'required' must be a non-empty array of strings");
        }
        checks.push((v) => {
          if (!isObject(v)) return [];
          const missing = spec.filter((k) => !(k in v) || v[k] === undefined);
          return missing.length ? [rule('required', { missingProperties: missing })] : [];
        });
        break;
      }
      case 'properties': {
        if (!isObject(spec)) throw parseError("$jsonSchema keyword 'properties' must be an object");
        const props = Object.entries(spec).map(([name, sub]) => [name, compileSchema(sub)] as const);
        checks.push((v) => {
          if (!isObject(v)) return [];
          const failed = props
            .filter(([name]) => name in v && v[name] !== undefined)
            .map(([name, check]) => ({ propertyName: name, details: check(v[name]) }))
            .filter((p) => p.details.length > 0);
          return failed.length ? [{ operatorName: 'properties', propertiesNotSatisfied: failed }] : [];
        });
        break;
      }
      case 'patternProperties':
      case 'additionalProperties':
        break; // handled together below
      case 'minProperties':
      case 'maxProperties': {
        const n = nonNegative(kw, spec);
        checks.push((v) => {
          if (!isObject(v)) return [];
          const count = Object.keys(v).filter((k) => v[k] !== undefined).length;
          const ok = kw === 'minProperties' ? count >= n : count <= n;
          return ok ? [] : [rule(kw, { reason: 'specified number of properties was not satisfied', numberOfProperties: count })];
        });
        break;
      }
      case 'dependencies': {
        if (!isObject(spec)) throw parseError("$jsonSchema keyword 'dependencies' must be an object");
        const deps = Object.entries(spec).map(([name, d]) => [name, Array.isArray(d) ? (d as string[]) : compileSchema(d)] as const);
        checks.push((v) => {
          if (!isObject(v)) return [];
          const failures: RuleFailure[] = [];
          for (const [name, d] of deps) {
            if (!(name in v)) continue;
            if (Array.isArray(d)) {
              const missing = d.filter((k) => !(k in v));
              if (missing.length) failures.push({ operatorName: 'dependencies', failingDependencies: [{ conditionalProperty: name, missingProperties: missing }] });
            } else if (d(v).length) failures.push({ operatorName: 'dependencies', failingDependencies: [{ conditionalProperty: name, details: d(v) }] });
          }
          return failures;
        });
        break;
      }
      case 'items': {
        if (Array.isArray(spec)) {
          const each = spec.map(compileSchema);
          const additional = s.additionalItems;
          const rest = isObject(additional) ? compileSchema(additional) : undefined;
          checks.push((v) => {
            if (!Array.isArray(v)) return [];
            for (let i = 0; i < v.length; i++) {
              const check = i < each.length ? each[i] : rest;
              if (i >= each.length && additional === false) return [rule('additionalItems', { reason: 'found additional items' })];
              if (check && check(v[i]).length) return [{ operatorName: 'items', reason: 'At least one item did not match the sub-schema', itemIndex: i, details: check(v[i]) }];
            }
            return [];
          });
        } else {
          const check = compileSchema(spec);
          checks.push((v) => {
            if (!Array.isArray(v)) return [];
            for (let i = 0; i < v.length; i++) {
              const d = check(v[i]);
              if (d.length) return [{ operatorName: 'items', reason: 'At least one item did not match the sub-schema', itemIndex: i, details: d }];
            }
            return [];
          });
        }
        break;
      }
      case 'additionalItems':
        break; // read with items
      case 'minItems':
      case 'maxItems': {
        const n = nonNegative(kw, spec);
        checks.push((v) => {
          if (!Array.isArray(v)) return [];
          const ok = kw === 'minItems' ? v.length >= n : v.length <= n;
          return ok ? [] : [rule(kw, { reason: 'array did not match specified length', consideredValue: v })];
        });
        break;
      }
      case 'uniqueItems': {
        if (typeof spec !== 'boolean') throw parseError("$jsonSchema keyword 'uniqueItems' must be a boolean");
        if (spec) {
          checks.push((v) => {
            if (!Array.isArray(v)) return [];
            const dup = v.some((x, i) => v.findIndex((y) => compareValues(x, y) === 0) !== i);
            return dup ? [rule('uniqueItems', { reason: 'found a duplicate item', consideredValue: v })] : [];
          });
        }
        break;
      }
      case 'minimum':
      case 'maximum': {
        if (!isNumber(spec)) throw parseError(`$jsonSchema keyword '${kw}' must be a number`);
        const exclusive = s[kw === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'] === true;
        checks.push((v) => {
          if (!isNumber(v)) return [];
          const c = compareValues(v, spec);
          const ok = kw === 'minimum' ? (exclusive ? c > 0 : c >= 0) : exclusive ? c < 0 : c <= 0;
          return ok ? [] : [rule(kw, { reason: 'comparison failed', consideredValue: v })];
        });
        break;
      }
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof spec !== 'boolean') throw parseError(`$jsonSchema keyword '${kw}' must be a boolean`);
        if (s[kw === 'exclusiveMinimum' ? 'minimum' : 'maximum'] === undefined) {
          throw parseError(`$jsonSchema keyword '${kw === 'exclusiveMinimum' ? 'minimum' : 'maximum'}' must be present if ${kw} is present`);
        }
        break;
      case 'multipleOf': {
        if (!isNumber(spec) || Number(spec) <= 0) throw parseError("$jsonSchema keyword 'multipleOf' must be a positive number");
        const m = Number(spec);
        checks.push((v) => (!isNumber(v) || Number(v) % m === 0 ? [] : [rule('multipleOf', { reason: 'considered value is not a multiple of the specified value', consideredValue: v })]));
        break;
      }
      case 'minLength':
      case 'maxLength': {
        const n = nonNegative(kw, spec);
        checks.push((v) => {
          if (typeof v !== 'string') return [];
          const len = Array.from(v).length;
          const ok = kw === 'minLength' ? len >= n : len <= n;
          return ok ? [] : [rule(kw, { reason: 'specified string length was not satisfied', consideredValue: v })];
        });
        break;
      }
      case 'pattern': {
        if (typeof spec !== 'string') throw parseError("$jsonSchema keyword 'pattern' must be a string");
        let re: RegExp;
        try {
          re = new RegExp(spec, 'u');
        } catch (err) {
          throw parseError(`$jsonSchema keyword 'pattern' is not a valid regular expression: ${(err as Error).message}`);
        }
        checks.push((v) => (typeof v !== 'string' || re.test(v) ? [] : [rule('pattern', { reason: 'regular expression did not match', consideredValue: v })]));
        break;
      }
      case 'allOf':
      case 'anyOf':
      case 'oneOf': {
        if (!Array.isArray(spec) || spec.length === 0) throw parseError(`$jsonSchema keyword '${kw}' must be a non-empty array`);
        const subs = spec.map(compileSchema);
        checks.push((v) => {
          const results = subs.map((c) => c(v));
          const passed = results.filter((r) => r.length === 0).length;
          const ok = kw === 'allOf' ? passed === subs.length : kw === 'anyOf' ? passed > 0 : passed === 1;
          if (ok) return [];
          return [{ operatorName: kw, schemasNotSatisfied: results.map((details, index) => ({ index, details })).filter((r) => r.details.length) }];
        });
        break;
      }
      case 'not': {
        const sub = compileSchema(spec);
        checks.push((v) => (sub(v).length === 0 ? [{ operatorName: 'not', reason: 'child expression matched' }] : []));
        break;
      }
      default:
        if (IGNORED.has(kw)) break;
        throw parseError(`Unknown $jsonSchema keyword: ${kw}`);
    }
  }

  if (s.patternProperties !== undefined || s.additionalProperties !== undefined) {
    const patterns: Array<[RegExp, Check]> = [];
    if (s.patternProperties !== undefined) {
      if (!isObject(s.patternProperties)) throw parseError("$jsonSchema keyword 'patternProperties' must be an object");
      for (const [p, sub] of Object.entries(s.patternProperties)) patterns.push([new RegExp(p, 'u'), compileSchema(sub)]);
    }
    const additional = s.additionalProperties;
    if (additional !== undefined && typeof additional !== 'boolean' && !isObject(additional)) {
      throw parseError("$jsonSchema keyword 'additionalProperties' must be either an object or a boolean");
    }
    const extra = isObject(additional) ? compileSchema(additional) : undefined;
    const declared = new Set(isObject(s.properties) ? Object.keys(s.properties) : []);
    checks.push((v) => {
      if (!isObject(v)) return [];
      const failures: RuleFailure[] = [];
      const unexpected: string[] = [];
      for (const k of Object.keys(v)) {
        if (v[k] === undefined) continue;
        const matching = patterns.filter(([re]) => re.test(k));
        for (const [, check] of matching) {
          const d = check(v[k]);
          if (d.length) failures.push({ operatorName: 'patternProperties', details: [{ propertyName: k, details: d }] });
        }
        if (declared.has(k) || matching.length) continue;
        if (additional === false) unexpected.push(k);
        else if (extra && extra(v[k]).length) failures.push({ operatorName: 'additionalProperties', details: extra(v[k]) });
      }
      if (unexpected.length) {
        failures.push({ operatorName: 'additionalProperties', specifiedAs: { additionalProperties: false }, additionalProperties: unexpected });
      }
      return failures;
    });
  }

  return (v) => checks.flatMap((c) => c(v));
}

/** A compiled `$jsonSchema` as a predicate (for `$jsonSchema` inside query filters). */
export function schemaPredicate(schema: unknown): (doc: unknown) => boolean {
  const check = compileSchema(schema);
  return (doc) => check(doc).length === 0;
}
