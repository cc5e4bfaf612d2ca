/**
 * Tracing with OpenTelemetry: off unless OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; then spans go out over OTLP/HTTP (JSON).
 *
 * One span per request, with four attributes only: `gateway.audience`, `gateway.purpose`,
 * `graphql.operation.name` and `gateway.result_code`. Never an attribute value, a customer id,
 * a staff id, a URL, a header or a query: there is no auto-instrumentation, so nothing else is
 * recorded. Audience, purpose and code go through the same closed sets as the metric labels
 * (the purpose catalogue given to `metrics.setPurposes`), anything else becomes `other`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigError } from './config';
import { metrics } from './metrics';

export interface TracingConfig {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  tracesUrl: string;
  /** OTEL_SERVICE_NAME. Default `purpose-gateway`. */
  serviceName: string;
}

function urlVar(env: NodeJS.ProcessEnv, name: string): URL | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // Not echoed: an endpoint can carry credentials.
    throw new ConfigError(name, 'must be an http(s) URL', 'http://host:port or https://host:port', '(a value of another form)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, 'must be an http(s) URL', 'http: or https:', `a ${url.protocol} URL`);
  }
  return url;
}

/**
 * Tracing configuration from the environment, or null when tracing is off (no endpoint, or
 * OTEL_SDK_DISABLED=true). Throws ConfigError for an endpoint that is not an http(s) URL.
 */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TracingConfig | null {
  const tracesEndpoint = urlVar(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = urlVar(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  if (!tracesEndpoint && !endpoint) return null;
  let tracesUrl: string;
  if (tracesEndpoint) tracesUrl = tracesEndpoint.href;
  else {
    const base = endpoint!.href.replace(/\/+$/, '');
    tracesUrl = `${base}/v1/traces`;
  }
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'purpose-gateway';
  return { tracesUrl, serviceName };
}

let running: BasicTracerProvider | null = null;

/**
 * Starts exporting spans when the environment enables tracing (see tracingConfigFromEnv):
 * registers the tracer provider, an AsyncLocalStorage context manager and the W3C
 * `traceparent` propagator globally. Returns the shutdown function (flushes the spans still
 * buffered, then unregisters); a no-op when tracing is off. Call once, at startup.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  const config = tracingConfigFromEnv(env);
  if (!config) return async () => {};
  if (running) throw new Error('startTracing: tracing is already started');
  const exporter = new OTLPTraceExporter({ url: config.tracesUrl });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  running = provider;
  let stopped: Promise<void> | null = null;
  return () => {
    stopped ??= (async () => {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
        running = null;
      }
    })();
    return stopped;
  };
}

/** What a request span records (each value bounded; see the module comment). */
export interface RequestSpanInfo {
  /** `staff`, `self` or `partner`. */
  audience: string;
  /** The purpose acted for (a catalogue id); null or absent when none. */
  purpose?: string | null;
  /** The GraphQL operation name; kept only when it is a GraphQL name of at most 100 characters. */
  operationName?: string | null;
}

/** The request's span, for what becomes known while it runs. */
export interface RequestSpan {
  /** Sets audience, purpose or operation name once known (e.g. after the context is built). */
  set(info: Partial<RequestSpanInfo>): void;
  /** The result code: `OK`, or the request's first error code. Default at the end: OK, or INTERNAL_SERVER_ERROR when it threw. */
  setCode(code: string): void;
}

export const SPAN_ATTRIBUTES = {
  audience: 'gateway.audience',
  purpose: 'gateway.purpose',
  operationName: 'graphql.operation.name',
  code: 'gateway.result_code',
} as const;

/** Codes that mean the gateway failed (span status ERROR), rather than a refusal it chose. */
const FAILURE_CODES = new Set(['INTERNAL_SERVER_ERROR', 'AUDIT_UNAVAILABLE', 'DATABASE_UNAVAILABLE']);
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

class RequestSpanImpl implements RequestSpan {
  code: string | null = null;
  constructor(readonly span: Span) {}

  set(info: Partial<RequestSpanInfo>): void {
    if (info.audience !== undefined) this.span.setAttribute(SPAN_ATTRIBUTES.audience, metrics.audienceLabel(info.audience));
    if (info.purpose !== undefined) this.span.setAttribute(SPAN_ATTRIBUTES.purpose, metrics.purposeLabel(info.purpose));
    if (typeof info.operationName === 'string' && GRAPHQL_NAME.test(info.operationName)) {
      this.span.setAttribute(SPAN_ATTRIBUTES.operationName, info.operationName);
    }
  }

  setCode(code: string): void {
    this.code = metrics.codeLabel(code);
  }

  end(threw: unknown): void {
    const code = this.code ?? (threw === undefined ? 'OK' : 'INTERNAL_SERVER_ERROR');
    this.span.setAttribute(SPAN_ATTRIBUTES.code, code);
    // The error's type only: its message could quote data.
    if (threw !== undefined) this.span.setAttribute('error.type', threw instanceof Error ? threw.name : 'unknown');
    if (FAILURE_CODES.has(code) || threw !== undefined) this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}

/** The request span of the work being run (ours, so it is there whether tracing is on or off). */
const spanStore = new AsyncLocalStorage<RequestSpanImpl>();

/**
 * The RequestSpan of the request being served, from anywhere below traceRequest or
 * requestSpanMiddleware (an Apollo plugin, a resolver): undefined outside a request.
 */
export function currentRequestSpan(): RequestSpan | undefined {
  return spanStore.getStore();
}

/** Only the W3C trace context headers are read from the request (ids of traces, nothing else). */
function parentContext(headers: IncomingHttpHeaders | undefined) {
  if (!headers) return context.active();
  const carrier: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const v = headers[name];
    if (typeof v === 'string') carrier[name] = v;
  }
  return propagation.extract(context.active(), carrier);
}

/**
 * Runs `fn` inside a new server span for one request (the active span while it runs, so work it
 * awaits nests under it) and ends the span when `fn` settles, with the code given to
 * `span.setCode`. `headers`: continue the caller's W3C trace (`traceparent`). When tracing is off
 * the span is a no-op and costs next to nothing.
 */
export async function traceRequest<T>(
  info: RequestSpanInfo,
  fn: (span: RequestSpan) => Promise<T> | T,
  opts: { headers?: IncomingHttpHeaders } = {},
): Promise<T> {
  const tracer = trace.getTracer('purpose-gateway');
  const span = tracer.startSpan(`GraphQL ${metrics.audienceLabel(info.audience)}`, { kind: SpanKind.SERVER }, parentContext(opts.headers));
  const handle = new RequestSpanImpl(span);
  handle.set(info);
  try {
    const out = await spanStore.run(handle, () => context.with(trace.setSpan(context.active(), span), () => fn(handle)));
    handle.end(undefined);
    return out;
  } catch (err) {
    handle.end(err ?? new Error('thrown'));
    throw err;
  }
}

/** The result code from the HTTP status, when the edge set none on the span. */
function codeFromStatus(status: number): string {
  if (status < 400) return 'OK';
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL_SERVER_ERROR';
  return 'other';
}

/**
 * Express middleware: the rest of the chain runs inside a request span (traceRequest) that ends
 * when the response is closed. The span is `res.locals.span` (a RequestSpan) for the handlers
 * to add the purpose, operation name and code; without a code the HTTP status decides.
 */
export function requestSpanMiddleware(opts: { audience: string }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    traceRequest(
      { audience: opts.audience },
      (span) =>
        new Promise<void>((resolve) => {
          res.locals.span = span;
          res.once('close', () => {
            if ((span as RequestSpanImpl).code === null) span.setCode(codeFromStatus(res.statusCode));
            resolve();
          });
          next();
        }),
      { headers: req.headers },
    ).catch((err: unknown) => next(err));
  };
}
