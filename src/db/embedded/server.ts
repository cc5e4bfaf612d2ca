/**
 * EmbeddedMongoServer: an in-process, in-memory server speaking the MongoDB wire protocol on a
 * loopback TCP port, so the official driver and mongoose connect to it exactly as to a
 * standalone mongod. For development and tests only: nothing is durable.
 */
import net from 'node:net';
import { logger } from '../../logger';
import { ClientConnection } from './connection';
import { CursorRegistry } from './cursors';
import { SessionRegistry } from './sessions';
import { Store } from './storage/store';

export interface EmbeddedMongoOptions {
  /** Loopback address to bind. Default `127.0.0.1`; non-loopback addresses are refused. */
  host?: string;
  /** TCP port. Default `0`: the OS picks a free port (see `port` / `uri`). */
  port?: number;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class EmbeddedMongoServer {
  private readonly sockets = new Set<net.Socket>();
  private readonly store = new Store();
  private readonly cursors = new CursorRegistry();
  private readonly sessions = new SessionRegistry();
  private readonly sweeper: NodeJS.Timeout;
  private readonly startedAt = new Date();
  private nextConnectionId = 1;
  private stopped = false;

  private constructor(
    private readonly server: net.Server,
    readonly host: string,
    readonly port: number,
  ) {
    this.sweeper = setInterval(() => this.cursors.sweep(), 60_000);
    this.sweeper.unref();
    server.on('connection', (socket) => this.accept(socket));
    // e.g. EMFILE while accepting: keep serving the clients already connected.
    server.on('error', (err) => logger.warn('embedded store: listener error', { error: err.message }));
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongoServer> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host)) throw new Error(`embedded store: host must be a loopback address, got "${host}"`);
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as net.AddressInfo;
    return new EmbeddedMongoServer(server, host, address.port);
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

  private accept(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    new ClientConnection(socket, {
      store: this.store,
      cursors: this.cursors,
      sessions: this.sessions,
      connectionId: this.nextConnectionId++,
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      connections: () => this.sockets.size,
      startedAt: this.startedAt,
    });
  }

  /** Closes the listener and destroys every open client socket at once. Data is discarded. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.cursors.clear();
    await closed;
  }
}
