/**
 * Before any resolver runs, in this order: a token-limit parse failure is recorded; then
 * introspection without a valid token (UNAUTHENTICATED), the variables' structure (BAD_USER_INPUT),
 * then cost and rows (QUERY_TOO_COMPLEX). The first refusal is recorded in the access log and answered.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { OperationLimits } from '../../config';
import type { RequestContext } from '../../core/context';
import { statusOf } from './httpStatus';
import { introspects } from './introspectionAuth';
import { variablesProblem } from './inputCoercion';
import { costProblem, tokenLimitError } from './operationLimits';

export function preflightPlugin(limits: OperationLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async parsingDidStart({ contextValue }) {
          return async (err) => {
            const refusal = err && tokenLimitError(err.message);
            if (refusal) contextValue.log.operationDenied(refusal.code, refusal.message);
          };
        },
        async didResolveOperation({ contextValue: ctx, schema, document, operation, operationName, request }) {
          const variables = request.variables ?? {};
          const refusal = (ctx.gate.auth && introspects(document) ? ctx.gate.auth : null)
            ?? variablesProblem(schema, operation, variables)
            ?? costProblem(limits, schema, document, operationName ?? undefined, variables);
          if (!refusal) return;
          ctx.log.operationDenied(refusal.code, refusal.message);
          // Refused before execution: GraphQL's 400 (401 for UNAUTHENTICATED), not Apollo's 500 for a plugin error.
          throw new GraphQLError(refusal.message, { originalError: refusal, extensions: { ...refusal.extensions, http: { status: statusOf([refusal]) ?? 400 } } });
        },
      };
    },
  };
}
