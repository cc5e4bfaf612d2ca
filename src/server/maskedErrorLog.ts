/**
 * A line at level error for every unexpected error masked as INTERNAL_SERVER_ERROR: the error's
 * class name and where it was thrown (the first stack frame inside the project: file and line),
 * never its message, which could quote data. Enough to find the bug without leaking.
 */
import { logger } from '../logger';

/** `src/…/file.ts:line` of the first project frame of `stack`, or null. */
export function thrownAt(stack: string | undefined): string | null {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = /\((?:file:\/\/)?(?:.*?\/)?((?:src|bench)\/[\w/.-]+\.ts):(\d+):\d+\)$/.exec(line.trim()) ?? /at (?:file:\/\/)?(?:.*?\/)?((?:src|bench)\/[\w/.-]+\.ts):(\d+):\d+$/.exec(line.trim());
    if (m) return `${m[1]}:${m[2]}`;
  }
  return null;
}

export function logMaskedError(error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  logger.error('unexpected error masked as INTERNAL_SERVER_ERROR', { name, at: thrownAt((error as Error)?.stack) });
}
