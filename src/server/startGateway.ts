/** config → policies → keys → database → capabilities → demo data → HTTP server. */
import type { Connection } from 'mongoose';
import { accessLogModel, consentEventModel } from '../audit';
import type { Config } from '../config';
import type { AppServices } from '../core/context';
import { BlindIndex, KeyStore, LocalKeyProvider, resolveLocalKey, type KeyProvider } from '../crypto';
import { connectMongoose, startDatabase, type DatabaseHandle } from '../db/connect';
import { databaseTimeoutsFromEnv } from '../db/timeouts';
import { seedDemo, type SeedResult } from '../demo/seed';
import { logger } from '../logger';
import { loadPolicies } from '../policy';
import { createGateway, type Gateway, type GatewayOptions } from './app';
import { CAPABILITIES } from './capabilities';
import { watchPolicies } from './policyReload';

export interface RunningGateway {
  url: string;
  services: AppServices;
  keyStore: KeyStore;
  database: DatabaseHandle;
  gateway: Gateway;
  seeded: SeedResult | null;
  /** Graceful: drains requests, then stops the capabilities, the connection and the database this process started. */
  stop(): Promise<void>;
}

export interface StartOptions extends GatewayOptions {
  /** Key provider for data keys. Default: the local provider from MASTER_KEY (and MASTER_KEY_PREVIOUS) or the dev key file. */
  keyProvider?: KeyProvider;
  /** Emit driver command events on the connection (tests count round trips). Default false. */
  monitorCommands?: boolean;
}

/** The key store of a gateway: the configured master key, the previous one for unwrapping, and a re-read of the dev key file after a rotation. */
function keyStoreFor(conn: Connection, config: Config, given?: KeyProvider): KeyStore {
  if (given) return new KeyStore(conn, given);
  const resolved = resolveLocalKey({ masterKey: config.masterKey, keyFile: config.masterKeyFile, production: config.production });
  const previous = config.masterKeyPrevious ? [LocalKeyProvider.fromBase64(config.masterKeyPrevious, 'MASTER_KEY_PREVIOUS')] : [];
  const keyFile = resolved.keyFile;
  const refresh = keyFile
    ? () => {
        try {
          return resolveLocalKey({ keyFile, production: false, createKeyFile: false }).provider;
        } catch {
          return null;
        }
      }
    : undefined;
  return new KeyStore(conn, resolved.provider, { previousProviders: previous, refresh });
}

export async function startGateway(config: Config, opts: StartOptions = {}): Promise<RunningGateway> {
  for (const warning of config.warnings) logger.warn(warning);
  const policies = loadPolicies(config.policiesDir);
  const timeouts = databaseTimeoutsFromEnv(); // fail fast (DATABASE_UNAVAILABLE) rather than wait for an outage
  const database = await startDatabase({ uri: config.mongodbUri });
  let conn: Connection | undefined;
  let vault: Connection | undefined;
  const started: AppServices['capabilities'][number][] = [];
  let services: AppServices | undefined;
  try {
    conn = await connectMongoose(database.uri, config.dbName, { monitorCommands: opts.monitorCommands, ...timeouts });
    // The key vault: apart from the data (its own deployment in production), so no backup of the data holds its keys.
    vault = await connectMongoose(config.keyVaultUri ?? database.uri, config.keyVaultDb, { monitorCommands: opts.monitorCommands, ...timeouts });
    const keyStore = keyStoreFor(vault, config, opts.keyProvider);
    await keyStore.model.init();
    const index = new BlindIndex(await keyStore.indexKey());
    services = { config, conn, policies, keys: keyStore, index, capabilities: CAPABILITIES };
    await Promise.all([accessLogModel(conn).init(), consentEventModel(conn).init()]);
    for (const cap of CAPABILITIES) {
      await cap.start?.(services);
      started.push(cap);
    }
    const seeded = config.seedDemo ? await seedDemo(services) : null;
    const gateway = await createGateway(services, keyStore, opts);
    const url = await gateway.listen(config.port, config.host);
    const running = services;
    const unwatch = watchPolicies(services); // a bad edit keeps the last good policy (docs/operations.md)
    return {
      url, services, keyStore, database, gateway, seeded,
      stop: async () => {
        unwatch();
        await gateway.stop();
        for (const cap of [...started].reverse()) await cap.stop?.(running);
        await vault?.close();
        await conn?.close();
        await database.stop();
      },
    };
  } catch (err) {
    if (services) for (const cap of [...started].reverse()) await cap.stop?.(services).catch(() => undefined);
    await vault?.close().catch(() => undefined);
    await conn?.close().catch(() => undefined);
    await database.stop().catch(() => undefined);
    throw err;
  }
}
