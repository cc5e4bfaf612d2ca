/**
 * Observability at the HTTP edge: one access line per request (pino-http, request id, no header,
 * query or body), `GET /metrics` (prom-client; `METRICS_TOKEN` bearer when set), and for every
 * GraphQL request a span (OpenTelemetry, off unless configured) and the request series: requests
 * by audience, purpose and code, latency, rows, denials by code, rate-limit refusals.
 *
 * The edge mounts `observeEdge(app)` first, `observeMount(audience)` on each GraphQL mount and
 * `observePlugin()` last among the Apollo plugins; everything else is recorded here.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { requestLogMiddleware } from '../logger';
import { metrics, metricsHandler, metricsTokenFromEnv } from '../metrics';
import { requestSpanMiddleware } from '../tracing';
import { codeOfStatus } from './utils';

/** What the edge learns about one GraphQL request while it runs. */
export interface Observation {
  audience: string;
  purpose: string | null;
  /** OK or the first error code; null until known (then the HTTP status decides). */
  code: string | null;
  rows: number;
  startedAt: number;
}

const store = new AsyncLocalStorage<Observation>();

/** The observation of the GraphQL request being served (undefined outside one). */
export function currentObservation(): Observation | undefined {
  return store.getStore();
}

/** Sets the result code of the request being served (e.g. a refusal answered before any schema). */
export function noteRequestCode(code: string, purpose?: string | null): void {
  const o = store.getStore();
  if (!o) return;
  o.code = code;
  if (purpose !== undefined) o.purpose = purpose;
}

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

/** On a GraphQL mount: the request's span and its counters, recorded when the response is done. */
export function observeMount(audience: string): RequestHandler[] {
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
    store.run(o, () => next());
  };
  return [span, count];
}
