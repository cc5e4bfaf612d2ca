/**
 * Chooses and starts the database backend, and opens mongoose connections on it.
 *
 * Order: `MONGODB_URI` (production: a replica set or sharded cluster) → mongodb-memory-server
 * when a mongod binary is already on disk (never downloads) → the embedded wire-compatible
 * store (`src/db/embedded/`, in memory, development and tests only). One log line says which
 * backend was chosen and why.
 */
import mongoose, { type Connection } from 'mongoose';
import { logger } from '../logger';
import { EmbeddedMongoServer } from './embedded';
import { findMongodBinary } from './mongodBinary';

export type DatabaseBackend = 'uri' | 'memory-server' | 'embedded';

export interface DatabaseHandle {
  /** Connection string the product passes to mongoose. */
  uri: string;
  backend: DatabaseBackend;
  /** Why this backend was chosen (also in the startup log line). */
  reason: string;
  /** Stops a backend this process started; a no-op for `MONGODB_URI`. */
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  /** An explicit connection string. Default: `process.env.MONGODB_URI`. */
  uri?: string;
}

/** A URI safe to log: credentials removed, everything else (hosts, options such as tls) kept. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1***@');
}

async function startMemoryServer(binaryPath: string): Promise<{ uri: string; stop: () => Promise<void> }> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const server = await MongoMemoryServer.create({ binary: { systemBinary: binaryPath } });
  return {
    uri: server.getUri(),
    stop: async () => {
      await server.stop();
    },
  };
}

async function startEmbedded(reason: string): Promise<DatabaseHandle> {
  const server = await EmbeddedMongoServer.start();
  logger.warn(
    `database: EMBEDDED in-memory store at ${server.uri} (${reason}). ` +
      'FOR DEVELOPMENT AND TESTS ONLY: nothing is durable, all data is lost when the process exits. ' +
      'Set MONGODB_URI for a real MongoDB.',
    { backend: 'embedded', uri: server.uri, reason },
  );
  return { uri: server.uri, backend: 'embedded', reason, stop: () => server.stop() };
}

/** Starts (or selects) the database backend and logs one line naming it and why. */
export async function startDatabase(opts: StartDatabaseOptions = {}): Promise<DatabaseHandle> {
  const uri = opts.uri ?? process.env.MONGODB_URI;
  if (uri) {
    const reason = opts.uri && opts.uri !== process.env.MONGODB_URI ? 'a connection string was given' : 'MONGODB_URI is set';
    logger.info(`database: MongoDB at ${redactUri(uri)} (${reason})`, { backend: 'uri', reason });
    return { uri, backend: 'uri', reason, stop: async () => undefined };
  }
  const binary = findMongodBinary();
  if (!binary) return startEmbedded('MONGODB_URI is not set and no mongod binary is on disk for mongodb-memory-server');
  try {
    const started = await startMemoryServer(binary.path);
    const reason = `MONGODB_URI is not set; mongod binary found via ${binary.source}`;
    logger.info(`database: mongodb-memory-server at ${started.uri} (${reason}); in memory, not durable`, {
      backend: 'memory-server',
      uri: started.uri,
      reason,
    });
    return { uri: started.uri, backend: 'memory-server', reason, stop: started.stop };
  } catch (err) {
    return startEmbedded(`mongodb-memory-server could not start the mongod found via ${binary.source}: ${(err as Error).message}`);
  }
}

export interface ConnectMongooseOptions {
  /** How long the driver waits for a usable server. Default 10 000 ms. */
  serverSelectionTimeoutMS?: number;
  /** How long an operation waits for a reply on its connection (0: forever). Default 0 (the driver's). */
  socketTimeoutMS?: number;
  /** How long mongoose holds an operation while the connection is lost. Default 10 000 ms (mongoose's). */
  bufferTimeoutMS?: number;
  /** Timeout of a new connection and of each heartbeat, in ms. Default 30 000 (the driver's). */
  connectTimeoutMS?: number;
  /** How often the driver checks each server, in ms. Default 10 000 (the driver's). */
  heartbeatFrequencyMS?: number;
  /** Build the indexes declared in schemas when models are compiled. Default true. */
  autoIndex?: boolean;
  /** Emit the driver's command monitoring events (tests count round trips with them). Default false. */
  monitorCommands?: boolean;
}

/**
 * Opens a dedicated mongoose Connection (not the mongoose global) to `dbName` and waits until it
 * is connected.
 */
export async function connectMongoose(uri: string, dbName: string, opts: ConnectMongooseOptions = {}): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 10_000,
    ...(opts.socketTimeoutMS !== undefined ? { socketTimeoutMS: opts.socketTimeoutMS } : {}),
    ...(opts.bufferTimeoutMS !== undefined ? { bufferTimeoutMS: opts.bufferTimeoutMS } : {}),
    ...(opts.connectTimeoutMS !== undefined ? { connectTimeoutMS: opts.connectTimeoutMS } : {}),
    ...(opts.heartbeatFrequencyMS !== undefined ? { heartbeatFrequencyMS: opts.heartbeatFrequencyMS } : {}),
    autoIndex: opts.autoIndex ?? true,
    autoCreate: true,
    monitorCommands: opts.monitorCommands ?? false,
  });
  return conn.asPromise();
}
