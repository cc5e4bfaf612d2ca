import type { NextFunction, Request, Response } from 'express';

/** Counts requests in flight so shutdown can wait for them (and their access-log writes) to finish. */
export class InFlight {
  private count = 0;

  middleware = (_req: Request, res: Response, next: NextFunction): void => {
    this.count += 1;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        this.count -= 1;
      }
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };

  get size(): number {
    return this.count;
  }

  /** Resolves when no request is in flight, or after `timeoutMs`. Returns how many were still running. */
  async drained(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.count;
  }
}
