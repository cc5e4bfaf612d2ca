import type { NextFunction, Request, Response } from 'express';

/** HSTS max-age: one year, in seconds. */
export const HSTS_MAX_AGE = 31_536_000;

/**
 * Strict-Transport-Security on every response to a secure request (HTTPS on the socket, or
 * X-Forwarded-Proto: https from a trusted proxy). Browsers ignore it over plain HTTP, so it is only
 * sent where it counts.
 */
export function hsts(maxAgeSeconds = HSTS_MAX_AGE) {
  const value = `max-age=${maxAgeSeconds}; includeSubDomains`;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.secure) res.setHeader('Strict-Transport-Security', value);
    next();
  };
}
