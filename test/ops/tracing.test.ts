import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import { metrics } from '../../src/metrics';
import { currentRequestSpan, requestSpanMiddleware, SPAN_ATTRIBUTES, startTracing, traceRequest, tracingConfigFromEnv, type RequestSpan } from '../../src/tracing';

/** A tiny OTLP/HTTP receiver on loopback: keeps every POST it gets. */
async function receiver() {
  const posts: { path: string; contentType: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, close: () => new Promise((r) => server.close(r)) };
}

interface OtlpSpan {
  traceId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: { key: string; value: { stringValue?: string } }[];
}
function spansOf(posts: { body: string }[]): OtlpSpan[] {
  return posts.flatMap((p) => {
    const doc = JSON.parse(p.body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
    return doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  });
}
const attrs = (s: OtlpSpan) => Object.fromEntries(s.attributes.map((a) => [a.key, a.value.stringValue]));

describe('tracing configuration', () => {
  it('is off without an endpoint, or with OTEL_SDK_DISABLED=true', () => {
    expect(tracingConfigFromEnv({})).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
  });

  it('appends /v1/traces to the base endpoint; a traces endpoint is used as is', () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' })).toEqual({ tracesUrl: 'http://127.0.0.1:4318/v1/traces', serviceName: 'purpose-gateway' });
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otel.internal/custom', OTEL_SERVICE_NAME: 'gw-eu' })).toEqual({
      tracesUrl: 'https://otel.internal/custom',
      serviceName: 'gw-eu',
    });
  });

  it('an endpoint that is not an http(s) URL is a ConfigError that names the variable and does not echo it', () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'user:hunter2@nowhere' })).toThrow(ConfigError);
    const message = (() => {
      try {
        tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url hunter2' });
      } catch (e) {
        return (e as Error).message;
      }
      return 'did not throw';
    })();
    expect(message).toBe(
      'Invalid configuration OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL (expected http://host:port or https://host:port, received (a value of another form))',
    );
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x/hunter2' })).toThrow(
      /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http\(s\) URL \(expected http: or https:, received a ftp: URL\)/,
    );
  });
});

describe('tracing off', () => {
  it('startTracing returns a no-op, and traceRequest still runs the work with a non-recording span', async () => {
    const stop = startTracing({});
    const out = await traceRequest({ audience: 'staff' }, (span) => {
      expect(trace.getActiveSpan()?.isRecording() ?? false).toBe(false);
      expect(currentRequestSpan()).toBe(span);
      span.setCode('OK');
      return 42;
    });
    expect(out).toBe(42);
    await stop();
  });
});

describe('tracing on: OTLP/HTTP to a loopback receiver', () => {
  let rx: Awaited<ReturnType<typeof receiver>>;
  let spans: OtlpSpan[] = [];
  const incomingTrace = '4bf92f3577b34da6a3ce929d0e0e4736';

  beforeAll(async () => {
    rx = await receiver();
    metrics.setPurposes(['billing', 'self-service']);
    const stop = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_SERVICE_NAME: 'gateway-test' });
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url })).toThrow(/already started/);

    // 1. A request that learns its purpose and operation later, deeper in its async work (as an Apollo plugin would), and ends denied.
    expect(currentRequestSpan()).toBeUndefined();
    await traceRequest({ audience: 'staff' }, async (span) => {
      await new Promise((r) => setTimeout(r, 2));
      expect(trace.getActiveSpan()?.isRecording()).toBe(true);
      expect(currentRequestSpan()).toBe(span);
      currentRequestSpan()!.set({ purpose: 'billing', operationName: 'CustomerCard' });
      currentRequestSpan()!.setCode('FORBIDDEN_FIELD');
    });
    expect(currentRequestSpan()).toBeUndefined();
    // 2. Values that must never become attributes: a customer id as purpose, an email as operation, a made-up code.
    await traceRequest({ audience: 'cus_42', purpose: 'cus_42', operationName: 'a@b.example' }, (span) => span.setCode('alice@corp.example'));
    // 3. A request that throws: INTERNAL_SERVER_ERROR, status ERROR, the error's type only.
    await expect(traceRequest({ audience: 'self', purpose: 'self-service' }, () => Promise.reject(new TypeError('card 4111111111111111 rejected')))).rejects.toThrow(TypeError);
    // 4. Continues the caller's W3C trace.
    await traceRequest({ audience: 'partner', purpose: null }, () => 'ok', {
      headers: { traceparent: `00-${incomingTrace}-00f067aa0ba902b7-01`, authorization: 'Bearer secret-token' },
    });
    // 5. Through the Express middleware over real HTTP: one span per request, code from the handler or the status.
    const app = express();
    app.use('/graphql', requestSpanMiddleware({ audience: 'staff' }), express.json(), async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1));
      expect(currentRequestSpan()).toBe(res.locals.span as RequestSpan);
      currentRequestSpan()!.set({ purpose: 'billing', operationName: 'Who' });
      (res.locals.span as RequestSpan).setCode('OK');
      res.json({ data: {} });
    });
    app.use('/self/graphql', requestSpanMiddleware({ audience: 'self' }), (_req, res) => {
      res.status(401).json({ errors: [] });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const viaHttp = await fetch(`${base}/graphql?customerId=cus_77`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customer(id: "cus_77") { email } }' }),
    });
    expect(viaHttp.status).toBe(200);
    await fetch(`${base}/self/graphql`, { method: 'POST' });
    await new Promise((r) => server.close(r));

    await stop();
    await stop(); // idempotent
    spans = spansOf(rx.posts);
  });
  afterAll(() => rx?.close());

  it('POSTs OTLP/HTTP JSON to <endpoint>/v1/traces with the service name', () => {
    expect(rx.posts.length).toBeGreaterThan(0);
    for (const p of rx.posts) {
      expect(p.path).toBe('/v1/traces');
      expect(p.contentType).toMatch(/^application\/json/);
    }
    expect(rx.posts[0].body).toContain('"gateway-test"');
    expect(spans).toHaveLength(6);
  });

  it('a request span carries audience, purpose, operation name and result code, and nothing else', () => {
    const [first] = spans.filter((s) => attrs(s)[SPAN_ATTRIBUTES.operationName] === 'CustomerCard');
    expect(first.name).toBe('GraphQL staff');
    expect(first.kind).toBe(2); // SERVER
    expect(attrs(first)).toEqual({
      'gateway.audience': 'staff',
      'gateway.purpose': 'billing',
      'graphql.operation.name': 'CustomerCard',
      'gateway.result_code': 'FORBIDDEN_FIELD',
    });
    expect(first.status?.code ?? 0).toBe(0); // a refusal is not a failure of the gateway
  });

  it('ids, emails and unknown codes never become attribute values', () => {
    const second = spans.find((s) => attrs(s)['gateway.audience'] === 'other')!;
    expect(attrs(second)).toEqual({ 'gateway.audience': 'other', 'gateway.purpose': 'other', 'gateway.result_code': 'other' });
    const all = rx.posts.map((p) => p.body).join('\n');
    expect(all).not.toMatch(/cus_42|cus_77|a@b\.example|alice@corp|4111|secret-token|customerId/);
  });

  it('a request that throws ends INTERNAL_SERVER_ERROR with status ERROR and the error type, not its message', () => {
    const failed = spans.find((s) => attrs(s)['gateway.audience'] === 'self' && attrs(s)['error.type'])!;
    expect(attrs(failed)).toEqual({ 'gateway.audience': 'self', 'gateway.purpose': 'self-service', 'gateway.result_code': 'INTERNAL_SERVER_ERROR', 'error.type': 'TypeError' });
    expect(failed.status?.code).toBe(2);
  });

  it('continues an incoming traceparent', () => {
    const continued = spans.find((s) => attrs(s)['gateway.audience'] === 'partner')!;
    expect(continued.traceId).toBe(incomingTrace);
    expect(continued.parentSpanId).toBe('00f067aa0ba902b7');
    expect(attrs(continued)).toEqual({ 'gateway.audience': 'partner', 'gateway.purpose': 'none', 'gateway.result_code': 'OK' });
  });

  it('the Express middleware makes one span per request, with the handler\'s code or the HTTP status\'s', () => {
    const viaHttp = spans.filter((s) => attrs(s)['graphql.operation.name'] === 'Who' || (attrs(s)['gateway.audience'] === 'self' && !attrs(s)['error.type']));
    expect(viaHttp.map(attrs)).toEqual([
      { 'gateway.audience': 'staff', 'gateway.purpose': 'billing', 'graphql.operation.name': 'Who', 'gateway.result_code': 'OK' },
      { 'gateway.audience': 'self', 'gateway.result_code': 'UNAUTHENTICATED' },
    ]);
  });
});
