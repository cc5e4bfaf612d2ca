import type { Connection } from 'mongoose';
import type { Config } from '../config';
import { KeyStore, resolveLocalKeyProvider, type KeyProvider } from '../crypto';
import { connectMongoose, startDatabase, type DatabaseHandle } from '../db/connect';
import { seedDemo, type SeedResult } from '../demo/seed';
import { loadPolicies } from '../policy';
import { preparePrivacy } from '../privacy/preparePrivacy';
import { createModels, type AppServices } from './appServices';
import { createGateway, type Gateway, type GatewayOptions } from './app';

export interface RunningGateway {
  url: string;
  services: AppServices;
  database: DatabaseHandle;
  gateway: Gateway;
  seeded: SeedResult | null;
  /** Graceful: drains requests, then closes the connection and the database this process started. */
  stop(): Promise<void>;
}

export interface StartOptions extends GatewayOptions {
  /** Key provider for data keys. Default: the local provider from MASTER_KEY or the dev key file. */
  keyProvider?: KeyProvider;
  /** Emit driver command events on the connection (tests count round trips). Default false. */
  monitorCommands?: boolean;
}

/** config → database → policies → keys → demo data → HTTP server. */
export async function startGateway(config: Config, opts: StartOptions = {}): Promise<RunningGateway> {
  const policies = loadPolicies(config.policiesDir);
  const provider = opts.keyProvider ?? resolveLocalKeyProvider({ masterKey: config.masterKey, keyFile: config.masterKeyFile, production: config.production });
  const database = await startDatabase({ uri: config.mongodbUri });
  let conn: Connection | undefined;
  try {
    conn = await connectMongoose(database.uri, config.dbName, { monitorCommands: opts.monitorCommands });
    const models = createModels(conn);
    await Promise.all(Object.values(models).map((m) => m.init()));
    const keyStore = new KeyStore(conn, provider);
    await keyStore.model.init();
    const services: AppServices = { config, conn, policies, keyStore, models };
    await preparePrivacy(services); // customer-rights indexes; completes erasures a crash left pending
    const seeded = config.seedDemo ? await seedDemo(services) : null;
    const gateway = await createGateway(services, null, opts);
    const url = await gateway.listen(config.port, config.host);
    return {
      url, services, database, gateway, seeded,
      stop: async () => {
        await gateway.stop();
        await conn?.close();
        await database.stop();
      },
    };
  } catch (err) {
    await conn?.close().catch(() => undefined);
    await database.stop().catch(() => undefined);
    throw err;
  }
}
