import 'reflect-metadata';
import { signToken } from './auth/tokens';
import { loadConfig } from './config';
import { PERSONAS } from './demo/personas';
import { logger } from './logger';
import { startGateway } from './server/startGateway';
import { startTracing } from './tracing';

async function main(): Promise<void> {
  const config = loadConfig();
  const stopTracing = startTracing(); // a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set
  const running = await startGateway(config);
  const { url } = running;
  if (config.jwtSecretGenerated) logger.warn('JWT_SECRET is not set: using the development secret in .data/jwt-secret (set JWT_SECRET in production)');
  const out: string[] = [
    '',
    `Gateway ready: ${url}/graphql  (customers: ${url}/self/graphql, partners: ${url}/partner/graphql)`,
    `GraphiQL: open ${url}/graphql in a browser`,
    `Health: ${url}/healthz  Readiness: ${url}/readyz`,
  ];
  if (running.seeded) out.push(`Demo data: ${running.seeded.customers} customers, ${running.seeded.tasks} tasks`);
  if (config.jwtSecretGenerated) out.push(`Development JWT_SECRET (generated once, kept in .data/jwt-secret; npm run token uses it): ${config.jwtSecret}`);
  if (!config.production) {
    out.push('', 'Demo tokens (paste after "Bearer "; valid 8 hours):');
    for (const p of PERSONAS) {
      const headers = p.endpoint === '/self/graphql' ? '(no X-Purpose: self-service is implicit)' : `X-Purpose: ${p.purpose}${p.task ? `  X-Task-Id: ${p.task}` : ''}`;
      out.push(`  ${p.name}: ${p.note}. POST ${p.endpoint}  ${headers}`);
      out.push(`    ${signToken(config.jwtSecret, p.claims, '8h', { issuer: config.jwtIssuer, audience: config.jwtAudience })}`);
    }
  }
  process.stdout.write(out.join('\n') + '\n');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: draining in-flight requests', { signal });
    running.stop().then(stopTracing).then(
      () => process.exit(0),
      (err: Error) => {
        logger.error('shutdown failed', { error: err.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: Error) => {
  logger.error('gateway failed to start', { error: err.message, name: err.name });
  process.exit(1);
});
