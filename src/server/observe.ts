/**
 * Observability at the HTTP edge: one access line per request (pino-http, request id, no header,
 * query or body), `GET /metrics` (prom-client; `METRICS_TOKEN` bearer when set), and for every
 * GraphQL request a span (OpenTelemetry, off unless configured) and the request series: requests
 * by audience, purpose and code, latency, rows, denials by code, rate-limit refusals.
 *
 * The edge mounts `observeEdge(app)` first, `observeMount(audience)` on each GraphQL mount and
 * `observePlugin()` last among the Apollo plugins; everything else is recorded here.
 */
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { requestLogMiddleware } from '../logger';
import { metrics, metricsHandler, metricsTokenFromEnv } from '../metrics';
import { requestSpanMiddleware } from '../tracing';
import { noteRequestCode, observationStore, type Observation } from './observation';
import { requestDeadline, requestDeadlineFromEnv } from './edge/requestDeadline';
import { codeOfStatus } from './utils';

/** A request refused before any schema was chosen: its code, counted as a denial too. */
export function noteRefusal(code: string, purpose: string | null): void {
  metrics.denial(code);
  noteRequestCode(code, purpose);
}

/**
 * For the rate limiter: a request refused with RATE_LIMITED (counted in `gateway_rate_limited_total`
 * by purpose, and as the request's code in `gateway_requests_total`).
 */
export function recordRateLimited(purpose: string | null | undefined): void {
  metrics.rateLimited(purpose);
  noteRequestCode('RATE_LIMITED', purpose ?? null);
}

/**
 * For the transparency-log sequencer: its backlog (age in seconds of the oldest access-log record
 * not yet sequenced, and how many wait), as `gateway_tlog_sequencer_lag_seconds` and `_pending_leaves`.
 */
export function recordSequencerLag(seconds: number, leaves: number): void {
  metrics.sequencerLag({ seconds, leaves });
}

/** Request ids and access lines on every request; `/metrics` before any other route. */
export function observeEdge(app: Express, purposes: Iterable<string>, env: NodeJS.ProcessEnv = process.env): void {
  metrics.setPurposes(purposes);
  // Validated here, at startup: a METRICS_TOKEN under 16 characters stops the gateway (ConfigError).
  const token = metricsTokenFromEnv(env);
  app.use(requestLogMiddleware({ ignore: (req) => req.path === '/healthz' || req.path === '/metrics' }));
  app.get('/metrics', metricsHandler({ token }));
}

/**
 * On a GraphQL mount: the request's span, its counters (recorded when the response is done) and
 * its deadline (REQUEST_DEADLINE_MS, see requestDeadline.ts).
 */
export function observeMount(audience: string, deadlineMs: number = requestDeadlineFromEnv()): RequestHandler[] {
  const span = requestSpanMiddleware({ audience });
  const count: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
    res.locals.audience = audience;
    const o: Observation = { audience, purpose: null, code: null, rows: 0, startedAt: performance.now() };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const code = o.code ?? codeOfStatus(res.statusCode, res.writableFinished);
      metrics.requestDone({ audience, purpose: o.purpose, code, seconds: (performance.now() - o.startedAt) / 1000, rows: o.rows });
    };
    res.once('finish', finish);
    res.once('close', finish);
    observationStore.run(o, () => next());
  };
  return [span, count, requestDeadline(deadlineMs)];
}
