/**
 * How long the gateway waits for the database before a request fails with DATABASE_UNAVAILABLE
 * (HTTP 503): so a request answers within a few seconds when the database is down or hangs,
 * instead of waiting for the driver's 10 s server selection or for the whole outage.
 *
 *   DB_SERVER_SELECTION_TIMEOUT_MS  no server to send to (down, failing over). Default 2000.
 *   DB_HEARTBEAT_MS                 how often the driver checks the server. Default 2000.
 *   DB_CONNECT_TIMEOUT_MS           a new connection, and each check: a hung server is found by the
 *                                   check that gets no answer, and the operations waiting on it are
 *                                   interrupted (MongoNetworkError). Default 2000.
 *   DB_SOCKET_TIMEOUT_MS            backstop: no reply on a connection for this long. Default 10000.
 *   DB_BUFFER_TIMEOUT_MS            mongoose waiting for a lost connection to come back. Default 2000.
 *
 * Command-line tools (erasure:resume, backups, key rotation) keep the driver's defaults.
 */
import { ConfigError } from '../config';

export interface DatabaseTimeouts {
  serverSelectionTimeoutMS: number;
  socketTimeoutMS: number;
  bufferTimeoutMS: number;
  connectTimeoutMS: number;
  heartbeatFrequencyMS: number;
}

function ms(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, 'must be an integer number of milliseconds in range', `${min}..${max}`, JSON.stringify(raw.slice(0, 20)));
  return n;
}

/** The gateway's database timeouts from the environment; throws ConfigError for a value out of range. */
export function databaseTimeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseTimeouts {
  return {
    serverSelectionTimeoutMS: ms(env, 'DB_SERVER_SELECTION_TIMEOUT_MS', 2000, 100, 60_000),
    socketTimeoutMS: ms(env, 'DB_SOCKET_TIMEOUT_MS', 10_000, 500, 600_000),
    bufferTimeoutMS: ms(env, 'DB_BUFFER_TIMEOUT_MS', 2000, 100, 60_000),
    connectTimeoutMS: ms(env, 'DB_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
    heartbeatFrequencyMS: ms(env, 'DB_HEARTBEAT_MS', 2000, 500, 60_000),
  };
}
