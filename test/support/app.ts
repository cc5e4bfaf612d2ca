/**
 * The gateway on a real database for integration tests: a fresh embedded store (or MONGODB_URI),
 * the real policies, a random master key, the demo data, and a token for every persona.
 */
import { randomBytes } from 'node:crypto';
import { signToken } from '../../src/auth/tokens';
import { generateSigningKey } from '../../src/audit/tlog/signingKey';
import { loadConfig, type Config } from '../../src/config';
import { FieldCipher, isEncryptedValue, LocalKeyProvider } from '../../src/crypto';
import { ENCRYPTED } from '../../src/customers';
import { PERSONAS } from '../../src/demo/personas';
import { customerModel, type CustomerDoc, type CustomerModel } from '../../src/customers/model';
import type { AppServices, Audience, Principal, RequestContext } from '../../src/core/context';
import { authenticate, buildContext, logWriterOf, type RequestHeaders } from '../../src/server/context';
import { guardSpecsOf } from '../../src/server/schemas';
import { startGateway, type RunningGateway, type StartOptions } from '../../src/server/startGateway';
import { taskModel, type TaskModel } from '../../src/tasks';
import { startTestDatabase, type TestDatabase } from './database';

export interface TestApp {
  url: string;
  /** Persona name → bearer token (alice, bob, mia, dan, carla, sam, pat, vera, shipfast, customer). */
  tokens: Record<string, string>;
  config: Config;
  running: RunningGateway;
  db: TestDatabase;
  /** The models tests read directly (writes to customer data need systemWrite, like any system work). */
  models: { customers: CustomerModel; tasks: TaskModel };
  /** Signs any token with the app's secret. */
  sign: typeof signToken extends (s: string, ...rest: infer R) => string ? (...rest: R) => string : never;
  stop(): Promise<void>;
}

export interface TestAppOptions extends StartOptions {
  /** Extra environment (e.g. NODE_ENV=production). */
  env?: Record<string, string>;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = await startTestDatabase();
  const jwtSecret = randomBytes(32).toString('base64url');
  const config = loadConfig({
    JWT_SECRET: jwtSecret,
    MONGODB_URI: db.uri,
    KEY_VAULT_URI: db.uri,
    DB_NAME: db.dbName,
    PORT: '0',
    SEED_DEMO: '1',
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUDIT_TIMEOUT_MS: '3000',
    TLOG_SIGNING_KEY: generateSigningKey('test.localhost/tlog').signingKey,
    // Sequencing the seed's thousands of records costs seconds of CPU per gateway: only the tests that need it turn it on.
    TLOG_SEQUENCER: '0',
    PSEUDONYM_KEY: randomBytes(32).toString('base64url'),
    ...opts.env,
  });
  const running = await startGateway(config, { keyProvider: new LocalKeyProvider(randomBytes(32)), ...opts });
  // Valid by default: signed with the issuer and audience the app checks, when it checks them.
  const issued = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  const tokens = Object.fromEntries(PERSONAS.map((p) => [p.name, signToken(jwtSecret, p.claims, '8h', issued)]));
  return {
    url: running.url,
    tokens,
    config,
    running,
    db,
    models: { customers: customerModel(running.services.conn), tasks: taskModel(running.services.conn) },
    sign: (claims, expiresIn, rules = issued) => signToken(jwtSecret, claims, expiresIn, rules),
    stop: async () => {
      await running.stop().catch(() => undefined);
      await db.stop().catch(() => undefined);
    },
  };
}

/**
 * A request context built exactly as the server builds one (token verified, admission, purpose, task,
 * ability, recorder, guard), for tests that execute operations without HTTP. `services` may override
 * the running services (e.g. other policies).
 */
export async function contextFor(
  app: TestApp, audience: Audience, headers: RequestHeaders,
  opts: { services?: AppServices; admit?: (p: Principal, s: AppServices) => void | Promise<void> } = {},
): Promise<RequestContext> {
  const services = opts.services ?? app.running.services;
  const kit = { services, keyStore: app.running.keyStore, specs: guardSpecsOf(services.capabilities, services.policies), writer: logWriterOf(services) };
  return buildContext(kit, { audience, headers, auth: authenticate(services, audience, headers.authorization), admit: opts.admit });
}

/**
 * A stored customer with its encrypted attributes decrypted (with the app's key store), as tests that
 * compare stored values need; null when the document does not exist. Blind indexes are left out.
 */
export async function plainCustomer(app: TestApp, id: string): Promise<(CustomerDoc & Record<string, unknown>) | null> {
  const doc = await app.models.customers.findById(id).lean<CustomerDoc & Record<string, unknown>>().exec();
  if (!doc) return null;
  const cipher = new FieldCipher(app.running.keyStore);
  const out: Record<string, unknown> = structuredClone(doc);
  delete out.idx;
  const at = (root: Record<string, unknown>, parts: string[]) =>
    parts.reduce<Record<string, unknown> | undefined>((v, k) => (v?.[k] as Record<string, unknown> | undefined) ?? undefined, root);
  for (const [path, encoding] of Object.entries(ENCRYPTED)) {
    const parts = path.split('.');
    const key = parts.at(-1)!;
    const stored = at(doc, parts.slice(0, -1))?.[key]; // read from the lean document: its BSON Binary values intact
    const parent = at(out, parts.slice(0, -1));
    if (parent && stored != null && isEncryptedValue(stored)) {
      parent[key] = encoding === 'json' ? await cipher.decryptJson(id, path, stored) : await cipher.decrypt(id, path, stored);
    }
  }
  return out as CustomerDoc & Record<string, unknown>;
}
