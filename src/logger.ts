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

function redact(fields: Record<string, unknown>, allow: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = REDACTED_KEYS.test(k) && !allow.has(k) ? '[redacted]' : v;
  return out;
}

function write(level: LogLevel, msg: string, fields: Record<string, unknown> = {}, allow: ReadonlySet<string> = new Set()): void {
  if (order[level] < order[minLevel]) return;
  sink(JSON.stringify({ level, time: new Date().toISOString(), msg, ...redact(fields, allow) }));
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
