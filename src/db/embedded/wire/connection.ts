/**
 * One client connection: reassembles wire messages from the TCP stream, runs each command and
 * writes the reply, in order. A malformed message gets an error reply, or the connection is closed
 * when the stream can no longer be trusted; nothing here ever throws into the event loop.
 *
 * Requests wait in order while the server hangs (`EmbeddedMongoServer.hang()`) or a fail point
 * holds the connection (`blockConnection`); fail points can also fail a command or close the
 * connection before it runs (see faults.ts).
 */
import type { Socket } from 'node:net';
import type { Document } from 'bson';
import { logger } from '../../../logger';
import { runCommand, type CommandContext } from '../commands';
import { CommandError, errorReply } from '../errors';
import type { FaultAction } from '../faults';
import { checkLength, encodeOpMsg, encodeOpReply, OP_QUERY, parseMessage, readHeader, WireError, type Request } from './wire';

/** Commands a legacy OP_QUERY may carry: only the handshake, as in mongod 6+. */
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

export interface ConnectionContext extends Omit<CommandContext, 'db'> {
  /** True while the server hangs: requests are read but not answered. */
  hung: () => boolean;
}

export class ClientConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = 0;
  /** Complete messages not handled yet (the server hangs, or a fail point holds the connection). */
  private queue: Buffer[] = [];
  private held = false;
  /** The client's application name, from its handshake (fail points can target it). */
  private appName?: string;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
  }

  private close(reason: string): void {
    logger.debug('embedded store: closing client connection', { connectionId: this.ctx.connectionId, reason });
    this.chunks = [];
    this.buffered = 0;
    this.queue = [];
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.socket.destroyed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.socket.destroyed) {
      if (this.expected === 0) {
        if (this.buffered < 4) break;
        const head = this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks);
        const length = head.readInt32LE(0);
        try {
          checkLength(length);
        } catch (err) {
          this.close((err as Error).message);
          return;
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      this.queue.push(all.subarray(0, this.expected));
      const rest = all.subarray(this.expected);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      this.expected = 0;
    }
    this.drain();
  }

  /** Handles queued messages in order, unless the server hangs or the connection is held. */
  drain(): void {
    while (this.queue.length && !this.held && !this.ctx.hung() && !this.socket.destroyed) this.handle(this.queue.shift()!);
  }

  private send(reply: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(reply);
  }

  private handle(msg: Buffer): void {
    const header = readHeader(msg);
    const legacy = header.opCode === OP_QUERY;
    const answer = (doc: Document): void => {
      try {
        this.send(legacy ? encodeOpReply(header.requestId, doc) : encodeOpMsg(header.requestId, doc));
      } catch (err) {
        const fallback = errorReply(CommandError.of('InternalError', `could not encode the reply: ${(err as Error).message}`));
        this.send(legacy ? encodeOpReply(header.requestId, fallback) : encodeOpMsg(header.requestId, fallback));
      }
    };
    let request: Request;
    try {
      request = parseMessage(msg);
    } catch (err) {
      if (err instanceof WireError && !err.fatal) answer(errorReply(new CommandError(err.code, err.message)));
      else this.close((err as Error).message);
      return;
    }
    try {
      if (request.kind === 'query') {
        const name = Object.keys(request.command)[0] ?? '';
        if (!request.namespace.endsWith('.$cmd') || !OP_QUERY_COMMANDS.has(name)) {
          answer(
            errorReply(
              CommandError.of('UnsupportedOpQueryCommand', `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`),
            ),
          );
          return;
        }
        this.noteHandshake(request.command);
        answer(runCommand(request.command, { ...this.ctx, db: request.namespace.slice(0, -'.$cmd'.length) }));
        return;
      }
      const { command, moreToCome } = request;
      this.noteHandshake(command);
      const fault = this.ctx.failPoints.check(command, String(command.$db), this.appName);
      if (fault) {
        this.applyFault(fault, command, moreToCome ? undefined : answer);
        return;
      }
      const reply = runCommand(command, { ...this.ctx, db: command.$db });
      if (!moreToCome) answer(reply);
    } catch (err) {
      answer(errorReply(CommandError.of('InternalError', (err as Error).message)));
    }
  }

  private noteHandshake(command: Document): void {
    const name = Object.keys(command)[0];
    if (name !== 'hello' && name !== 'isMaster' && name !== 'ismaster') return;
    const app = (command.client as Document | undefined)?.application as Document | undefined;
    if (typeof app?.name === 'string') this.appName = app.name;
  }

  private applyFault(fault: FaultAction, command: Document, answer: ((doc: Document) => void) | undefined): void {
    switch (fault.kind) {
      case 'close':
        this.close(`failCommand fail point closed the connection on '${Object.keys(command)[0]}'`);
        return;
      case 'error':
        answer?.(fault.reply);
        return;
      case 'writeConcernError': {
        const reply = runCommand(command, { ...this.ctx, db: command.$db });
        answer?.({ ...reply, writeConcernError: fault.error });
        return;
      }
      case 'block':
        this.held = true;
        setTimeout(() => {
          this.held = false;
          if (this.socket.destroyed) return;
          if (fault.then) this.applyFault(fault.then, command, answer);
          else answer?.(runCommand(command, { ...this.ctx, db: command.$db }));
          this.drain();
        }, fault.ms).unref();
        return;
    }
  }
}
