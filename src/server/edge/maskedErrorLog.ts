/**
 * A line at level error for every unexpected error masked as INTERNAL_SERVER_ERROR: the error's
 * class name and where it was thrown (the first stack frame inside the project: file and line),
 * never its message, which could quote data. Enough to find the bug without leaking.
 */
import { logger } from '../../logger';

/** `src/…/file.ts:line` of the first project frame of `stack`, or null. */
export function thrownAt(stack: string | undefined): string | null {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = /\((?:file:\/\/)?(?:.*?\/)?((?:src|bench)\/[\w/.-]+\.ts):(\d+):\d+\)$/.exec(line.trim()) ?? /at (?:file:\/\/)?(?:.*?\/)?((?:src|bench)\/[\w/.-]+\.ts):(\d+):\d+$/.exec(line.trim());
    if (m) return `${m[1]}:${m[2]}`;
  }
  return null;
}

/** The package and file of the first frame in node_modules, when no project frame is there. */
function packageFrame(stack: string | undefined): string | null {
  const m = /node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\/([\w/.-]+\.[cm]?js):(\d+)/.exec(stack ?? '');
  return m ? `${m[1]}/${m[2]}:${m[3]}` : null;
}

export function logMaskedError(error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  const stack = (error as Error)?.stack;
  const code = (error as { code?: unknown })?.code;
  logger.error('unexpected error masked as INTERNAL_SERVER_ERROR', {
    name, at: thrownAt(stack) ?? packageFrame(stack), errno: typeof code === 'string' && /^E[A-Z0-9_]{2,30}$/.test(code) ? code : undefined,
  });
}
