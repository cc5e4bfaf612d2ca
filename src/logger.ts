/**
 * The application logger, over pino: one JSON object per line (a sink set by tests receives each
 * line without its newline). On stderr the line is written as is in production, and rendered as a
 * readable line in development when stderr is a terminal (LOG_FORMAT overrides; see logFormatFromEnv).
 *
 * It never receives customer attribute values; callers pass ids, codes and counts only. Keys that
 * could carry secrets or attributes are redacted anyway, at any depth, and every string (the
 * message too) is scrubbed of bearer tokens, JWTs and Luhn-valid card numbers.
 *
 * Inside `withRequestLog(id, fn)` (or behind `requestLogMiddleware()`) every line carries
 * `requestId`. Every line has at least `level` (a name: "debug", "info", "warn", "error"),
 * `time` (ISO 8601) and `msg`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { pinoHttp } from 'pino-http';
import { ConfigError } from './config';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** LOG_LEVEL: one of debug, info, warn, error (any case). Default info. Throws ConfigError otherwise. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  const level = raw.trim().toLowerCase() as LogLevel;
  if (!LEVELS.includes(level)) throw new ConfigError('LOG_LEVEL', 'must be a log level', LEVELS.join(', '), JSON.stringify(raw.slice(0, 20)));
  return level;
}

export type LogFormat = 'json' | 'pretty';

/**
 * LOG_FORMAT: `json` or `pretty` (throws ConfigError for anything else). Default: json when
 * NODE_ENV=production; otherwise pretty when stderr is a terminal (a developer's console) and json
 * when it is a pipe or a file (tools and tests read the lines).
 */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env, stderrIsTTY: boolean = process.stderr.isTTY === true): LogFormat {
  const raw = env.LOG_FORMAT;
  if (raw === undefined || raw === '') return env.NODE_ENV !== 'production' && stderrIsTTY ? 'pretty' : 'json';
  const format = raw.trim().toLowerCase();
  if (format !== 'json' && format !== 'pretty') throw new ConfigError('LOG_FORMAT', 'must be a log format', 'json or pretty', JSON.stringify(raw.slice(0, 20)));
  return format;
}

// ---------------------------------------------------------------------------------------------
// Redaction: pino `redact` paths for the known shapes, and a scrubber for any depth and any string.

/** A key whose value is never written, at any depth (substring match, any case). */
const REDACTED_KEYS = /authorization|cookie|token|password|secret|variables|value|code$|card|health|email|phone/i;
/** The same keys as exact pino redact paths, top level and one level down (the scrubber covers the rest). */
const REDACT_KEYS = ['authorization', 'cookie', 'token', 'password', 'secret', 'variables', 'value', 'code', 'card', 'paymentCard', 'health', 'email', 'phone'];
const EXTRA_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie'];
const CENSOR = '[redacted]';

function redactPaths(allowTop: ReadonlySet<string> = new Set()): string[] {
  return [...REDACT_KEYS.filter((k) => !allowTop.has(k)), ...REDACT_KEYS.map((k) => `*.${k}`), ...EXTRA_PATHS];
}

/** A bearer token or JWT inside a string (e.g. an error message that quotes a header). */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/**
 * A whole run of 13 to 19 digits, optionally grouped by single spaces or hyphens, not glued to a
 * word character and not part of a longer digit group (so UUID and ObjectId pieces are left alone).
 */
const DIGIT_RUN = /(?<!\w|\d[ -])\d(?:[ -]?\d){12,18}(?!\w|[ -]\d)/g;

/** The Luhn checksum of a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Removes bearer tokens, JWTs and Luhn-valid card numbers from a string. */
export function scrub(text: string): string {
  let out = text.replace(BEARER, `$1${CENSOR}`).replace(JWT, CENSOR);
  if (/\d{4}/.test(out)) out = out.replace(DIGIT_RUN, (run) => (luhnValid(run.replace(/[ -]/g, '')) ? CENSOR : run));
  return out;
}

/** Keys pino writes itself: a field of that name is renamed (`level_`) so the line stays unambiguous. */
const RESERVED = new Set(['level', 'time', 'msg']);
const MAX_DEPTH = 6;

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  // An error's message or enumerable properties can quote data (a duplicate key, a query): its name only.
  if (value instanceof Error) return { name: value.name };
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = REDACTED_KEYS.test(k) ? CENSOR : redactValue(v, depth + 1);
  return out;
}

/** Top-level fields: sensitive keys redacted unless in `allow`, everything else scrubbed at any depth. */
function redactFields(fields: Record<string, unknown>, allow: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const key = RESERVED.has(k) ? `${k}_` : k;
    if (allow.has(k)) out[key] = v;
    else out[key] = REDACTED_KEYS.test(k) ? CENSOR : redactValue(v, 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Request id, carried through async calls.

interface RequestLogStore {
  requestId: string;
}
const requestStore = new AsyncLocalStorage<RequestLogStore>();

/** Runs `fn` (and everything it awaits or schedules) with `requestId` on every log line. */
export function withRequestLog<T>(requestId: string, fn: () => T): T {
  return requestStore.run({ requestId }, fn);
}

/** The request id of the request being served, if any (inside withRequestLog or requestLogMiddleware). */
export function currentRequestId(): string | undefined {
  return requestStore.getStore()?.requestId;
}

// ---------------------------------------------------------------------------------------------
// Sinks and the pino instances.

const ANSI = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m', dim: '\x1b[2m', reset: '\x1b[0m' } as const;

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * Renders one JSON log line as a readable line: `HH:MM:SS.mmm LEVEL msg key=value …`, the request
 * id first among the fields. Colours only when `color` is true. A line that is not JSON is returned as is.
 */
export function formatPretty(line: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, requestId, ...rest } = entry;
  const lvl = String(level ?? 'info');
  const clock = typeof time === 'string' && time.length >= 23 ? time.slice(11, 23) : String(time ?? '');
  const pairs = Object.entries(rest).map(([k, v]) => `${k}=${fieldText(v)}`);
  if (requestId !== undefined) pairs.unshift(`requestId=${fieldText(requestId)}`);
  const tag = lvl.toUpperCase().padEnd(5);
  const head = color ? `${ANSI.dim}${clock}${ANSI.reset} ${ANSI[lvl as LogLevel] ?? ''}${tag}${ANSI.reset}` : `${clock} ${tag}`;
  const tail = pairs.length ? (color ? ` ${ANSI.dim}${pairs.join(' ')}${ANSI.reset}` : ` ${pairs.join(' ')}`) : '';
  return `${head} ${String(msg ?? '')}${tail}`;
}

const format = logFormatFromEnv();
const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
let sink: LogSink =
  format === 'json' ? (line) => process.stderr.write(line + '\n') : (line) => process.stderr.write(formatPretty(line, color) + '\n');
let minLevel: LogLevel = logLevelFromEnv();

/** Replace where log lines go (tests capture them). Returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const prev = sink;
  sink = next;
  return prev;
}

/** pino's stream: every line goes to the current sink, without its newline. */
const destination = {
  write(s: string): void {
    sink(s.endsWith('\n') ? s.slice(0, -1) : s);
  },
};

/** Carries the per-call `allow` list of logger.unredacted to the hook (a symbol key is never serialized). */
const ALLOW = Symbol('allow');
const NO_KEYS: ReadonlySet<string> = new Set();

function baseOptions(): LoggerOptions {
  return {
    level: minLevel,
    base: undefined,
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactPaths(), censor: CENSOR },
    hooks: {
      // Every call (ours and pino-http's) passes (fields, msg): redact and scrub both before pino serializes.
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        let fields: Record<string, unknown> = {};
        let msg: unknown = second;
        if (typeof first === 'string') msg = first;
        else if (first !== null && typeof first === 'object') fields = first as Record<string, unknown>;
        const allow = ((fields as Record<symbol, unknown>)[ALLOW] as ReadonlySet<string> | undefined) ?? NO_KEYS;
        method.call(this, redactFields(fields, allow), typeof msg === 'string' ? scrub(msg) : '');
      },
    },
  };
}

/** The application's lines: the request id comes from the async context. */
const appLog: Logger = pino(
  { ...baseOptions(), mixin: () => {
    const store = requestStore.getStore();
    return store ? { requestId: store.requestId } : {};
  } },
  destination,
);
/** Parent of the access-line loggers: pino-http binds the request id itself. */
const httpLog: Logger = pino(baseOptions(), destination);
/** Loggers whose level follows setLogLevel besides appLog (pino children copy the level when made). */
const followers = new Set<Logger>([httpLog]);

/** Sets the minimum level written, for every line including access lines. */
export function setLogLevel(level: LogLevel): void {
  if (!LEVELS.includes(level)) throw new TypeError(`setLogLevel: expected one of ${LEVELS.join(', ')}`);
  minLevel = level;
  appLog.level = level;
  for (const l of followers) l.level = level;
}

function write(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  appLog[level](fields, msg);
}

export const logger = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
  /** For deliberate dev-mode disclosures (a dev one-time code): the named top-level keys are not redacted. */
  unredacted: (level: LogLevel, msg: string, fields: Record<string, unknown>, keys: string[]) => {
    const allow = new Set(keys);
    const child = appLog.child({}, { redact: { paths: redactPaths(allow), censor: CENSOR } });
    child[level]({ ...fields, [ALLOW]: allow }, msg);
  },
};

// ---------------------------------------------------------------------------------------------
// HTTP: request id and access lines.

const AUDIENCES = new Set(['staff', 'self', 'partner']);

/**
 * The route template of a request: the mount path and the matched route's path (`/graphql`,
 * `/healthz`, `/transparency/:name`), never the raw URL, so no query string or path value is
 * written. `unmatched` when no route answered (the 404 handler).
 */
export function routeOf(req: Request): string {
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  const path = (req as Request & { route?: { path?: unknown } }).route?.path;
  let route = typeof path === 'string' ? base + path : base;
  if (route.length > 1 && route.endsWith('/')) route = route.slice(0, -1);
  if (!route) return 'unmatched';
  return /^[\w/.:*-]{1,120}$/.test(route) ? route : 'other';
}

export interface AccessLogOptions {
  /**
   * Route label of the access line. Default `routeOf(req)`: mount path plus matched route
   * template, never the URL as sent.
   */
  routeOf?: (req: Request, res: Response) => string;
  /**
   * Audience of the access line. Default `res.locals.audience` when it is `staff`, `self` or
   * `partner` (the edge sets it on each GraphQL mount); left out otherwise.
   */
  audienceOf?: (req: Request, res: Response) => string | undefined;
  /** Requests that get no access line (e.g. `/healthz` probes). Default: none are skipped. */
  ignore?: (req: Request) => boolean;
}

/**
 * pino-http middleware writing one access line per request when the response is finished (or
 * the client went away): `requestId`, `method`, `route`, `status`, `durationMs`, `audience`, and
 * msg `request completed` / `request aborted` / `request failed` (status ≥ 500, at level error).
 * No header, body, query string or client address is written. The request id is
 * `res.locals.requestId` (set by requestLogMiddleware), else a new UUID.
 */
export function accessLogMiddleware(opts: AccessLogOptions = {}): RequestHandler {
  const route = opts.routeOf ?? ((req: Request) => routeOf(req));
  const audience =
    opts.audienceOf ??
    ((_req: Request, res: Response) => {
      const a = res.locals?.audience;
      return typeof a === 'string' && AUDIENCES.has(a) ? a : undefined;
    });
  const line = (req: Request, res: Response, durationMs: unknown) => ({
    method: req.method,
    route: route(req, res),
    status: res.statusCode,
    durationMs,
    audience: audience(req, res),
  });
  const middleware = pinoHttp<Request, Response>({
    logger: httpLog,
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    genReqId: (_req, res) => (typeof res.locals?.requestId === 'string' ? res.locals.requestId : randomUUID()),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, res, val: { durationMs: unknown }) => line(req, res, val.durationMs),
    customErrorObject: (req, res, _err, val: { durationMs: unknown }) => line(req, res, val.durationMs),
    customErrorMessage: () => 'request failed',
    autoLogging: opts.ignore ? { ignore: opts.ignore } : true,
  });
  followers.add(middleware.logger as unknown as Logger);
  (middleware.logger as unknown as Logger).level = minLevel;
  return middleware as unknown as RequestHandler;
}

export interface RequestLogOptions extends AccessLogOptions {
  /** Makes each request's id. Default `crypto.randomUUID()`; an id sent by the client is never used. */
  genRequestId?: () => string;
  /** Response header that tells the client its request id, or false for none. Default `X-Request-Id`. */
  responseHeader?: string | false;
  /** Write access lines (accessLogMiddleware). Default true. */
  accessLog?: boolean;
}

/**
 * Mount first, before any body parser or router: gives the request its id (`res.locals.requestId`,
 * and `currentRequestId()` anywhere below), runs the rest of the chain inside
 * `withRequestLog(id, …)` so every line of the request carries `requestId`, and writes its access line.
 */
export function requestLogMiddleware(opts: RequestLogOptions = {}): RequestHandler {
  const gen = opts.genRequestId ?? randomUUID;
  const header = opts.responseHeader === undefined ? 'X-Request-Id' : opts.responseHeader;
  const access = opts.accessLog === false ? null : accessLogMiddleware(opts);
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = gen();
    res.locals.requestId = requestId;
    if (header) res.setHeader(header, requestId);
    withRequestLog(requestId, () => (access ? access(req, res, next) : next()));
  };
}
