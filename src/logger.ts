/**
 * The application logger: one JSON line per event on stderr (or a sink set by tests).
 * It never receives customer attribute values; callers pass ids, codes and counts only.
 * Keys that could carry secrets or attributes are redacted anyway.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

const REDACTED_KEYS = /authorization|token|password|secret|variables|value|code$|card|health|email|phone/i;
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let sink: LogSink = (line) => process.stderr.write(line + '\n');
let minLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel) in order ? (process.env.LOG_LEVEL as LogLevel) : 'info';

/** Replace where log lines go (tests capture them). Returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const prev = sink;
  sink = next;
  return prev;
}

export function setLogLevel(level: LogLevel): void {
  minLevel = level;
}

/** A bearer token or JWT inside a string (e.g. an error message that quotes a header). */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

function scrub(text: string): string {
  return text.replace(BEARER, '$1[redacted]').replace(JWT, '[redacted]');
}

/** Redacts sensitive keys at any depth (the `allow` list applies to top-level keys only) and scrubs tokens out of strings. */
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (depth >= 6) return '[nested]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = REDACTED_KEYS.test(k) ? '[redacted]' : redactValue(v, depth + 1);
  return out;
}

function redact(fields: Record<string, unknown>, allow: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (allow.has(k)) out[k] = v;
    else out[k] = REDACTED_KEYS.test(k) ? '[redacted]' : redactValue(v, 1);
  }
  return out;
}

function write(level: LogLevel, msg: string, fields: Record<string, unknown> = {}, allow: ReadonlySet<string> = new Set()): void {
  if (order[level] < order[minLevel]) return;
  sink(JSON.stringify({ level, time: new Date().toISOString(), msg: scrub(msg), ...redact(fields, allow) }));
}

export const logger = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
  /** For deliberate dev-mode disclosures (a dev one-time code): the named keys are not redacted. */
  unredacted: (level: LogLevel, msg: string, fields: Record<string, unknown>, keys: string[]) =>
    write(level, msg, fields, new Set(keys)),
};
