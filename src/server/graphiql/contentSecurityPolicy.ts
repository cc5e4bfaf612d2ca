/**
 * The Content-Security-Policy of the GraphiQL page. Everything comes from the gateway itself:
 * scripts only from our own files (no inline script, no eval), requests only to our own origin.
 * GraphiQL sets inline styles and its stylesheet embeds fonts and icons as data: URLs, so those
 * two are the only relaxations.
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
