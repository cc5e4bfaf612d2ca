/**
 * The Content-Security-Policy of GET /privacy/report: scripts only from the gateway's own files
 * (no inline script, no eval), requests only to its own origin. ECharts sets inline styles on the
 * elements it draws, so styles may be inline; nothing else is relaxed.
 */
export const REPORT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
