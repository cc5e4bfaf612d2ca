import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isIP } from 'node:net';
import { Cron } from 'croner';

/** Every environment variable the gateway reads, parsed and validated in one place. */
export interface Config {
  /** `NODE_ENV=production`: masks unexpected errors, requires JWT_SECRET and MASTER_KEY. Default: development. */
  production: boolean;
  /** HTTP port. Default 4000. */
  port: number;
  /** Interface to bind. Default 127.0.0.1. */
  host: string;
  /** MongoDB connection string; unset means the embedded default. */
  mongodbUri?: string;
  /** Database name used on the server. Default `crm`. */
  dbName: string;
  /**
   * The key vault (KEY_VAULT_URI): where the data keys live, apart from the data, so that no backup
   * of the data holds the keys that open it. Required in production. Default: the database
   * `<DB_NAME>-keys` on the MONGODB_URI deployment (or on the embedded store).
   */
  keyVaultUri?: string;
  /** The key vault's database name (KEY_VAULT_DB). Default `<DB_NAME>-keys`. */
  keyVaultDb: string;
  /** HS256 key for bearer tokens. Required in production; generated in development. */
  jwtSecret: string;
  /** True when the JWT secret was generated in development (kept in `.data/jwt-secret`, mode 0600, so `npm run token` can sign). */
  jwtSecretGenerated: boolean;
  /** Seed the demo data set. Default: true on the embedded database, false otherwise. */
  seedDemo: boolean;
  /** Directory of the policy files. Default `policies`. */
  policiesDir: string;
  /** Maximum GraphQL query depth (MAX_DEPTH). Default 10. */
  maxDepth: number;
  /** Operation limits, checked before any resolver runs (see docs/security.md, Hardening). */
  limits: OperationLimits;
  /** JWT_MAX_TTL: the longest lifetime (exp − iat) a token may have, in seconds. Default 12 h (43200). */
  jwtMaxTtlSeconds: number;
  /** JWT_ISSUER: when set, every token's `iss` must equal it, and `npm run token` signs it. Default unset. */
  jwtIssuer?: string;
  /** JWT_AUDIENCE: when set, every token's `aud` must include it, and `npm run token` signs it. Default unset. */
  jwtAudience?: string;
  /**
   * RATE_LIMITS: `on` (default) applies the per-purpose limits of policies/purposes.yaml and the
   * per-address limit of unauthenticated requests; `off` disables them (benchmarks only).
   */
  rateLimits: boolean;
  /** RATE_LIMIT_ANONYMOUS: requests per minute per client address without a valid token. Default 300. */
  rateLimitAnonymousPerMinute: number;
  /** Startup warnings (e.g. a MONGODB_URI with neither TLS nor credentials); logged once at start. */
  warnings: string[];
  /** Master key for the local key provider (base64 of 32 bytes). Required in production. */
  masterKey?: string;
  /**
   * The previous master key (MASTER_KEY_PREVIOUS), for unwrapping only: set it beside the new
   * MASTER_KEY while `npm run keys:rotate` rewraps the data keys, and running gateways keep reading
   * every key. Default unset.
   */
  masterKeyPrevious?: string;
  /** Development master-key file, created with mode 0600 when missing. Default `.data/master.key`. */
  masterKeyFile: string;
  /** How long the access-log write may take before the response fails closed, in ms. Default 5000. */
  auditTimeoutMs: number;
  /** PEM certificate (chain) file for HTTPS; set with TLS_KEY. Default unset: plain HTTP (behind a TLS proxy). */
  tlsCert?: string;
  /** PEM private key file for HTTPS; set with TLS_CERT. */
  tlsKey?: string;
  /**
   * TRUST_PROXY: comma-separated proxy addresses (IPs, CIDRs, or loopback / linklocal / uniquelocal)
   * whose X-Forwarded-Proto / X-Forwarded-For are believed. Default none: only the socket counts.
   */
  trustProxy: string[];
  /**
   * PSEUDONYM_KEY: the key of the customer pseudonyms shown under pseudonymous purposes (`psn_…`, an
   * HMAC per purpose), at least 32 characters. Required in production; generated in development and
   * kept in `.data/pseudonym-key` (PSEUDONYM_KEY_FILE), mode 0600, so pseudonyms stay stable across restarts.
   */
  pseudonymKey: string;
  /**
   * DISPOSAL_SCHEDULE: when the gateway runs the disposal job, a cron expression in UTC (5 or 6
   * fields, croner syntax), or `off` to run it only by `npm run disposal:run` / runDisposal.
   * Default `0 3 * * *` (every day at 03:00 UTC). Null when off.
   */
  disposalSchedule: string | null;
  /** DISPOSAL_LEASE_MS: how long the disposal lease lasts unless renewed (before every step), in ms. Default 300000 (5 minutes). */
  disposalLeaseMs: number;
  /** The transparency log (docs/transparency-log.md): TLOG_* variables. */
  tlog: TlogConfig;
}

/** Bounds on one GraphQL operation. Exceeding one is QUERY_TOO_COMPLEX with `extensions.limit` and `extensions.max`. */
export interface OperationLimits {
  /** MAX_COST: each field costs 1; a list field with `first` multiplies its selection by `first`. Default 20000. */
  maxCost: number;
  /** MAX_ROWS: rows one request may return in total (the sum of every `first`, nested ones multiplied). Default 1000. */
  maxRows: number;
  /** MAX_ALIASES: aliased fields per operation (`__typename` excepted). Default 30. */
  maxAliases: number;
  /** MAX_DEPTH: nesting depth (introspection fields excepted). Default 10. */
  maxDepth: number;
  /** MAX_DIRECTIVES: directives per operation. Default 50. */
  maxDirectives: number;
  /** MAX_TOKENS: lexical tokens per document (parsing stops there). Default 5000. */
  maxTokens: number;
  /** MAX_BODY_BYTES: the largest HTTP body; larger is BAD_REQUEST with HTTP 413. Default 1048576 (1 MiB). */
  maxBodyBytes: number;
}

export class ConfigError extends Error {
  constructor(variable: string, rule: string, expected: string, received: string) {
    super(`Invalid configuration ${variable}: ${rule} (expected ${expected}, received ${received})`);
    this.name = 'ConfigError';
  }
}

function intVar(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, 'must be an integer in range', `${min}..${max}`, JSON.stringify(raw));
  }
  return n;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(name, 'must be a boolean flag', '1 or 0', JSON.stringify(raw));
}

/** Development only: a random secret (HS256 key, pseudonym key), generated once and kept in a 0600 file beside the data. */
export function devJwtSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** A duration: seconds, or a number with s, m, h or d (`12h`). */
function durationVar(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const m = /^([0-9]{1,9})(s|m|h|d)?$/.exec(raw.trim());
  const n = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's'] : NaN;
  if (!m || n < min || n > max) throw new ConfigError(name, 'must be a duration in range', `${min}s..${max}s, e.g. 12h, 90m or 3600`, JSON.stringify(raw));
  return n;
}

/** A claim value (JWT_ISSUER, JWT_AUDIENCE): printable, no spaces. */
function claimVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[\x21-\x7e]{1,256}$/.test(raw)) throw new ConfigError(name, 'must be a printable string without spaces', '1 to 256 visible ASCII characters', `${raw.length} characters of another form`);
  return raw;
}

function onOffVar(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(name, 'must be on or off', 'on or off', JSON.stringify(raw));
}

/** Does this connection string use TLS, or carry credentials? (Warned about in production when neither.) */
export function databaseUriWarnings(uri: string): string[] {
  const authority = uri.replace(/^mongodb(\+srv)?:\/\//, '').split(/[/?]/)[0] ?? '';
  const tls = uri.startsWith('mongodb+srv://') || /[?&](tls|ssl)=true(&|$)/i.test(uri);
  const credentials = authority.includes('@') || /[?&]authMechanism=MONGODB-(X509|AWS|OIDC)(&|$)/i.test(uri);
  return tls || credentials ? [] : ['MONGODB_URI has neither TLS (tls=true or mongodb+srv) nor credentials: anyone who can reach the database can read and change it, the access log included'];
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY: a list of addresses, CIDRs or keywords; never "everything". */
function trustProxyVar(env: NodeJS.ProcessEnv): string[] {
  const raw = env.TRUST_PROXY ?? '';
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const e of entries) {
    const [addr, bits, extra] = e.split('/');
    const family = isIP(addr);
    const okBits = bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!(PROXY_KEYWORDS.has(e) || (family !== 0 && okBits && extra === undefined))) {
      throw new ConfigError('TRUST_PROXY', 'must list proxy addresses', 'IPs, CIDRs or loopback / linklocal / uniquelocal, comma-separated', 'an entry of another form');
    }
  }
  return entries;
}

/** The default of DISPOSAL_SCHEDULE: every day at 03:00 UTC. */
export const DEFAULT_DISPOSAL_SCHEDULE = '0 3 * * *';

/** DISPOSAL_SCHEDULE: a cron expression croner accepts, or `off`. */
function disposalScheduleVar(env: NodeJS.ProcessEnv): string | null {
  const raw = (env.DISPOSAL_SCHEDULE ?? '').trim();
  if (raw === '') return DEFAULT_DISPOSAL_SCHEDULE;
  if (raw === 'off') return null;
  try {
    new Cron(raw, { paused: true, timezone: 'UTC' }).stop();
  } catch {
    throw new ConfigError('DISPOSAL_SCHEDULE', 'must be a cron expression or off', 'e.g. "0 3 * * *" (minute hour day month weekday, UTC) or off', JSON.stringify(raw.slice(0, 60)));
  }
  return raw;
}

/** Parse and validate the environment. Throws ConfigError naming the variable and the rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const mongodbUri = env.MONGODB_URI || undefined;
  if (mongodbUri && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    throw new ConfigError('MONGODB_URI', 'must be a MongoDB connection string', 'mongodb:// or mongodb+srv://', '(a value of another form)');
  }
  let jwtSecret = env.JWT_SECRET ?? '';
  let jwtSecretGenerated = false;
  if (!jwtSecret) {
    if (production) throw new ConfigError('JWT_SECRET', 'is required in production', 'an HS256 key of at least 32 characters', 'nothing');
    jwtSecret = devJwtSecret(env.JWT_SECRET_FILE || '.data/jwt-secret');
    jwtSecretGenerated = true;
  } else if (jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'is too short', 'at least 32 characters', `${jwtSecret.length} characters`);
  }
  if (production && !mongodbUri) {
    // The embedded store has no users: any local process could delete access-log records through it.
    throw new ConfigError('MONGODB_URI', 'is required in production', 'the connection string of a MongoDB deployment (the embedded store is for development)', 'nothing');
  }
  const keyVaultUri = env.KEY_VAULT_URI || undefined;
  if (keyVaultUri && !/^mongodb(\+srv)?:\/\//.test(keyVaultUri)) {
    throw new ConfigError('KEY_VAULT_URI', 'must be a MongoDB connection string', 'mongodb:// or mongodb+srv://', '(a value of another form)');
  }
  if (production && !keyVaultUri) {
    throw new ConfigError('KEY_VAULT_URI', 'is required in production', 'the connection string of the key vault, a deployment (or at least a database) apart from the data', 'nothing');
  }
  const dbName = env.DB_NAME || 'crm';
  const keyVaultDb = env.KEY_VAULT_DB || `${dbName}-keys`;
  if (keyVaultDb === dbName && (!keyVaultUri || keyVaultUri === mongodbUri)) {
    throw new ConfigError('KEY_VAULT_DB', 'must name another database than the data', `a name other than "${dbName}"`, JSON.stringify(keyVaultDb));
  }
  let pseudonymKey = env.PSEUDONYM_KEY ?? '';
  if (!pseudonymKey) {
    if (production) throw new ConfigError('PSEUDONYM_KEY', 'is required in production', 'a secret of at least 32 characters', 'nothing');
    pseudonymKey = devJwtSecret(env.PSEUDONYM_KEY_FILE || '.data/pseudonym-key');
  } else if (pseudonymKey.length < 32) {
    throw new ConfigError('PSEUDONYM_KEY', 'is too short', 'at least 32 characters', `${pseudonymKey.length} characters`);
  }
  const host = env.HOST || '127.0.0.1';
  const maxDepth = intVar(env, 'MAX_DEPTH', 10, 2, 50);
  const tlsCert = env.TLS_CERT || undefined;
  const tlsKey = env.TLS_KEY || undefined;
  if (!tlsCert !== !tlsKey) {
    throw new ConfigError(tlsCert ? 'TLS_KEY' : 'TLS_CERT', 'is required with ' + (tlsCert ? 'TLS_CERT' : 'TLS_KEY'), 'both TLS_CERT and TLS_KEY (PEM file paths), or neither', 'only one of them');
  }
  return {
    production,
    port: intVar(env, 'PORT', 4000, 0, 65535),
    host,
    mongodbUri,
    dbName,
    keyVaultUri,
    keyVaultDb,
    jwtSecret,
    jwtSecretGenerated,
    seedDemo: boolVar(env, 'SEED_DEMO', !mongodbUri),
    policiesDir: env.POLICIES_DIR || 'policies',
    maxDepth,
    limits: {
      maxCost: intVar(env, 'MAX_COST', 20_000, 10, 10_000_000),
      maxRows: intVar(env, 'MAX_ROWS', 1000, 1, 1_000_000),
      maxAliases: intVar(env, 'MAX_ALIASES', 30, 0, 10_000),
      maxDepth,
      maxDirectives: intVar(env, 'MAX_DIRECTIVES', 50, 0, 10_000),
      maxTokens: intVar(env, 'MAX_TOKENS', 5000, 100, 1_000_000),
      maxBodyBytes: intVar(env, 'MAX_BODY_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    },
    jwtMaxTtlSeconds: durationVar(env, 'JWT_MAX_TTL', 12 * 3600, 60, 365 * 86400),
    jwtIssuer: claimVar(env, 'JWT_ISSUER'),
    jwtAudience: claimVar(env, 'JWT_AUDIENCE'),
    rateLimits: onOffVar(env, 'RATE_LIMITS', true),
    rateLimitAnonymousPerMinute: intVar(env, 'RATE_LIMIT_ANONYMOUS', 300, 1, 1_000_000),
    warnings: production && mongodbUri ? databaseUriWarnings(mongodbUri) : [],
    masterKey: env.MASTER_KEY || undefined,
    masterKeyPrevious: env.MASTER_KEY_PREVIOUS || undefined,
    masterKeyFile: env.MASTER_KEY_FILE || '.data/master.key',
    auditTimeoutMs: intVar(env, 'AUDIT_TIMEOUT_MS', 5000, 100, 120000),
    tlsCert,
    tlsKey,
    trustProxy: trustProxyVar(env),
    pseudonymKey,
    disposalSchedule: disposalScheduleVar(env),
    disposalLeaseMs: intVar(env, 'DISPOSAL_LEASE_MS', 300_000, 1000, 86_400_000),
    tlog: tlogConfig(env, production),
  };
}

// ---------------------------------------------------------------------------------------------
// Transparency log (TLOG_*): one block, see docs/transparency-log.md.

/** The transparency log's settings. */
export interface TlogConfig {
  /**
   * TLOG_SIGNING_KEY: the log's Ed25519 key (a secret), as `PRIVATE+KEY+<name>+<hex id>+<base64>`
   * (Go note signer key) or an Ed25519 PKCS#8 PEM. Required in production; in development
   * generated once and kept in TLOG_SIGNING_KEY_FILE (default `.data/tlog-signing-key`, mode 0600).
   * Fully checked (key ID, key type) when the gateway starts.
   */
  signingKey: string;
  /** True when the key was generated (or read back) from the development key file. */
  signingKeyGenerated: boolean;
  /** TLOG_ORIGIN: the checkpoint origin; required with a PEM key, default the Go key's name. */
  origin?: string;
  /**
   * TLOG_SEQUENCER: whether this gateway takes part in sequencing (competes for the lease). `0` for
   * gateways that only serve (at least one gateway of a deployment must sequence). Default 1.
   */
  sequencer: boolean;
  /** TLOG_CHECKPOINT_MS: a checkpoint is signed at least this often when there are new leaves. Default 1000 (100..60000). */
  checkpointMs: number;
  /** TLOG_VERIFY_MS: how often the sequencing gateway verifies the whole log (0: never). Default 600000 (10 min). */
  verifyMs: number;
  /**
   * TLOG_LATE_MS: a record whose id says it was written more than this long before the checkpoint
   * that precedes it in the tree was signed is reported as inserted after the fact. Default 60000.
   */
  lateMs: number;
}

/** The variable's name, as errors give it. */
const TLOG_KEY = 'TLOG_SIGNING_KEY';
const GO_KEY = /^PRIVATE\+KEY\+[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/;
const PEM_KEY = /^-----BEGIN PRIVATE KEY-----(\n|\\n)/;

/** Development only: a new Go-form note signer key named `name` (same format as audit/tlog/signingKey.ts). */
function newDevSigningKey(name: string): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const id = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.of(1), pub])).digest().subarray(0, 4).toString('hex');
  return `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.of(1), seed]).toString('base64')}`;
}

/** Development only: the log key kept in `file` (created with mode 0600 when missing, never overwritten). */
export function devTlogSigningKey(file: string, name = 'purpose-gateway.localhost/tlog'): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, newDevSigningKey(name) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err; // another process made it first: use theirs
  }
  return readFileSync(file, 'utf8').trim();
}

function tlogConfig(env: NodeJS.ProcessEnv, production: boolean): TlogConfig {
  let signingKey = (env[TLOG_KEY] ?? '').trim();
  let signingKeyGenerated = false;
  if (!signingKey) {
    if (production) {
      throw new ConfigError(TLOG_KEY, 'is required in production', 'the log\'s Ed25519 key, PRIVATE+KEY+<name>+<hex key id>+<base64> or an Ed25519 PKCS#8 PEM', 'nothing');
    }
    signingKey = devTlogSigningKey(env.TLOG_SIGNING_KEY_FILE || '.data/tlog-signing-key');
    signingKeyGenerated = true;
  }
  const pem = PEM_KEY.test(signingKey);
  if (!GO_KEY.test(signingKey) && !pem) {
    throw new ConfigError(TLOG_KEY, 'must be an Ed25519 signing key', 'PRIVATE+KEY+<name>+<8 lowercase hex key id>+<base64 of 33 bytes>, or an Ed25519 PKCS#8 PEM', 'a value of another form');
  }
  const origin = env.TLOG_ORIGIN || undefined;
  if (origin !== undefined && !/^[^+\s]+$/.test(origin)) {
    throw new ConfigError('TLOG_ORIGIN', 'must be a key name', 'a non-empty name without white space or "+"', 'a value of another form');
  }
  if (pem && origin === undefined) {
    throw new ConfigError('TLOG_ORIGIN', `is required when ${TLOG_KEY} is a PEM key (a PEM does not carry the key name)`, 'the log origin, e.g. crm.example.com/tlog', 'nothing');
  }
  return {
    signingKey,
    signingKeyGenerated,
    origin,
    sequencer: boolVar(env, 'TLOG_SEQUENCER', true),
    checkpointMs: intVar(env, 'TLOG_CHECKPOINT_MS', 1000, 100, 60_000),
    verifyMs: intVar(env, 'TLOG_VERIFY_MS', 600_000, 0, 86_400_000),
    lateMs: intVar(env, 'TLOG_LATE_MS', 60_000, 1000, 86_400_000),
  };
}
