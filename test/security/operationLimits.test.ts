/**
 * The limit rules and the structural coercion rules on a schema of their own (the scalars the
 * gateway's schemas do not take as input: Float and a custom scalar), without HTTP; hardening.test.ts
 * covers the rest over HTTP.
 */
import { buildSchema, GraphQLError, GraphQLScalarType, parse, validate, type GraphQLInputType } from 'graphql';
import { GraphQLISODateTime } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { safeErrorOf } from '../../src/core/errors';
import { coercionProblem } from '../../src/server/plugins/inputCoercion';
import { maskErrors } from '../../src/server/plugins/maskErrors';
import { costProblem, limitRules } from '../../src/server/plugins/operationLimits';
import { buildStaffSchema } from '../support/schemas';

const CARD = '4111111111111111';
const limits = loadConfig({ JWT_SECRET: 'x'.repeat(40) }).limits;

describe('limit rules (validation)', () => {
  const staff = buildStaffSchema();
  const refusal = (query: string, l = limits) => {
    const errors = validate(staff, parse(query), limitRules(l));
    return errors.map((e) => safeErrorOf(e)?.extensions);
  };

  it('depth, introspection excepted', () => {
    const deep = '{ customers { edges { node { address { street } } } } }';
    expect(refusal(deep)).toEqual([]);
    expect(refusal(deep, { ...limits, maxDepth: 3 })).toEqual([{ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 3 }]);
    expect(refusal('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', { ...limits, maxDepth: 3 })).toEqual([]);
  });

  it('aliases and directives, one error each', () => {
    const aliased = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: myPurposes { id }`).join(' ')} }`;
    expect(refusal(aliased)).toEqual([{ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 30 }]);
    const directed = `{ myPurposes { id ${'@skip(if: false) '.repeat(51)} } }`;
    expect(refusal(directed)).toEqual([{ code: 'QUERY_TOO_COMPLEX', limit: 'directives', max: 50 }]);
  });

  it('cost and rows with the variables (a list field costs its first, defaults included)', () => {
    const doc = parse('query Q($n: Int) { customers(first: $n) { edges { node { fullName } } } }');
    expect(costProblem(limits, staff, doc, 'Q', { n: 1000 })).toBeNull();
    expect(costProblem(limits, staff, doc, 'Q', { n: 1001 })?.extensions).toMatchObject({ limit: 'rows', max: 1000 });
    expect(costProblem({ ...limits, maxCost: 100 }, staff, doc, 'Q', { n: 50 })?.extensions).toMatchObject({ limit: 'cost', max: 100 });
    expect(costProblem({ ...limits, maxRows: 49 }, staff, parse('{ customers { totalCount } }'), undefined, {})?.extensions).toMatchObject({ limit: 'rows' });
  });
});

describe('coercion rules, from the structure only', () => {
  const schema = buildSchema(`
    scalar DateTimeISO
    enum Channel { EMAIL PHONE }
    input I { f: Float, when: DateTimeISO, ch: Channel, list: [Int!], req: String! }
    type Query { q(f: Float, when: DateTimeISO, i: I): Int }
  `);
  // buildSchema's custom scalars accept anything; give DateTimeISO the gateway's parser.
  Object.assign(schema.getType('DateTimeISO') as GraphQLScalarType, { parseValue: GraphQLISODateTime.parseValue, parseLiteral: GraphQLISODateTime.parseLiteral });
  const input = schema.getType('I') as GraphQLInputType;

  it('names the path and the rule for Float, a custom scalar, enums, lists and required fields', () => {
    expect(coercionProblem(schema.getType('Float') as GraphQLInputType, CARD)).toEqual({ path: '', rule: 'must be a finite number' });
    expect(coercionProblem(input, { req: 'x', when: CARD })).toEqual({ path: '.when', rule: 'must be a valid DateTimeISO' });
    expect(coercionProblem(input, { req: 'x', ch: CARD })).toEqual({ path: '.ch', rule: 'must be one of the values of enum "Channel"' });
    expect(coercionProblem(input, { req: 'x', list: [1, Number(CARD)] })).toEqual({ path: '.list[1]', rule: 'must be an integer between -2147483648 and 2147483647' });
    expect(coercionProblem(input, { f: 1.5 })).toEqual({ path: '.req', rule: 'is required (type "String!")' });
    expect(coercionProblem(input, { req: 'x', f: 2.5, when: '2030-01-01T00:00:00.000Z', ch: 'EMAIL', list: [1] })).toBeNull();
  });

  it('rebuilds literal errors of Float and custom scalars without the value', () => {
    const mask = maskErrors(true, schema);
    for (const query of [`{ q(f: "${CARD}") }`, `{ q(when: "${CARD}") }`, `{ q(i: { req: "x", ch: C${CARD} }) }`]) {
      const errors = validate(schema, parse(query));
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        const out = mask({ message: e.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, new GraphQLError(e.message, { nodes: e.nodes }));
        expect(out.message).toMatch(/^Expected value of type "[A-Za-z]+": (must be [a-z -]+|the value does not fit the type)/);
        expect(JSON.stringify(out)).not.toContain('4111');
      }
    }
  });
});
