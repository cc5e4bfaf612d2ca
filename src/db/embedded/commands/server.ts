/** Server-level commands: handshake, liveness, build and host information, sessions. */
import os from 'node:os';
import type { Document } from 'bson';
import { MAX_BSON_SIZE, MAX_MESSAGE_SIZE } from '../wire/wire';
import { CommandError } from '../errors';
import type { CommandContext, CommandHandler } from './context';

/** The MongoDB version the store presents itself as (wire version 21 = MongoDB 7.0). */
export const SERVER_VERSION = '7.0.0';
export const MAX_WIRE_VERSION = 21;

function hello(legacy: boolean): CommandHandler {
  return (_cmd: Document, ctx: CommandContext) => ({
    helloOk: true,
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: MAX_BSON_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
}

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_SIZE,
  storageEngines: ['embedded-memory'],
  javascriptEngine: 'none',
  modules: [],
  ok: 1,
});

const ok: CommandHandler = () => ({ ok: 1 });

const getParameter: CommandHandler = (cmd) => {
  const out: Document = {};
  if (cmd.featureCompatibilityVersion !== undefined || cmd.getParameter === '*') {
    out.featureCompatibilityVersion = { version: '7.0' };
  }
  return { ...out, ok: 1 };
};

const serverStatus: CommandHandler = (_cmd, ctx) => ({
  host: os.hostname(),
  version: SERVER_VERSION,
  process: 'mongod',
  pid: process.pid,
  uptime: Math.floor((Date.now() - ctx.startedAt.getTime()) / 1000),
  uptimeMillis: Date.now() - ctx.startedAt.getTime(),
  localTime: new Date(),
  connections: { current: ctx.connections(), available: 1000 },
  storageEngine: { name: 'embedded-memory', persistent: false },
  ok: 1,
});

export const serverCommands: Record<string, CommandHandler> = {
  hello: hello(false),
  isMaster: hello(true),
  ismaster: hello(true),
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  endSessions: (cmd, ctx) => {
    ctx.sessions.end(cmd.endSessions);
    return { ok: 1 };
  },
  killSessions: (cmd, ctx) => {
    ctx.sessions.end(cmd.killSessions);
    return { ok: 1 };
  },
  killAllSessions: ok,
  refreshSessions: ok,
  getParameter,
  getCmdLineOpts: () => ({ argv: ['embedded'], parsed: {}, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  hostInfo: () => ({
    system: { hostname: os.hostname(), cpuArch: os.arch(), numCores: os.cpus().length, memSizeMB: Math.round(os.totalmem() / 2 ** 20) },
    os: { type: os.type(), name: os.platform(), version: os.release() },
    extra: {},
    ok: 1,
  }),
  whatsmyuri: (_cmd, ctx) => ({ you: ctx.remote, ok: 1 }),
  serverStatus,
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  /** mongod's test command (enableTestCommands): see faults.ts. */
  configureFailPoint: (cmd, ctx) => {
    if (ctx.db !== 'admin') throw CommandError.of('Unauthorized', 'configureFailPoint may only be run against the admin database.');
    return ctx.failPoints.configure(cmd);
  },
};
