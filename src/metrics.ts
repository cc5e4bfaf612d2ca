/**
 * Prometheus metrics (prom-client) in one Registry of the gateway's own (never prom-client's
 * global one), served by `metricsHandler()` as `GET /metrics` in the Prometheus text format.
 *
 * Labels are only ever `audience`, `purpose`, `code` (and `route`), each from a closed set:
 * audiences are staff / self / partner, purposes come from the purpose catalogue
 * (policies/purposes.yaml, given with `setPurposes`), codes from the contract's error codes plus
 * `OK`. Anything else is counted as `other`, so cardinality stays bounded and no customer
 * attribute, customer id or staff id can ever become a label. The series are listed in
 * docs/operations.md.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ConfigError } from './config';
import { ErrorCode } from './core/errors';

export const AUDIENCE_LABELS = ['staff', 'self', 'partner'] as const;

/**
 * Result codes a request, a denial or a refusal may carry: `OK`, every code of the contract
 * (`errors[].extensions.code`), and those Apollo Server itself sends.
 */
export const CODE_LABELS: readonly string[] = [
  'OK',
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
];

/** The label of anything outside its closed set. */
export const OTHER = 'other';
/** The purpose label of a request that named none (discovery, an unauthenticated call). */
export const NO_PURPOSE = 'none';

/** Latency buckets, in seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /**
   * Purpose ids that may appear as a `purpose` label: the catalogue (policies/purposes.yaml).
   * Default none: every purpose is counted as `other` until `setPurposes` is called.
   */
  purposes?: Iterable<string>;
  /** Also collect prom-client's default process metrics (CPU, memory, event loop, GC, handles) unprefixed. Default true. */
  defaultMetrics?: boolean;
}

/** One finished GraphQL request, as the edge saw it. */
export interface RequestDone {
  /** `staff`, `self` or `partner`. */
  audience: string;
  /** The purpose the request acted for (a catalogue id), or null/undefined when it named none. */
  purpose?: string | null;
  /** `OK`, or the request's result code (the first error's `extensions.code`). */
  code: string;
  /** Time from the request's arrival to the response, in seconds. */
  seconds: number;
  /** Customer rows returned to the caller. Default 0. */
  rows?: number;
}

/** The gateway's series, in one Registry. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private purposes = new Set<string>();
  private readonly codes = new Set<string>(CODE_LABELS);
  private readonly audiences = new Set<string>(AUDIENCE_LABELS);

  private readonly requests: Counter<'audience' | 'purpose' | 'code'>;
  private readonly latency: Histogram<'audience'>;
  private readonly rows: Counter<'audience' | 'purpose'>;
  private readonly flushLatency: Histogram;
  private readonly flushFailures: Counter;
  private readonly lagSeconds: Gauge;
  private readonly lagLeaves: Gauge;
  private readonly refusals: Counter<'purpose'>;
  private readonly denials: Counter<'code'>;

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    if (opts.purposes) this.setPurposes(opts.purposes);
    this.requests = new Counter({
      name: 'gateway_requests_total',
      help: 'GraphQL requests served, by audience, purpose and result code (OK or the first error code).',
      labelNames: ['audience', 'purpose', 'code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'GraphQL request latency from arrival to response, by audience.',
      labelNames: ['audience'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rows = new Counter({
      name: 'gateway_rows_returned_total',
      help: 'Customer rows returned to callers, by audience and purpose.',
      labelNames: ['audience', 'purpose'],
      registers,
    });
    this.flushLatency = new Histogram({
      name: 'gateway_audit_flush_duration_seconds',
      help: 'Time to write a request\'s access-log records (successful or not).',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.flushFailures = new Counter({
      name: 'gateway_audit_flush_failures_total',
      help: 'Access-log writes that failed or timed out (each one withheld a response: AUDIT_UNAVAILABLE).',
      registers,
    });
    this.lagSeconds = new Gauge({
      name: 'gateway_tlog_sequencer_lag_seconds',
      help: 'Age of the oldest access-log record not yet sequenced into the transparency log.',
      registers,
    });
    this.lagLeaves = new Gauge({
      name: 'gateway_tlog_sequencer_pending_leaves',
      help: 'Access-log records waiting to be sequenced into the transparency log.',
      registers,
    });
    this.refusals = new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with RATE_LIMITED, by purpose.',
      labelNames: ['purpose'],
      registers,
    });
    this.denials = new Counter({
      name: 'gateway_denials_total',
      help: 'Denials by code (FORBIDDEN_FIELD counts once per field coordinate and request).',
      labelNames: ['code'],
      registers,
    });
  }

  /** Replaces the purpose catalogue (call at startup and after a policy reload). */
  setPurposes(ids: Iterable<string>): void {
    this.purposes = new Set([...ids].filter((id) => typeof id === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(id)));
  }

  /** The `audience` label: staff, self, partner, or `other`. */
  audienceLabel(audience: unknown): string {
    return typeof audience === 'string' && this.audiences.has(audience) ? audience : OTHER;
  }

  /** The `purpose` label: a catalogue id, `none` when absent, or `other`. */
  purposeLabel(purpose: unknown): string {
    if (purpose === null || purpose === undefined || purpose === '') return NO_PURPOSE;
    return typeof purpose === 'string' && this.purposes.has(purpose) ? purpose : OTHER;
  }

  /** The `code` label: OK, a known error code, or `other`. */
  codeLabel(code: unknown): string {
    return typeof code === 'string' && this.codes.has(code) ? code : OTHER;
  }

  /** A GraphQL request finished: counts it, observes its latency and adds its rows. */
  requestDone(r: RequestDone): void {
    const audience = this.audienceLabel(r.audience);
    const purpose = this.purposeLabel(r.purpose);
    this.requests.inc({ audience, purpose, code: this.codeLabel(r.code) });
    if (Number.isFinite(r.seconds) && r.seconds >= 0) this.latency.observe({ audience }, r.seconds);
    const rows = r.rows ?? 0;
    if (Number.isFinite(rows) && rows > 0) this.rows.inc({ audience, purpose }, rows);
  }

  /** An access-log flush took `seconds`; `ok` false when it failed or timed out. */
  auditFlush(seconds: number, ok: boolean): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.flushLatency.observe(seconds);
    if (!ok) this.flushFailures.inc();
  }

  /** The transparency-log sequencer's backlog: age of the oldest waiting record, and how many wait. */
  sequencerLag(lag: { seconds: number; leaves: number }): void {
    if (Number.isFinite(lag.seconds)) this.lagSeconds.set(Math.max(0, lag.seconds));
    if (Number.isFinite(lag.leaves)) this.lagLeaves.set(Math.max(0, lag.leaves));
  }

  /** A request was refused with RATE_LIMITED. */
  rateLimited(purpose: string | null | undefined): void {
    this.refusals.inc({ purpose: this.purposeLabel(purpose) });
  }

  /** `count` denials with `code` (e.g. one FORBIDDEN_FIELD per denied field coordinate). */
  denial(code: string, count = 1): void {
    if (Number.isFinite(count) && count > 0) this.denials.inc({ code: this.codeLabel(code) }, count);
  }

  /** The exposition, in the Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/** A new, independent set of the gateway's series (tests make their own). */
export function createMetrics(opts: MetricsOptions = {}): GatewayMetrics {
  return new GatewayMetrics(opts);
}

/** The process's metrics, recorded by the edge and served on /metrics. */
export const metrics = createMetrics();

export const METRICS_TOKEN_MIN_LENGTH = 16;

function checkToken(token: string): void {
  if (token.length < METRICS_TOKEN_MIN_LENGTH) {
    throw new ConfigError('METRICS_TOKEN', 'is too short', `at least ${METRICS_TOKEN_MIN_LENGTH} characters`, `${token.length} characters`);
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigError('METRICS_TOKEN', 'must be printable ASCII without spaces', 'characters ! to ~', 'other characters');
  }
}

/** METRICS_TOKEN: unset (or empty) for an open /metrics, else at least 16 printable characters. Throws ConfigError. */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.METRICS_TOKEN;
  if (token === undefined || token === '') return undefined;
  checkToken(token);
  return token;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface MetricsHandlerOptions {
  /**
   * Bearer token required on every scrape (`Authorization: Bearer <token>`), compared in constant
   * time; at least 16 characters. Default unset: /metrics is open (keep it off the public network).
   */
  token?: string;
  /** The series served. Default the process's `metrics`. */
  metrics?: GatewayMetrics;
}

/**
 * Express handler for `GET /metrics`: the Prometheus text exposition, `Cache-Control: no-store`.
 * With a token: 401 and `WWW-Authenticate: Bearer` unless the request carries it. Throws
 * ConfigError at construction for a token under 16 characters.
 */
export function metricsHandler(opts: MetricsHandlerOptions = {}): RequestHandler {
  const source = opts.metrics ?? metrics;
  const token = opts.token === '' ? undefined : opts.token;
  if (token !== undefined) checkToken(token);
  const expected = token === undefined ? null : digest(token);
  return async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    if (expected) {
      const header = req.headers.authorization ?? '';
      const m = /^Bearer +(\S+)\s*$/i.exec(header);
      // Both sides hashed to 32 bytes: the compare takes the same time whatever the length or content sent.
      const ok = timingSafeEqual(digest(m ? m[1] : ''), expected) && m !== null;
      if (!ok) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
    }
    try {
      const body = await source.text();
      res.status(200).setHeader('Content-Type', source.contentType);
      res.end(body);
    } catch {
      res.status(500).json({ error: 'metrics unavailable' });
    }
  };
}
