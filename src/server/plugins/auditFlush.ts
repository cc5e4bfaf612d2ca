/**
 * The access log, before the response leaves: the request's record is written (one document), then
 * one FORBIDDEN_FIELD error per denied field coordinate is attached. If the write fails, the
 * response carries no data at all: `data: null` and AUDIT_UNAVAILABLE, HTTP 503 (fail closed).
 * An operation refused by validation (e.g. a partner asking for a field outside its agreement) is
 * recorded as a denial too.
 */
import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { ASTNode } from 'graphql';
import type { AccessRecorder } from '../../audit';
import type { RequestContext } from '../../core/context';
import { ErrorCode, SafeError, safeErrorOf } from '../../core/errors';
import { logger } from '../../logger';
import { safeMessage } from './maskErrors';
import { observeResponse } from './observe';

export function auditFlushPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operationName }) {
          (contextValue.log as AccessRecorder).scope.operationName = operationName ?? null;
        },
        async validationDidStart({ contextValue, request, schema }) {
          return async (errors) => {
            if (!errors?.length) return;
            (contextValue.log as AccessRecorder).scope.operationName = request.operationName ?? null;
            const limit = safeErrorOf(errors[0]); // an operation limit (QUERY_TOO_COMPLEX) reported by validation
            if (limit) return contextValue.log.operationDenied(limit.code, limit.message);
            const first = safeMessage(errors[0]!.message, (errors[0] as { nodes?: readonly ASTNode[] }).nodes, schema).slice(0, 200);
            contextValue.log.operationDenied('GRAPHQL_VALIDATION_FAILED', `the operation does not validate against this audience's schema: ${first}`);
          };
        },
        async willSendResponse({ contextValue: ctx, response, operationName }) {
          try {
            await flushRecord(ctx, response);
          } finally {
            observeResponse(ctx, response, operationName); // metrics and span, once the response is final
          }
        },
      };
    },
  };
}

/** Writes the request's record; on failure the response carries no data (AUDIT_UNAVAILABLE, 503). */
async function flushRecord(ctx: RequestContext, response: GraphQLResponse): Promise<void> {
  if (response.body.kind !== 'single') return;
  const result = response.body.singleResult;
  try {
    await (ctx.log as AccessRecorder).flush();
  } catch (err) {
    logger.error('access log write failed; response withheld', { requestId: ctx.requestId, error: (err as Error).message });
    const refused = new SafeError(ErrorCode.AUDIT_UNAVAILABLE, 'The access log could not be written, so no data is returned. Try again later.');
    result.data = null;
    result.errors = [refused.toJSON()];
    response.http.status = 503;
    return;
  }
  const denials = ctx.guard.errors();
  if (denials.length) result.errors = [...(result.errors ?? []), ...denials.map((e) => e.toJSON())];
}
