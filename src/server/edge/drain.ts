/**
 * Graceful drain: counts GraphQL handlers until they have finished their work (database reads and
 * the access-log write), not just until their socket closed. A client that goes away does not stop
 * its handler; without this, shutdown closed the connection under it (MongoClientClosedError) and
 * the request's access-log record could be lost.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export class HandlerDrain {
  private running = 0;

  /** Running handlers. */
  get size(): number {
    return this.running;
  }

  /** The handler, counted from its call until the promise it returns settles. */
  track(handler: RequestHandler): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      this.running += 1;
      let out: unknown;
      try {
        out = handler(req, res, next);
      } catch (err) {
        this.running -= 1;
        throw err;
      }
      void Promise.resolve(out).finally(() => {
        this.running -= 1;
      });
      return out as ReturnType<RequestHandler>;
    };
  }

  /** Resolves when no handler runs, or after `timeoutMs`, to the number still running. */
  async drained(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.running;
  }
}
