/**
 * The processes of a self-contained `npm run load`: the store as its own process (`npm run store`,
 * development only) and gateways as `npm start` runs them, all on loopback; CPU time from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child {
  proc: ChildProcess;
  url: string;
}

/** `node --import tsx <script>`; resolves with the first match of `ready` on stdout. */
export function startChild(script: string, argv: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 120_000): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve({ proc, url: m[1]! });
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready`));
    });
  });
}

export function stopChild(child: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill(signal);
  });
}

/** The store as its own process; resolves with its connection string. */
export function startStore(): Promise<Child> {
  return startChild('src/db/storeCommand.ts', ['--port', '0'], { LOG_LEVEL: 'warn' }, /^(mongodb:\/\/\S+)$/m);
}

/** A gateway process over `env` (MONGODB_URI, JWT_SECRET, MASTER_KEY, ...), on a free loopback port. */
export function startGatewayProcess(env: NodeJS.ProcessEnv): Promise<Child> {
  return startChild('src/main.ts', [], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, /Gateway ready: (http:\/\/\S+)\/graphql/);
}

const CLK_TCK = 100;

/** User + system CPU time of a process so far, in ms (null when /proc cannot tell). */
export function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}
