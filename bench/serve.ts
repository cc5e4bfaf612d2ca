/**
 * One benchmark server in its own process (started by bench/gateway.ts): `BENCH_VARIANT` is
 * `product` (the gateway, configured from the environment like `npm start`), a plain variant
 * (bench/plainServer.ts), or `store` (the embedded store, as `npm run store` runs it). Prints `READY <url>` on stdout once it listens; exits 0 on SIGTERM.
 * With `BENCH_PROFILE=<file>`, SIGUSR2 starts a CPU profile and the next SIGUSR2 writes it to the
 * file and prints `PROFILED <file>` (so the profile covers the load, not the start-up).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { generateSigningKey } from '../src/audit/tlog/signingKey';
import { loadConfig } from '../src/config';
import { EmbeddedMongoServer } from '../src/db/embedded';
import { startGateway } from '../src/server/startGateway';
import { startPlainServer, type PlainVariant } from './plainServer';

async function main(): Promise<void> {
  const variant = process.env.BENCH_VARIANT ?? '';
  let running: { url: string; stop(): Promise<void> };
  if (variant === 'store') {
    // The embedded store as `npm run store` runs it, with the profiling hook below.
    const store = await EmbeddedMongoServer.start({ host: '127.0.0.1', port: 0 });
    running = { url: store.uri, stop: () => store.stop() };
  } else if (variant === 'product') {
    // NODE_ENV=production requires the transparency log's key: bench/gateway.ts passes one; a key of its own otherwise.
    const env = { ...process.env, TLOG_SIGNING_KEY: process.env.TLOG_SIGNING_KEY || generateSigningKey('bench.localhost/tlog').signingKey };
    running = await startGateway(loadConfig(env));
  } else if (variant === 'plain' || variant === 'shield' || variant === 'log') {
    const env = process.env;
    running = await startPlainServer({
      variant: variant as PlainVariant, mongoUri: env.MONGODB_URI!, dbName: env.DB_NAME!, keyVaultDb: env.KEY_VAULT_DB!,
      masterKey: env.MASTER_KEY!, jwtSecret: env.JWT_SECRET!,
    });
  } else {
    throw new Error(`BENCH_VARIANT must be store, product, plain, shield or log, got "${variant}"`);
  }
  const profileFile = process.env.BENCH_PROFILE;
  if (profileFile) {
    const session = new Session();
    session.connect();
    let profiling = false;
    process.on('SIGUSR2', () => {
      const step = profiling
        ? session.post('Profiler.stop').then(({ profile }) => {
          writeFileSync(profileFile, JSON.stringify(profile));
          process.stdout.write(`PROFILED ${profileFile}\n`);
        })
        : session.post('Profiler.enable').then(() => session.post('Profiler.start'));
      profiling = !profiling;
      step.catch((err: Error) => process.stderr.write(`bench profile failed: ${err.message}\n`));
    });
  }
  process.stdout.write(`READY ${running.url}\n`);
  process.on('SIGTERM', () => {
    running.stop().then(() => process.exit(0), () => process.exit(1));
  });
}

main().catch((err: Error) => {
  process.stderr.write(`bench server failed: ${err.message}\n`);
  process.exit(1);
});
