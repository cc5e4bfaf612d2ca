/**
 * Transport: HTTPS (TLS 1.2 or later) when TLS_CERT and TLS_KEY are set, plain HTTP otherwise (for
 * a TLS-terminating proxy, see TRUST_PROXY), and HSTS on every response to a secure request.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { RequestListener } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { ConfigError, type Config } from '../../config';

export interface ServerWithScheme {
  server: http.Server;
  /** `https` when TLS_CERT and TLS_KEY are set, else `http`. */
  scheme: 'http' | 'https';
}

function readPem(variable: 'TLS_CERT' | 'TLS_KEY', path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    throw new ConfigError(variable, 'must name a readable PEM file', 'a file path', `a path that cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN ')) throw new ConfigError(variable, 'must name a PEM file', 'a file with -----BEGIN ...-----', 'a file of another form');
  return pem;
}

/**
 * The HTTP server: HTTPS (TLS 1.2 or later) when `config.tlsCert` and `config.tlsKey` are set,
 * plain HTTP otherwise (for a TLS-terminating proxy in front, see TRUST_PROXY).
 */
export function createHttpServer(config: Pick<Config, 'tlsCert' | 'tlsKey'>, app: RequestListener): ServerWithScheme {
  if (!config.tlsCert || !config.tlsKey) return { server: http.createServer(app), scheme: 'http' };
  const cert = readPem('TLS_CERT', config.tlsCert);
  const key = readPem('TLS_KEY', config.tlsKey);
  try {
    return { server: https.createServer({ cert, key, minVersion: 'TLSv1.2' }, app), scheme: 'https' };
  } catch (err) {
    throw new ConfigError('TLS_KEY', 'must be the private key of the TLS_CERT certificate', 'a matching PEM key and certificate', `a pair that does not load (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`);
  }
}

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
