/**
 * Bodies that are not a GraphQL request, answered as GraphQL-shaped JSON (`BAD_REQUEST`, HTTP 400;
 * 413 over MAX_BODY_BYTES) in every mode, with nothing of the body echoed or logged; and the last
 * error handler of the app, so that no error reaches Express's default handler (which writes the
 * error, raw body included, to stderr) or console.error.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ErrorCode, SafeError } from '../../core/errors';
import { logger } from '../../logger';

/** Answers a refused body; the message states the rule, never the content. */
export function refuseBody(res: Response, status: number, message: string): void {
  res.status(status).json({ errors: [new SafeError(ErrorCode.BAD_REQUEST, message).toJSON()] });
}

/** After express.json: a POST must carry one operation as a JSON object. */
export function requireGraphQLBody(): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const body: unknown = req.body;
    if (body === undefined) return refuseBody(res, 400, 'The body must be a JSON GraphQL request, sent with "Content-Type: application/json"');
    if (Array.isArray(body)) return refuseBody(res, 400, 'Batched operations are not supported: send one operation per request');
    if (typeof body !== 'object' || body === null) return refuseBody(res, 400, 'The body must be a JSON object with a "query" string');
    next();
  };
}

/** body-parser's error types, by the answer they get. */
const BODY_ERRORS: Record<string, (max: number) => [number, string]> = {
  'entity.too.large': (max) => [413, `The body is larger than the limit of ${max} bytes`],
  'entity.parse.failed': () => [400, 'The body is not valid JSON (a GraphQL request is a JSON object with a "query" string)'],
  'encoding.unsupported': () => [400, 'The body\'s Content-Encoding is not supported (send identity, gzip or deflate)'],
  'charset.unsupported': () => [400, 'The body\'s charset is not supported (send UTF-8 JSON)'],
  'request.aborted': () => [400, 'The request was aborted before its body was read'],
  'request.size.invalid': () => [400, 'The body does not match its Content-Length'],
  'stream.encoding.set': () => [400, 'The body could not be read'],
};

/**
 * The app's last error handler: body errors get their BAD_REQUEST answer; anything else an opaque
 * INTERNAL_SERVER_ERROR. Only the error's kind is logged (a parse error's message quotes the body).
 */
export function lastErrorHandler(maxBodyBytes: number): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const type = typeof err?.type === 'string' ? (err.type as string) : null;
    const known = type ? BODY_ERRORS[type] : undefined;
    if (res.headersSent) {
      logger.warn('request failed after its response started', { name: err?.name ?? 'Error', type });
      res.end();
      return;
    }
    if (known) {
      const [status, message] = known(maxBodyBytes);
      logger.info('request body refused', { type, status });
      return refuseBody(res, status, message);
    }
    logger.error('request failed outside GraphQL', { name: err?.name ?? 'Error', type });
    res.status(500).json({ errors: [new SafeError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error').toJSON()] });
  };
}
