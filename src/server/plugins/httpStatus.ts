/**
 * The HTTP status of every GraphQL response, in one place: the codes in `errors` map through
 * HTTP_STATUS (UNAUTHENTICATED 401, RATE_LIMITED 429, AUDIT_UNAVAILABLE / DATABASE_UNAVAILABLE 503,
 * BAD_REQUEST and QUERY_TOO_COMPLEX 400, INSECURE_TRANSPORT 403); other codes keep GraphQL's 200 or 400.
 * The refusals made before any schema (app.ts, bodyErrors.ts) use `statusOf` too.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { HTTP_STATUS, type ErrorCode } from '../../core/errors';

/** When a response carries several mapped codes, the first of these wins. */
const PRECEDENCE = [503, 429, 401, 403, 413, 400];

/** The status for these errors, or undefined when none of their codes maps to one. */
export function statusOf(errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined): number | undefined {
  let best: number | undefined;
  for (const e of errors ?? []) {
    const status = HTTP_STATUS[e.extensions?.code as ErrorCode];
    if (status !== undefined && (best === undefined || PRECEDENCE.indexOf(status) < PRECEDENCE.indexOf(best))) best = status;
  }
  return best;
}

export function httpStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const status = statusOf(response.body.singleResult.errors);
          if (status !== undefined) response.http.status = status;
        },
      };
    },
  };
}
