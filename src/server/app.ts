import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import { logger } from '../logger';
import type { AppServices } from './appServices';
import { buildContext, type GateCheck } from './buildContext';
import { graphiqlRouter } from './graphiql';
import { InFlight } from './inflight';
import { auditFlushPlugin } from './plugins/auditFlush';
import { depthLimit } from './plugins/depthLimit';
import { maskErrors } from './plugins/maskErrors';
import type { Audience, RequestContext } from './requestContext';
import { audienceMounts } from './audiences';
import { createHttpServer, hsts, secureTransportPlugin } from './transport';

export interface GatewayOptions {
  /**
   * Field guard and access log. Default true. Only the benchmark's baseline turns this off, to
   * measure what they cost; never serve customer data with it off.
   */
  guarded?: boolean;
  /** Extra Apollo plugins (tests use one to fail the store mid-request). Default none. */
  plugins?: ApolloServerPlugin<RequestContext>[];
}

/** What a mount that chooses its schema per request gets from the gateway. */
export interface MountKit {
  /** A started ApolloServer for `schema` with the gateway's plugins, limits and error masking; stopped with the gateway. */
  startApollo(schema: GraphQLSchema): Promise<ApolloServer<RequestContext>>;
  /** Serves a request with that server; the context is built per request for the mount's audience (gate: default the mount's). */
  serve(apollo: ApolloServer<RequestContext>, gate?: GateCheck): RequestHandler;
}

/** One GraphQL endpoint for one audience. */
export interface AudienceMount {
  audience: Audience;
  path: string;
  /** The one schema of the endpoint (unless `route` picks one per request). */
  schema?: GraphQLSchema;
  /** Instead of one schema: picks the ApolloServer per request (partners: one schema per agreement). */
  route?: (kit: MountKit) => RequestHandler;
  /** Called when the gateway stops (e.g. to stop watching files). */
  close?: () => void | Promise<void>;
  /** Extra admission check for this audience (e.g. an active partner agreement). */
  gate?: GateCheck;
  /** Initial X-Purpose in GraphiQL's headers editor. */
  graphiqlPurpose?: string;
}

export interface Gateway {
  app: Express;
  httpServer: http.Server;
  /** Listens and resolves to the base URL (http://host:port, or https:// with TLS_CERT and TLS_KEY). */
  listen(port: number, host: string): Promise<string>;
  /** Stops taking requests, waits for those in flight (and their access-log writes), then closes. */
  stop(): Promise<void>;
}

function headersOf(req: Request) {
  const h = req.headers;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return {
    authorization: one(h.authorization),
    'x-purpose': one(h['x-purpose']),
    'x-task-id': one(h['x-task-id']),
  };
}

async function readiness(services: AppServices): Promise<boolean> {
  if (!services.policies) return false;
  const db = services.conn.db;
  if (!db || services.conn.readyState !== 1) return false;
  const ping = db.command({ ping: 1 }).then(() => true, () => false);
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref());
  return Promise.race([ping, timeout]);
}

/** Builds the HTTP gateway: health routes, and one GraphQL endpoint (with GraphiQL) per audience. */
export async function createGateway(services: AppServices, mounts: AudienceMount[] | null = null, opts: GatewayOptions = {}): Promise<Gateway> {
  const guarded = opts.guarded !== false;
  const app = express();
  app.disable('x-powered-by');
  const { server: httpServer, scheme } = createHttpServer(services.config, app);
  // Only these proxies' X-Forwarded-Proto makes req.secure true (default: none).
  if (services.config.trustProxy.length > 0) app.set('trust proxy', services.config.trustProxy);
  const inflight = new InFlight();
  const apollos: ApolloServer<RequestContext>[] = [];
  const audiences = mounts ?? audienceMounts(services, guarded);

  app.use(hsts());
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = await readiness(services);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready' });
  });

  const startApollo = async (schema: GraphQLSchema): Promise<ApolloServer<RequestContext>> => {
    // GraphiQL is served from local files by graphiqlRouter; Apollo's own landing page loads from a CDN.
    const plugins: ApolloServerPlugin<RequestContext>[] = [ApolloServerPluginLandingPageDisabled(), ...(opts.plugins ?? [])];
    plugins.push(secureTransportPlugin({ enforce: services.config.production }));
    if (guarded) plugins.push(auditFlushPlugin({ timeoutMs: services.config.auditTimeoutMs, durable: true }));
    const apollo = new ApolloServer<RequestContext>({
      schema,
      plugins,
      validationRules: [depthLimit(services.config.maxDepth)],
      formatError: maskErrors(services.config.production),
      includeStacktraceInErrorResponses: false,
      introspection: true,
      hideSchemaDetailsFromClientErrors: true,
      // main.ts owns SIGTERM: drain HTTP, flush the access log, then stop Apollo, the connection and the store.
      stopOnTerminationSignals: false,
    });
    await apollo.start();
    apollos.push(apollo);
    return apollo;
  };

  for (const mount of audiences) {
    const kit: MountKit = {
      startApollo,
      serve: (apollo, gate = mount.gate) =>
        expressMiddleware(apollo, { context: async ({ req }) => buildContext(services, mount.audience, headersOf(req), gate, { secure: req.secure }) }),
    };
    const handler = mount.route ? mount.route(kit) : kit.serve(await startApollo(mount.schema!));
    app.use(
      mount.path,
      graphiqlRouter({
        endpoint: mount.path,
        defaultHeaders: JSON.stringify(
          mount.audience === 'self'
            ? { Authorization: 'Bearer <paste a customer token from npm start>' }
            : { Authorization: 'Bearer <paste a token from npm start>', 'X-Purpose': mount.graphiqlPurpose ?? '', 'X-Task-Id': '' },
          null,
          2,
        ),
      }),
      inflight.middleware,
      express.json({ limit: '1mb' }),
      handler,
    );
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  return {
    app,
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const { port: actual } = httpServer.address() as AddressInfo;
          resolve(`${scheme}://${host}:${actual}`);
        });
      }),
    stop: async () => {
      const closed = new Promise<void>((r) => httpServer.close(() => r()));
      httpServer.closeIdleConnections();
      const left = await inflight.drained(10_000);
      if (left > 0) logger.warn('shutdown: requests still running after 10 s were cut', { count: left });
      httpServer.closeAllConnections();
      await closed;
      for (const m of audiences) await m.close?.();
      for (const a of apollos) await a.stop();
    },
  };
}
