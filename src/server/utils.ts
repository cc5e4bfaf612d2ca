/** Small helpers of the HTTP edge. */

/** The result code of a response from its HTTP status, when nothing more precise was noted. */
export function codeOfStatus(status: number, finished = true): string {
  if (!finished) return 'ABORTED';
  if (status < 400) return 'OK';
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'DATABASE_UNAVAILABLE';
  return 'INTERNAL_SERVER_ERROR';
}
