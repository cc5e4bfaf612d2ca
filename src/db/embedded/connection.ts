/**
 * One client connection: reassembles wire messages from the TCP stream, runs each command and
 * writes the reply. A malformed message gets an error reply, or the connection is closed when
 * the stream can no longer be trusted; nothing here ever throws into the event loop.
 */
import type { Socket } from 'node:net';
import type { Document } from 'bson';
import { logger } from '../../logger';
import { runCommand, type CommandContext } from './commands';
import { CommandError, errorReply } from './errors';
import { checkLength, encodeOpMsg, encodeOpReply, OP_QUERY, parseMessage, readHeader, WireError, type Request } from './wire';

/** Commands a legacy OP_QUERY may carry: only the handshake, as in mongod 6+. */
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

export class ClientConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = 0;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: Omit<CommandContext, 'db'>,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
  }

  private close(reason: string): void {
    logger.debug('embedded store: closing client connection', { connectionId: this.ctx.connectionId, reason });
    this.chunks = [];
    this.buffered = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.socket.destroyed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.socket.destroyed) {
      if (this.expected === 0) {
        if (this.buffered < 4) return;
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
      if (this.buffered < this.expected) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      const msg = all.subarray(0, this.expected);
      const rest = all.subarray(this.expected);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      this.expected = 0;
      this.handle(msg);
    }
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
        answer(runCommand(request.command, { ...this.ctx, db: request.namespace.slice(0, -'.$cmd'.length) }));
        return;
      }
      const reply = runCommand(request.command, { ...this.ctx, db: request.command.$db });
      if (!request.moreToCome) answer(reply);
    } catch (err) {
      answer(errorReply(CommandError.of('InternalError', (err as Error).message)));
    }
  }
}

