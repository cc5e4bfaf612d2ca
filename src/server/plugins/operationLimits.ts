/**
 * Operation limits (config `limits`, see docs/security.md, Hardening), all checked before any
 * resolver runs: tokens while parsing (graphql-js `maxTokens`), aliases, depth and directives as
 * validation rules (graphql-armor), cost and rows once the variables are known
 * (graphql-query-complexity). A refusal is QUERY_TOO_COMPLEX with `extensions.limit` and
 * `extensions.max`, and is recorded in the access log like every denial.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { OperationLimits } from '../../config';
import { ErrorCode, SafeError } from '../../core/errors';

export type LimitName = 'tokens' | 'aliases' | 'depth' | 'directives' | 'cost' | 'rows';

const SAYS: Record<LimitName, string> = {
  tokens: 'lexical tokens in the document', aliases: 'aliased fields', depth: 'levels of nesting',
  directives: 'directives', cost: 'cost units (a list field costs its `first` times its selection)', rows: 'rows in one response',
};

/** The refusal of an operation over one limit. */
export function tooComplex(limit: LimitName, max: number): SafeError {
  return new SafeError(ErrorCode.QUERY_TOO_COMPLEX, `The operation exceeds the limit on ${SAYS[limit]}: at most ${max}`, { limit, max });
}

/** graphql-js's message when parsing stops at `maxTokens`. */
const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens\. Parsing aborted\.$/; // graphql-js 16 writes "more that"

/** The QUERY_TOO_COMPLEX error for a parse error that is graphql-js stopping at the token limit, else null. */
export function tokenLimitError(message: string): SafeError | null {
  const m = TOKEN_LIMIT.exec(message);
  return m ? tooComplex('tokens', Number(m[1])) : null;
}

/** Reports a limit as a validation error whose original error is the safe refusal (the code and extensions clients see). */
function reporter(limit: LimitName, max: number) {
  return (ctx: ValidationContext | null) => {
    const refusal = tooComplex(limit, max);
    ctx?.reportError(new GraphQLError(refusal.message, { originalError: refusal }));
  };
}

/** The validation rules: aliases, depth (introspection excepted: GraphiQL needs it deep) and directives. */
export function limitRules(limits: OperationLimits): ValidationRule[] {
  const quiet = { propagateOnRejection: false, exposeLimits: false };
  return [
    maxAliasesRule({ n: limits.maxAliases, ...quiet, onReject: [reporter('aliases', limits.maxAliases)] }) as unknown as ValidationRule,
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...quiet, onReject: [reporter('depth', limits.maxDepth)] }) as unknown as ValidationRule,
    maxDirectivesRule({ n: limits.maxDirectives, ...quiet, onReject: [reporter('directives', limits.maxDirectives)] }) as unknown as ValidationRule,
  ];
}

const firstOf = (args: Record<string, unknown>): number | null => (typeof args.first === 'number' && args.first > 0 ? args.first : null);

/** Cost: each field 1, plus its selection; a list field with `first` multiplies its selection by `first`. */
const costEstimator: ComplexityEstimator = ({ args, childComplexity }) => 1 + (firstOf(args) ?? 1) * childComplexity;

/** Rows: a field with `first` returns up to `first` rows, each with its selection's rows. */
const rowsEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = firstOf(args);
  return first === null ? childComplexity : first * (1 + childComplexity);
};

/**
 * Measured outcomes per parsed document (Apollo keeps one DocumentNode per query text), keyed by
 * operation name and variables: a repeated operation is not walked again. At most 32 per document.
 */
const measured = new WeakMap<DocumentNode, Map<string, SafeError | null>>();

/** Cost, then rows, of the operation with its variables; the refusal, or null. */
export function costProblem(limits: OperationLimits, schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): SafeError | null {
  let known = measured.get(document);
  if (!known) measured.set(document, (known = new Map()));
  const key = `${limits.maxCost} ${limits.maxRows} ${operationName ?? ''} ${JSON.stringify(variables)}`;
  if (known.has(key)) return known.get(key)!;
  const outcome = measureCost(limits, schema, document, operationName, variables);
  if (known.size >= 32) known.clear();
  known.set(key, outcome);
  return outcome;
}

function measureCost(limits: OperationLimits, schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): SafeError | null {
  const measure = (estimator: ComplexityEstimator) => {
    try {
      return getComplexity({ estimators: [estimator], schema, query: document, operationName, variables });
    } catch {
      return Infinity; // over the library's node bound, or not measurable: fail closed
    }
  };
  if (measure(costEstimator) > limits.maxCost) return tooComplex('cost', limits.maxCost);
  if (measure(rowsEstimator) > limits.maxRows) return tooComplex('rows', limits.maxRows);
  return null;
}
