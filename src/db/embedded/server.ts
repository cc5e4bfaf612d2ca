/**
 * EmbeddedMongoServer: an in-process, in-memory server speaking the MongoDB wire protocol on a
 * loopback TCP port, so the official driver and mongoose connect to it exactly as to a
 * standalone mongod. For development and tests only: nothing is durable.
 *
 * For fault tests it can go away and come back with its data on the same port (`suspend()`,
 * `resume()`), hang (`hang()`, `unhang()`), and fail commands through mongod's `failCommand`
 * fail point (`configureFailPoint`).
 */
import net from 'node:net';
import { logger } from '../../logger';
import { CursorRegistry } from './cursors';
import { FailPoints } from './faults';
import { SessionRegistry } from './sessions';
import { Store } from './storage/store';
import { ClientConnection } from './wire/connection';

export interface EmbeddedMongoOptions {
  /** Loopback address to bind. Default `127.0.0.1`; non-loopback addresses are refused. */
  host?: string;
  /** TCP port. Default `0`: the OS picks a free port (see `port` / `uri`). */
  port?: number;
  /**
   * How often expired documents of TTL indexes (`expireAfterSeconds`) are deleted, in ms.
   * Default 60 000, mongod's `ttlMonitorSleepSecs`.
   */
  ttlMonitorIntervalMs?: number;
}

/** Where the server is: serving, gone with its data kept (`suspend`), hung, or stopped for good. */
export type EmbeddedServerState = 'running' | 'suspended' | 'hung' | 'stopped';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function listen(host: string, port: number): Promise<net.Server> {
  const server = net.createServer({ noDelay: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export class EmbeddedMongoServer {
  private readonly sockets = new Set<net.Socket>();
  private readonly connections = new Set<ClientConnection>();
  private readonly store = new Store();
  private readonly cursors = new CursorRegistry();
  private readonly sessions = new SessionRegistry();
  private readonly failPoints = new FailPoints();
  private readonly timers: NodeJS.Timeout[];
  private readonly startedAt = new Date();
  private nextConnectionId = 1;
  private current: EmbeddedServerState = 'running';
  private server: net.Server | undefined;

  private constructor(
    server: net.Server,
    readonly host: string,
    readonly port: number,
    ttlMonitorIntervalMs: number,
  ) {
    this.attach(server);
    const sweeper = setInterval(() => this.cursors.sweep(), 60_000);
    const ttl = setInterval(() => this.expire(), ttlMonitorIntervalMs);
    this.timers = [sweeper, ttl];
    for (const t of this.timers) t.unref();
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongoServer> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host)) throw new Error(`embedded store: host must be a loopback address, got "${host}"`);
    const server = await listen(host, options.port ?? 0);
    const address = server.address() as net.AddressInfo;
    return new EmbeddedMongoServer(server, host, address.port, options.ttlMonitorIntervalMs ?? 60_000);
  }

  private attach(server: net.Server): void {
    this.server = server;
    server.on('connection', (socket) => this.accept(socket));
    // e.g. EMFILE while accepting: keep serving the clients already connected.
    server.on('error', (err) => logger.warn('embedded store: listener error', { error: err.message }));
  }

  /** Connection string for drivers, e.g. `mongodb://127.0.0.1:53211/`. */
  get uri(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `mongodb://${host}:${this.port}/`;
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  get state(): EmbeddedServerState {
    return this.current;
  }

  private accept(socket: net.Socket): void {
    if (this.current === 'stopped' || this.current === 'suspended') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const connection = new ClientConnection(socket, {
      store: this.store,
      cursors: this.cursors,
      sessions: this.sessions,
      failPoints: this.failPoints,
      connectionId: this.nextConnectionId++,
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      connections: () => this.sockets.size,
      startedAt: this.startedAt,
      hung: () => this.current === 'hung',
    });
    this.connections.add(connection);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.connections.delete(connection);
    });
  }

  /** Deletes the documents TTL indexes say have expired (run every `ttlMonitorIntervalMs`). */
  expire(now = new Date()): void {
    if (this.current === 'stopped') return;
    const removed = this.store.expire(now);
    if (removed) logger.debug('embedded store: TTL monitor deleted expired documents', { removed });
  }

  private closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.connections.clear();
    return closed;
  }

  /**
   * Goes away as a crashed or restarting mongod does: closes the listener and destroys every
   * client socket, but keeps the data (open cursors and sessions are gone, as after a restart).
   * `resume()` brings it back on the same port.
   */
  async suspend(): Promise<void> {
    if (this.current === 'stopped') throw new Error('embedded store: stopped, cannot suspend');
    if (this.current === 'suspended') return;
    this.current = 'suspended';
    this.cursors.clear();
    this.sessions.clear();
    await this.closeListener();
  }

  /** Listens again on the same host and port, with the data it had. Rejects when the port is taken. */
  async resume(): Promise<void> {
    if (this.current === 'stopped') throw new Error('embedded store: stopped, cannot resume');
    if (this.current !== 'suspended') return;
    this.attach(await listen(this.host, this.port));
    this.current = 'running';
  }

  /** Keeps accepting connections and reading requests, but answers nothing until `unhang()`. */
  hang(): void {
    if (this.current !== 'running') throw new Error(`embedded store: cannot hang while ${this.current}`);
    this.current = 'hung';
  }

  /** Answers the requests that arrived while hung, in order, and serves again. */
  unhang(): void {
    if (this.current !== 'hung') return;
    this.current = 'running';
    for (const c of this.connections) c.drain();
  }

  /** Closes the listener and destroys every open client socket at once. Data is discarded. */
  async stop(): Promise<void> {
    if (this.current === 'stopped') return;
    this.current = 'stopped';
    for (const t of this.timers) clearInterval(t);
    this.cursors.clear();
    this.failPoints.clear();
    await this.closeListener();
  }
}
