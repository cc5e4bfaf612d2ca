/**
 * The per-request deadline of a GraphQL request: if no answer has left after REQUEST_DEADLINE_MS
 * (default 15 000 ms), the client gets 503 DATABASE_UNAVAILABLE at once, with no data, instead of
 * waiting for an outage to end (a database that hangs, a connection the driver has not yet given
 * up on). The handler still finishes in the background (its access-log record is written when
 * it can be), but nothing it writes reaches the client any more.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigError } from '../../config';
import { ErrorCode } from '../../core/errors';
import { logger } from '../../logger';
import { noteRequestCode } from '../observation';

/** REQUEST_DEADLINE_MS: 1000 to 300 000 ms; default 15 000. Throws ConfigError otherwise. */
export function requestDeadlineFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.REQUEST_DEADLINE_MS;
  if (raw === undefined || raw.trim() === '') return 15_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1000 || n > 300_000) throw new ConfigError('REQUEST_DEADLINE_MS', 'must be an integer number of milliseconds in range', '1000..300000', JSON.stringify(raw.slice(0, 20)));
  return n;
}

/** Whatever the handler writes after the deadline answer is dropped. */
function silence(res: Response): void {
  const self = function (this: Response) {
    return this;
  };
  const r = res as unknown as Record<string, unknown>;
  for (const m of ['setHeader', 'writeHead', 'status', 'set', 'header', 'end', 'send', 'json', 'type']) r[m] = self;
  r.write = () => true;
}

export function requestDeadline(ms: number): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (res.headersSent || res.writableEnded) return;
      noteRequestCode(ErrorCode.DATABASE_UNAVAILABLE);
      logger.warn('request deadline passed: answered 503 DATABASE_UNAVAILABLE', { deadlineMs: ms });
      res.status(503).json({ errors: [{ message: `No answer within ${ms} ms: the database is unavailable or too slow. Try again shortly.`, extensions: { code: ErrorCode.DATABASE_UNAVAILABLE } }] });
      silence(res);
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}
