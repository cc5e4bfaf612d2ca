import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

/** The real entry point (what `npm start` runs), as a child process. */
function startMain() {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: '0',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    MASTER_KEY: randomBytes(32).toString('base64'),
    SEED_DEMO: '0',
    MONGODB_URI: '',
  };
  // node itself runs main.ts (through tsx's loader), so the signal reaches the gateway process directly.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /Gateway ready: (http:\/\/[^/]+)\/graphql/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited, logs: () => err };
}

describe('process signals', () => {
  it('SIGTERM drains and exits 0 (Apollo does not hijack the signal)', async () => {
    const main = startMain();
    try {
      const url = await main.ready;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      main.child.kill('SIGTERM');
      expect(await main.exited).toBe(0);
      expect(main.logs()).toMatch(/shutting down: draining in-flight requests/);
    } finally {
      if (main.child.exitCode === null) main.child.kill('SIGKILL');
    }
  }, 60_000);
});
