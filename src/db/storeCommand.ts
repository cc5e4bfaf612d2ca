/*
 * `npm run store -- [--port 27017] [--host 127.0.0.1]`
 *
 * Runs the embedded store (src/db/embedded/) on its own, so several gateways (or test processes)
 * can share one through MONGODB_URI. FOR DEVELOPMENT AND TESTS ONLY: it is in memory, nothing is
 * durable, and it has no authentication. Prints the connection string on stdout once it listens
 * (the only line on stdout); everything else is log lines on stderr. Exits 0 on SIGTERM or SIGINT,
 * 2 on bad arguments, 1 when it cannot listen (e.g. the port is taken).
 */
import { parseArgs } from 'node:util';
import { logger } from '../logger';
import { EmbeddedMongoServer } from './embedded';

function fail(message: string, code = 2): never {
  process.stderr.write(`store: ${message}\n`);
  process.exit(code);
}

let values: { port?: string; host?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  process.stdout.write('usage: npm run store -- [--port 27017] [--host 127.0.0.1]   (loopback hosts only; --port 0 picks a free port)\n');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer from 0 to 65535, got "${values.port}"`);
const host = values.host!;
if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
  fail(`--host must be a loopback address (127.x.x.x, ::1 or localhost), got "${host}": the store has no authentication`);
}

async function main(): Promise<void> {
  let server: EmbeddedMongoServer;
  try {
    server = await EmbeddedMongoServer.start({ host, port });
  } catch (err) {
    fail(`cannot listen on ${host}:${port}: ${(err as Error).message}`, 1);
  }
  logger.warn(
    `store: EMBEDDED in-memory store listening at ${server.uri}. FOR DEVELOPMENT AND TESTS ONLY: ` +
      'nothing is durable (all data is lost when this process exits) and there is no authentication. ' +
      'Point gateways at it with MONGODB_URI; use a real MongoDB for anything else.',
    { backend: 'embedded', uri: server.uri },
  );
  process.stdout.write(server.uri + '\n');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`store: ${signal} received, stopping (in-memory data is discarded)`, { signal });
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('store: stop failed', { error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
