/**
 * Input values checked from their structure (type, path, rule), so that no message ever quotes a
 * value: graphql-js writes the offending value into its coercion messages (`Int cannot represent
 * non 32-bit signed integer value: 4111…`). Variables are checked here before execution and refused
 * with BAD_USER_INPUT naming `$variable.path` and the rule; literals refused by validation get their
 * message rebuilt by maskErrors.ts from the same rules.
 */
import {
  getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, typeFromAST,
  type GraphQLInputType, type GraphQLNamedType, type GraphQLScalarType, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { InputError } from '../../core/errors';

/** What each built-in scalar accepts; a custom scalar: a valid value of its name. */
const SCALAR_RULES: Record<string, string> = {
  Int: 'must be an integer between -2147483648 and 2147483647',
  Float: 'must be a finite number',
  String: 'must be a string',
  Boolean: 'must be true or false',
  ID: 'must be a string or an integer',
};

export function scalarRule(type: GraphQLScalarType | GraphQLNamedType): string {
  if (isEnumType(type)) return `must be one of the values of enum "${type.name}"`;
  return SCALAR_RULES[type.name] ?? `must be a valid ${type.name}`;
}

export interface Problem {
  /** `.field`, `[i]` steps below the variable or argument. */
  path: string;
  rule: string;
}

/** The first problem of `value` against `type`, or null. Never reads a value into the result. */
export function coercionProblem(type: GraphQLInputType, value: unknown, path = ''): Problem | null {
  if (isNonNullType(type)) {
    if (value === null || value === undefined) return { path, rule: `must not be null (type "${String(type)}")` };
    return coercionProblem(type.ofType, value, path);
  }
  if (value === null || value === undefined) return null;
  if (isListType(type)) {
    if (!Array.isArray(value)) return coercionProblem(type.ofType, value, path); // a single value stands for a list of one
    for (let i = 0; i < value.length; i++) {
      const p = coercionProblem(type.ofType, value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return { path, rule: `must be an input object of type "${type.name}"` };
    const fields = type.getFields();
    for (const key of Object.keys(value)) {
      if (fields[key]) continue;
      // A key is the client's text too: named only when it is a plain identifier without a run of digits.
      const named = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(key) && !/\d{4}/.test(key);
      return { path, rule: named ? `field "${key}" is not defined by type "${type.name}"` : `has a field that type "${type.name}" does not define` };
    }
    for (const f of Object.values(fields)) {
      const v = (value as Record<string, unknown>)[f.name];
      if (v === undefined && f.defaultValue !== undefined) continue;
      if (v === undefined && isNonNullType(f.type)) return { path: `${path}.${f.name}`, rule: `is required (type "${String(f.type)}")` };
      const p = coercionProblem(f.type, v, `${path}.${f.name}`);
      if (p) return p;
    }
    return null;
  }
  const named = getNamedType(type);
  if (isEnumType(named)) {
    return typeof value === 'string' && named.getValue(value) ? null : { path, rule: scalarRule(named) };
  }
  if (isScalarType(named)) {
    try {
      return named.parseValue(value) === undefined ? { path, rule: scalarRule(named) } : null;
    } catch {
      return { path, rule: scalarRule(named) };
    }
  }
  return null;
}

/** The first bad variable of an operation: BAD_USER_INPUT naming `$name.path` and the rule; null when all fit. */
export function variablesProblem(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined, given: Record<string, unknown>): InputError | null {
  for (const def of operation?.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type) as GraphQLInputType | undefined;
    if (!type) continue; // validation has refused unknown types
    const value = given[name];
    if (value === undefined && (def.defaultValue || !isNonNullType(type))) continue;
    if (value === undefined) return new InputError(`$${name}`, `is required (type "${String(type)}")`);
    const p = coercionProblem(type, value);
    if (p) return new InputError(`$${name}${p.path}`, p.rule);
  }
  return null;
}
