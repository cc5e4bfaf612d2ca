/**
 * The Apollo side of the edge's observability (see ../observe.ts): once the response is final
 * (after the access-log flush, so AUDIT_UNAVAILABLE is seen), notes the purpose, the code (OK or
 * the first error's code), the rows and the denials of the request, on its metrics and its span.
 * DATABASE_UNAVAILABLE and AUDIT_UNAVAILABLE are answered with HTTP 503.
 */
import type { GraphQLResponse } from '@apollo/server';
import type { AccessRecorder } from '../../audit';
import type { RequestContext } from '../../core/context';
import { ErrorCode } from '../../core/errors';
import { metrics } from '../../metrics';
import { currentRequestSpan } from '../../tracing';
import { currentObservation } from '../observation';

/** Codes that are a decision to refuse (counted in gateway_denials_total), not a failure. */
const DENIALS = new Set<string>([
  ErrorCode.UNAUTHENTICATED, ErrorCode.PURPOSE_REQUIRED, ErrorCode.PURPOSE_UNKNOWN, ErrorCode.PURPOSE_NOT_ALLOWED,
  ErrorCode.TASK_REQUIRED, ErrorCode.TASK_INVALID, ErrorCode.FORBIDDEN, ErrorCode.FORBIDDEN_FIELD,
  ErrorCode.CONSENT_REQUIRED, ErrorCode.AGREEMENT_INACTIVE, ErrorCode.INSECURE_TRANSPORT,
]);
const UNAVAILABLE = new Set<string>([ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.AUDIT_UNAVAILABLE]);

/** Customer rows the request returned: subjects of type Customer recorded as read. */
function rowsOf(ctx: RequestContext): number {
  const doc = (ctx.log as AccessRecorder).document?.();
  if (!doc) return 0;
  return doc.entries.filter((e) => e.subjectType === 'Customer' && e.fieldsRead.length > 0).reduce((n, e) => n + e.subjectIds.length, 0);
}

/**
 * Notes the final response of a request (purpose, code, rows, denials) on its metrics and span, and
 * answers DATABASE_UNAVAILABLE / AUDIT_UNAVAILABLE with HTTP 503. Called by the access-log flush
 * plugin once the response is final (Apollo runs plugins' willSendResponse hooks concurrently).
 */
export function observeResponse(ctx: RequestContext, response: GraphQLResponse, operationName: string | null | undefined): void {
  const o = currentObservation();
  const span = currentRequestSpan();
  const errors = response.body.kind === 'single' ? response.body.singleResult.errors ?? [] : [];
  const codes = errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : ErrorCode.INTERNAL_SERVER_ERROR));
  const code = codes[0] ?? 'OK';
  const purpose = ctx.purpose?.id ?? null;
  const counts = new Map<string, number>();
  for (const c of codes) if (DENIALS.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  for (const [c, n] of counts) metrics.denial(c, n);
  if (codes.some((c) => UNAVAILABLE.has(c))) response.http.status = 503;
  if (o) {
    o.code = code;
    o.purpose = purpose;
    o.rows = response.body.kind === 'single' && response.body.singleResult.data ? rowsOf(ctx) : 0;
  }
  span?.set({ purpose, operationName: operationName ?? null });
  span?.setCode(code);
}
