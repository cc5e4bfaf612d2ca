import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isIP } from 'node:net';

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
  /** Maximum GraphQL query depth. Default 10. */
  maxDepth: number;
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
    maxDepth: intVar(env, 'MAX_DEPTH', 10, 2, 50),
    masterKey: env.MASTER_KEY || undefined,
    masterKeyPrevious: env.MASTER_KEY_PREVIOUS || undefined,
    masterKeyFile: env.MASTER_KEY_FILE || '.data/master.key',
    auditTimeoutMs: intVar(env, 'AUDIT_TIMEOUT_MS', 5000, 100, 120000),
    tlsCert,
    tlsKey,
    trustProxy: trustProxyVar(env),
    pseudonymKey,
  };
}
