import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import {
  currentRequestId,
  formatPretty,
  logFormatFromEnv,
  logger,
  logLevelFromEnv,
  luhnValid,
  requestLogMiddleware,
  setLogLevel,
  setLogSink,
  withRequestLog,
} from '../../src/logger';

let restore: ReturnType<typeof setLogSink> | null = null;
function capture(): string[] {
  const lines: string[] = [];
  restore = setLogSink((l) => lines.push(l));
  return lines;
}
afterEach(() => {
  if (restore) setLogSink(restore);
  restore = null;
  setLogLevel('info');
});
const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const VISA = '4111111111111111';
const MASTERCARD_GROUPED = '5500 0000 0000 0004';
const AMEX_HYPHENS = '3782-822463-10005';

describe('log line shape', () => {
  it('is one JSON object per line with level as a name, an ISO time and msg', () => {
    const lines = capture();
    logger.info('started', { port: 4000 });
    logger.error('failed', { count: 2 });
    expect(lines).toHaveLength(2);
    const [a, b] = parsed(lines);
    expect(a).toMatchObject({ level: 'info', msg: 'started', port: 4000 });
    expect(b).toMatchObject({ level: 'error', msg: 'failed', count: 2 });
    expect(new Date(a.time as string).toISOString()).toBe(a.time);
    expect(lines[0]).not.toContain('\n');
    // No pid/hostname noise, nothing but what was logged.
    expect(Object.keys(a).sort()).toEqual(['level', 'msg', 'port', 'time']);
  });

  it('keeps level, time and msg unambiguous when a caller passes fields of those names', () => {
    const lines = capture();
    logger.warn('real', { level: 'fake', msg: 'fake', time: 'fake' });
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'warn', msg: 'real', level_: 'fake', msg_: 'fake', time_: 'fake' });
    expect(lines[0].match(/"level":/g)).toHaveLength(1);
  });

  it('filters by level and setLogLevel changes it', () => {
    const lines = capture();
    logger.debug('hidden');
    setLogLevel('debug');
    logger.debug('shown');
    setLogLevel('error');
    logger.warn('hidden too');
    logger.error('shown too');
    expect(parsed(lines).map((e) => e.msg)).toEqual(['shown', 'shown too']);
  });
});

describe('request id', () => {
  it('is on every line inside withRequestLog, through awaits and timers, and on none outside', async () => {
    const lines = capture();
    logger.info('before');
    await withRequestLog('req-1', async () => {
      logger.info('sync');
      await sleep(2);
      logger.info('after await');
      await new Promise<void>((r) => setTimeout(() => (logger.info('in timer'), r()), 1));
      expect(currentRequestId()).toBe('req-1');
    });
    logger.info('after');
    expect(currentRequestId()).toBeUndefined();
    const byMsg = Object.fromEntries(parsed(lines).map((e) => [e.msg, e.requestId]));
    expect(byMsg).toEqual({ before: undefined, sync: 'req-1', 'after await': 'req-1', 'in timer': 'req-1', after: undefined });
  });

  it('keeps concurrent requests apart', async () => {
    const lines = capture();
    const run = (id: string, delays: number[]) =>
      withRequestLog(id, async () => {
        for (const [i, d] of delays.entries()) {
          await sleep(d);
          logger.info(`${id} step ${i}`);
        }
      });
    await Promise.all([run('a', [3, 1, 4]), run('b', [1, 5, 1]), run('c', [2, 2, 2])]);
    const entries = parsed(lines);
    expect(entries).toHaveLength(9);
    for (const e of entries) expect(String(e.msg).startsWith(`${e.requestId} `)).toBe(true);
  });

  it('an explicit requestId field wins over the context (one key, not two)', () => {
    const lines = capture();
    withRequestLog('ctx', () => logger.info('x', { requestId: 'explicit' }));
    expect(lines[0].match(/"requestId":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]).requestId).toBe('explicit');
  });
});

describe('redaction', () => {
  it('scrubs bearer tokens, JWTs and Luhn-valid card numbers from the message and every string, at any depth', () => {
    const lines = capture();
    logger.warn(`refused Bearer ${JWT} for card ${VISA}`, {
      note: `paid with ${MASTERCARD_GROUPED}, then ${AMEX_HYPHENS}`,
      list: [[{ deep: { deeper: `raw ${JWT}` } }], `pan=${VISA}`],
    });
    const entry = JSON.parse(lines[0]);
    expect(entry.msg).toBe('refused Bearer [redacted] for card [redacted]');
    expect(entry.note).toBe('paid with [redacted], then [redacted]');
    expect(entry.list).toEqual([[{ deep: { deeper: 'raw [redacted]' } }], 'pan=[redacted]']);
    expect(lines[0]).not.toMatch(/c2lnbmF0dXJl|4111|5500|3782/);
  });

  it('leaves digit runs alone that are not card numbers: Luhn-invalid, too short or too long, or inside ids', () => {
    const lines = capture();
    const uuid = '12345678-1234-4234-8234-123456789012';
    const objectId = '65f1a2b3c4d5e6f708192a3b';
    // 20 digits whose first 19 (and first 16) pass the Luhn check: a longer number, not a card.
    const long = '41111111111111110037';
    const fiveGroups = '4111 1111 1111 1111 1111';
    logger.info('ids', { bad: '4111111111111112', short: '411111111111', long, fiveGroups, uuid, objectId, phone: '+33612345678', n: 4111111111111111 });
    const entry = JSON.parse(lines[0]);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid(long.slice(0, 19)) && luhnValid(long.slice(0, 16))).toBe(true);
    expect(entry).toMatchObject({ bad: '4111111111111112', short: '411111111111', long, fiveGroups, uuid, objectId, n: 4111111111111111 });
    // phone is a sensitive key: redacted by name whatever its value
    expect(entry.phone).toBe('[redacted]');
  });

  it('redacts sensitive keys at any depth, and writes objects six levels down as [nested]', () => {
    const lines = capture();
    logger.info('deep', {
      a: { b: { c: { password: 'p', refreshToken: 't', d: { Email: 'e', ok: 1 } } } },
      paymentCard: { last4: '1111' },
      rows: [{ customer: { health: { notes: 'n' }, segment: 'gold' } }],
      l1: { l2: { l3: { l4: { l5: { l6: { secret: 'x' } } } } } },
    });
    const entry = JSON.parse(lines[0]);
    expect(entry.a).toEqual({ b: { c: { password: '[redacted]', refreshToken: '[redacted]', d: { Email: '[redacted]', ok: 1 } } } });
    expect(entry.paymentCard).toBe('[redacted]');
    expect(entry.rows).toEqual([{ customer: { health: '[redacted]', segment: 'gold' } }]);
    expect(entry.l1.l2.l3.l4.l5).toEqual({ l6: '[nested]' });
    expect(lines[0]).not.toMatch(/"p"|"t"|"e"|"n"|"x"|1111/);
  });

  it('writes an Error as its name only: its message or properties can quote data', () => {
    const lines = capture();
    const err = Object.assign(new Error('E11000 duplicate key: { email: "a@b.example" }'), { keyValue: { email: 'a@b.example' }, errmsg: 'dup a@b.example' });
    logger.error('write failed', { err, cause: { inner: err } });
    const entry = JSON.parse(lines[0]);
    expect(entry.err).toEqual({ name: 'Error' });
    expect(entry.cause).toEqual({ inner: { name: 'Error' } });
    expect(lines[0]).not.toContain('a@b.example');
  });

  it('logger.unredacted still redacts nested keys and the keys it was not told about', () => {
    const lines = capture();
    logger.unredacted('info', `code for card ${VISA}`, { code: '123456', nested: { code: '654321' }, token: 't' }, ['code']);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ code: '123456', nested: { code: '[redacted]' }, token: '[redacted]', msg: 'code for card [redacted]' });
  });
});

describe('configuration', () => {
  it('an invalid LOG_LEVEL or LOG_FORMAT is a ConfigError naming the variable, the rule, the expected and the received', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'WARN' })).toBe('warn');
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(
      'Invalid configuration LOG_LEVEL: must be a log level (expected debug, info, warn, error, received "verbose")',
    );
    expect(logFormatFromEnv({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(logFormatFromEnv({}, true)).toBe('pretty');
    expect(logFormatFromEnv({}, false)).toBe('json');
    expect(logFormatFromEnv({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormatFromEnv({ LOG_FORMAT: 'JSON' }, true)).toBe('json');
    expect(() => logFormatFromEnv({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: must be a log format \(expected json or pretty, received "xml"\)/);
  });
});

const tsx = resolve('node_modules/.bin/tsx');
function runChild(code: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return new Promise((done) => {
    execFile(tsx, ['-e', code], { env: childEnv, cwd: resolve('.'), timeout: 30_000 }, (err, _stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}
const SNIPPET = `import { logger, withRequestLog } from './src/logger';
withRequestLog('rid-7', () => logger.warn('upstream said Bearer ${JWT}', { attempt: 2, card: '${VISA}' }));`;

describe('stderr format', () => {
  it('production writes the JSON line as is', async () => {
    const out = await runChild(SNIPPET, { NODE_ENV: 'production' });
    expect(out.code).toBe(0);
    const line = out.stderr.trim();
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', requestId: 'rid-7', attempt: 2, card: '[redacted]', msg: 'upstream said Bearer [redacted]' });
    expect(line).not.toMatch(/c2lnbmF0dXJl|4111/);
  });

  const READABLE = /^\d{2}:\d{2}:\d{2}\.\d{3} WARN  upstream said Bearer \[redacted\] requestId=rid-7 attempt=2 card=\[redacted\]$/;

  it('development on a pipe writes JSON too (tools and tests read it); LOG_FORMAT=pretty makes it readable', async () => {
    const piped = await runChild(SNIPPET, { NODE_ENV: 'development' });
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stderr.trim())).toMatchObject({ level: 'warn', requestId: 'rid-7' });
    const pretty = await runChild(SNIPPET, { NODE_ENV: 'development', LOG_FORMAT: 'pretty' });
    expect(pretty.code).toBe(0);
    expect(pretty.stderr.trim()).toMatch(READABLE);
  });

  it('development on a terminal writes a readable line: time, level, message, then the request id and fields', async () => {
    // util-linux `script` (Debian's essential bsdutils) runs the snippet on a pseudo-terminal, as a developer's console would.
    const cmd = `${tsx} -e ${JSON.stringify(SNIPPET.replace(/\n/g, ' '))} 2>&1`;
    const out = await new Promise<string>((done, fail) => {
      execFile('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', NO_COLOR: '1' }, cwd: resolve('.'), timeout: 30_000 }, (err, stdout) =>
        err ? fail(err) : done(stdout),
      );
    });
    const line = out.replace(/\r/g, '').trim();
    expect(line).toMatch(READABLE);
  });

  it('an invalid LOG_LEVEL stops the process at startup with the ConfigError', async () => {
    const out = await runChild(SNIPPET, { LOG_LEVEL: 'loud' });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('Invalid configuration LOG_LEVEL: must be a log level (expected debug, info, warn, error, received "loud")');
  });

  it('formatPretty renders strings with spaces quoted and leaves a non-JSON line as is', () => {
    const line = JSON.stringify({ level: 'info', time: '2025-01-02T03:04:05.678Z', msg: 'm', a: 'two words', b: { c: 1 } });
    expect(formatPretty(line)).toBe('03:04:05.678 INFO  m a="two words" b={"c":1}');
    expect(formatPretty('not json')).toBe('not json');
  });
});

describe('requestLogMiddleware over HTTP', () => {
  async function serve() {
    const app = express();
    app.use(requestLogMiddleware());
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.use('/graphql', express.json(), async (req, res) => {
      res.locals.audience = 'staff';
      logger.info('resolving', { operationName: (req.body as { operationName?: string }).operationName });
      await sleep(3);
      logger.info('resolved');
      res.json({ data: null });
    });
    app.get('/boom', () => {
      throw new Error('kaput');
    });
    app.use((_req, res) => {
      res.status(404).json({ error: 'not found' });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, close: () => new Promise((r) => server.close(r)) };
  }
  /** The access line is written on 'finish', just after the client has its response. */
  async function settle(lines: string[], n: number) {
    for (let i = 0; i < 50 && parsed(lines).filter((e) => String(e.msg).startsWith('request ')).length < n; i++) await sleep(10);
  }

  it('gives every line of a request its id, returns it in X-Request-Id, and writes one access line without headers, query or body', async () => {
    const lines = capture();
    const { base, close } = await serve();
    try {
      const res = await fetch(`${base}/graphql?email=a%40b.example&card=${VISA}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${JWT}`, 'x-purpose': 'billing', 'x-request-id': 'client-chosen' },
        body: JSON.stringify({ query: '{ me { email } }', operationName: 'Me', variables: { email: 'a@b.example', number: VISA } }),
      });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await settle(lines, 1);
      const entries = parsed(lines);
      expect(entries.map((e) => e.msg)).toEqual(['resolving', 'resolved', 'request completed']);
      for (const e of entries) expect(e.requestId).toBe(id);
      const access = entries[2];
      expect(Object.keys(access).sort()).toEqual(['audience', 'durationMs', 'level', 'method', 'msg', 'requestId', 'route', 'status', 'time']);
      expect(access).toMatchObject({ level: 'info', method: 'POST', route: '/graphql', status: 200, audience: 'staff' });
      expect(typeof access.durationMs).toBe('number');
      const all = lines.join('\n');
      expect(all).not.toMatch(/a@b\.example|a%40b|4111|c2lnbmF0dXJl|billing|client-chosen|query|me \{/);
    } finally {
      await close();
    }
  });

  it('names the route template, not the URL; unmatched requests and server errors are labelled as such', async () => {
    const lines = capture();
    const { base, close } = await serve();
    try {
      await fetch(`${base}/healthz?x=1`);
      await fetch(`${base}/customers/cus_123/email`);
      await fetch(`${base}/boom`);
      await settle(lines, 3);
      const access = parsed(lines).filter((e) => String(e.msg).startsWith('request '));
      expect(access.map((e) => [e.method, e.route, e.status, e.level, e.msg])).toEqual([
        ['GET', '/healthz', 200, 'info', 'request completed'],
        ['GET', 'unmatched', 404, 'info', 'request completed'],
        ['GET', '/boom', 500, 'error', 'request failed'],
      ]);
      expect(lines.join('\n')).not.toMatch(/cus_123|kaput|x=1/);
      for (const e of access) expect(e.audience).toBeUndefined();
    } finally {
      await close();
    }
  });

  it('access lines follow the log level', async () => {
    const lines = capture();
    const { base, close } = await serve();
    try {
      setLogLevel('warn');
      await fetch(`${base}/healthz`);
      await fetch(`${base}/boom`);
      // The /healthz response was finished before /boom was even sent: its line would be there by now.
      await settle(lines, 1);
      expect(parsed(lines).map((e) => [e.level, e.route])).toEqual([['error', '/boom']]);
    } finally {
      await close();
    }
  });
});
