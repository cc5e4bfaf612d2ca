/**
 * The HTTP edge: health and readiness, and one GraphQL endpoint (with GraphiQL) per audience. The
 * bearer token is verified once per request, here; an audience that picks its schema per principal
 * (partners) is admitted before any schema is involved, so nothing of any schema leaks to a refused
 * caller, and the refusal is recorded through the same recorder as every other denial.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { randomUUID } from 'node:crypto';
import { AccessRecorder } from '../audit';
import type { AudienceRules } from '../core/capability';
import type { AppServices, Audience, RequestContext } from '../core/context';
import { ErrorCode, isSafeError, type SafeError } from '../core/errors';
import type { KeyStore } from '../crypto';
import { logger } from '../logger';
import { authenticate, buildContext, logWriterOf, SELF_SERVICE, type Authentication, type ContextKit } from './context';
import { databaseErrorHandler, rethrowContextError } from './edge/databaseErrors';
import { HandlerDrain } from './edge/drain';
import { noteRefusal, observeEdge, observeMount, recordRateLimited } from './observe';
import { graphiqlRouter } from './graphiql';
import { lastErrorHandler, requireGraphQLBody } from './edge/bodyErrors';
import { exampleDirs, loadExamples } from './graphiql/examples';
import { personaTabs, starterQuery } from './graphiql/starters';
import { auditFlushPlugin } from './plugins/auditFlush';
import { httpStatusPlugin, statusOf } from './plugins/httpStatus';
import { maskErrors } from './plugins/maskErrors';
import { limitRules } from './plugins/operationLimits';
import { supportedOperationTypes } from './plugins/operationTypes';
import { preflightPlugin } from './plugins/preflight';
import { RateLimits, rowsCountPlugin } from './edge/rateLimit';
import { secureTransportPlugin } from './plugins/secureTransport';
import { buildAudienceSchema, guardSpecsOf } from './schemas';
import { createHttpServer, hsts } from './edge/transport';

export interface GatewayOptions {
  /** Extra Apollo plugins (tests use one to fail the store mid-request). Default none. */
  plugins?: ApolloServerPlugin<RequestContext>[];
}

export interface Gateway {
  app: Express;
  httpServer: http.Server;
  /** The composed schemas the endpoints serve (staff, self). */
  schemas: Record<'staff' | 'self', GraphQLSchema>;
  /** Listens and resolves to the base URL (http://host:port, or https:// with TLS_CERT and TLS_KEY). */
  listen(port: number, host: string): Promise<string>;
  /** Stops taking requests, waits for those in flight (and their access-log writes), then closes. */
  stop(): Promise<void>;
}

/** The endpoints, one per audience. */
const MOUNTS: ReadonlyArray<{ audience: Audience; path: string }> = [
  { audience: 'staff', path: '/graphql' },
  { audience: 'partner', path: '/partner/graphql' },
  { audience: 'self', path: '/self/graphql' },
];

/** Where GraphiQL's example operations are read from (the operations the tests run). */
const OPERATIONS_DIR = 'test/operations';
const GRAPHIQL_PURPOSE: Record<Audience, string> = { staff: 'customer-support', partner: 'order-fulfilment', self: '' };

/** Counts requests in flight so shutdown can wait for them (and their access-log writes). */
class InFlight {
  private count = 0;

  middleware = (_req: Request, res: Response, next: NextFunction): void => {
    this.count += 1;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        this.count -= 1;
      }
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };

  async drained(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.count;
  }
}

function headerOf(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readiness(services: AppServices): Promise<boolean> {
  if (!services.policies) return false;
  const db = services.conn.db;
  if (!db || services.conn.readyState !== 1) return false;
  const ping = db.command({ ping: 1 }).then(() => true, () => false);
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref());
  return Promise.race([ping, timeout]);
}

/** The capabilities' readiness detail (e.g. the transparency log's latest checkpoint); informative only. */
async function readyDetail(services: AppServices): Promise<Record<string, unknown>> {
  const parts = await Promise.all(
    services.capabilities.filter((c) => c.ready).map((c) => {
      const timeout = new Promise<Record<string, unknown>>((r) => setTimeout(() => r({ [c.name]: { error: 'timed out' } }), 1000).unref());
      const detail = c.ready!(services).catch(() => ({ [c.name]: { error: 'unavailable' } }));
      return Promise.race([detail, timeout]);
    }),
  );
  return Object.assign({}, ...parts);
}

/** The rules of every audience, merged from the manifests. */
function audienceRules(services: AppServices): Map<Audience, AudienceRules> {
  const out = new Map<Audience, AudienceRules>();
  for (const cap of services.capabilities) for (const r of cap.audiences ?? []) out.set(r.audience, { ...out.get(r.audience), ...r });
  return out;
}

/** Builds the HTTP gateway on started services. */
export async function createGateway(services: AppServices, keyStore: KeyStore, opts: GatewayOptions = {}): Promise<Gateway> {
  const app = express();
  app.disable('x-powered-by');
  observeEdge(app, services.policies.purposes.keys()); // request ids, access lines, GET /metrics
  const { server: httpServer, scheme } = createHttpServer(services.config, app);
  // Only these proxies' X-Forwarded-Proto makes req.secure true (default: none).
  if (services.config.trustProxy.length > 0) app.set('trust proxy', services.config.trustProxy);
  const inflight = new InFlight();
  const handlers = new HandlerDrain(); // until their database work is done, not just their socket
  const apollos: ApolloServer<RequestContext>[] = [];
  const specs = guardSpecsOf(services.capabilities, services.policies);
  const schemas = {
    staff: buildAudienceSchema(services.capabilities, 'staff', specs),
    self: buildAudienceSchema(services.capabilities, 'self', specs),
  };
  const kit: ContextKit = { services, keyStore, specs, writer: logWriterOf(services) };
  const rulesOf = audienceRules(services);
  const { limits } = services.config;
  const rateLimits = services.config.rateLimits ? new RateLimits(services.conn, services.policies, services.config) : null;

  app.use(hsts());
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Answers carry personal data: no shared or browser cache may keep them.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const [ok, detail] = await Promise.all([readiness(services), readyDetail(services)]);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', detail });
  });
  for (const cap of services.capabilities) if (cap.routes) app.use(cap.routes(services));

  const startApollo = async (schema: GraphQLSchema): Promise<ApolloServer<RequestContext>> => {
    const apollo = new ApolloServer<RequestContext>({
      schema,
      // GraphiQL is served from local files by graphiqlRouter; Apollo's own landing page loads from a CDN.
      // Cache hints are never used (answers are personal, see no-store above): no hook on every field.
      plugins: [
        ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ...(opts.plugins ?? []), preflightPlugin(limits), secureTransportPlugin({ enforce: services.config.production }),
        auditFlushPlugin(), httpStatusPlugin(), ...(rateLimits ? [rowsCountPlugin(rateLimits)] : []),
      ],
      validationRules: [...limitRules(limits), supportedOperationTypes],
      parseOptions: { maxTokens: limits.maxTokens },
      formatError: maskErrors(services.config.production, schema),
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

  /** A refusal before any schema is chosen: recorded like every denial, answered with an error and no data. */
  const refuse = async (res: Response, audience: Audience, auth: Authentication, err: SafeError, req: Request): Promise<void> => {
    const purpose = headerOf(req, 'x-purpose');
    const log = new AccessRecorder({
      requestId: randomUUID(), principal: auth.principal, purpose: purpose && /^[a-z0-9][a-z0-9-]{0,63}$/.test(purpose) ? purpose : null,
      taskId: null, operationName: null, audience,
    }, kit.writer);
    log.operationDenied(err.code, err.message);
    // A rate-limited request is not recorded: it reads nothing, and recording it would let a burst grow the log.
    if (err.code === ErrorCode.RATE_LIMITED) recordRateLimited(log.scope.purpose);
    else noteRefusal(err.code, log.scope.purpose);
    if (err.code !== ErrorCode.RATE_LIMITED) {
      try {
        await log.flush();
      } catch (e) {
        logger.error('access log write failed for a refused request', { error: (e as Error).message });
      }
    }
    const retryAfter = err.extensions.retryAfter;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(statusOf([err]) ?? 200).json({ errors: [err.toJSON()] });
  };

  /** Rate limits at the edge (before any parsing): per address without a valid token, else per principal and purpose. */
  const withinRate = async (req: Request, res: Response, audience: Audience, auth: Authentication): Promise<boolean> => {
    if (!rateLimits) return true; // GraphiQL's page and assets are served before this; every request here is an operation
    try {
      if (!auth.principal) await rateLimits.anonymous(req.ip ?? req.socket.remoteAddress ?? 'unknown');
      else await rateLimits.request(auth.principal, audience === 'self' ? SELF_SERVICE : (headerOf(req, 'x-purpose') ?? '').trim().toLowerCase());
      return true;
    } catch (err) {
      if (!isSafeError(err)) throw err;
      await refuse(res, audience, auth, err, req);
      return false;
    }
  };

  for (const { audience, path } of MOUNTS) {
    const rules = rulesOf.get(audience) ?? { audience };
    const schema = schemas[(rules.base ?? audience) as 'staff' | 'self'];
    const serve = (apollo: ApolloServer<RequestContext>): RequestHandler =>
      expressMiddleware(apollo, {
        context: async ({ req, res }) =>
          buildContext(kit, {
            audience, headers: req.headers as Record<string, string>, auth: res.locals.auth as Authentication,
            admit: rules.schemaFor ? undefined : rules.admit, secure: req.secure, requestId: res.locals.requestId as string | undefined,
          }).catch(rethrowContextError),
      });
    let handler: RequestHandler;
    if (!rules.schemaFor) {
      const served = serve(await startApollo(schema));
      handler = async (req, res, next) => {
        const auth = authenticate(services, audience, headerOf(req, 'authorization'));
        if (!(await withinRate(req, res, audience, auth))) return;
        res.locals.auth = auth;
        return served(req, res, next);
      };
    } else {
      const byKey = new Map<string, Promise<RequestHandler>>();
      handler = async (req, res, next) => {
        const auth = authenticate(services, audience, headerOf(req, 'authorization'));
        if (!(await withinRate(req, res, audience, auth))) return;
        if (!auth.principal) return refuse(res, audience, auth, auth.error, req);
        let chosen: { key: string; build: () => GraphQLSchema };
        try {
          await rules.admit?.(auth.principal, services);
          chosen = rules.schemaFor!(auth.principal, schema, services);
        } catch (err) {
          if (isSafeError(err)) return refuse(res, audience, auth, err, req);
          return next(err);
        }
        let served = byKey.get(chosen.key);
        if (!served) {
          served = startApollo(chosen.build()).then(serve);
          served.catch(() => byKey.delete(chosen.key));
          byKey.set(chosen.key, served);
        }
        res.locals.auth = auth;
        try {
          return (await served)(req, res, next);
        } catch (err) {
          return next(err);
        }
      };
    }
    const purpose = rules.graphiqlPurpose ?? GRAPHIQL_PURPOSE[audience];
    const examples = loadExamples(OPERATIONS_DIR, exampleDirs(OPERATIONS_DIR, audience));
    app.use(
      path,
      graphiqlRouter({
        endpoint: path,
        defaultHeaders: JSON.stringify(
          audience === 'self'
            ? { Authorization: 'Bearer <paste a customer token from npm start>' }
            : { Authorization: 'Bearer <paste a token from npm start>', 'X-Purpose': purpose, 'X-Task-Id': '' },
          null,
          2,
        ),
     
        defaultQuery: starterQuery(audience),
        examples,
        implicitPurpose: audience === 'self',
        // Development: a tab per demo persona, headers filled (the demo tokens are printed by npm start anyway).
        tabs: services.config.production ? [] : personaTabs(path, services.policies, services.config.jwtSecret, examples),
      }),
      inflight.middleware,
      ...observeMount(audience),
      express.json({ limit: limits.maxBodyBytes }),
      requireGraphQLBody(),
      handlers.track(handler),
    );
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(databaseErrorHandler);
  // Last: no error reaches Express's default handler (which writes it, body included, to stderr).
  app.use(lastErrorHandler(limits.maxBodyBytes));

  return {
    app,
    httpServer,
    schemas,
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
      const running = await handlers.drained(10_000);
      if (running > 0) logger.warn('shutdown: handlers still running after 10 s; the database connection closes under them', { count: running });
      for (const a of apollos) await a.stop();
    },
  };
}
