/** A bare TCP client for wire-protocol tests: builds messages byte by byte and reads raw replies. */
import net from 'node:net';
import { BSON, type Document } from 'bson';
import { crc32c } from '../../src/db/embedded/wire/crc32c';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

function header(length: number, requestId: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export interface OpMsgOptions {
  requestId?: number;
  flags?: number;
  /** kind-1 sections: identifier → documents. */
  sequences?: Record<string, Document[]>;
  /** Append a CRC-32C trailer (sets checksumPresent); `corrupt` appends a wrong one. */
  checksum?: 'valid' | 'corrupt';
  /** Raw bytes to use as the body section instead of serialising `doc`. */
  rawBody?: Buffer;
}

export function opMsg(doc: Document, opts: OpMsgOptions = {}): Buffer {
  let flags = opts.flags ?? 0;
  if (opts.checksum) flags |= 1;
  const parts: Buffer[] = [];
  const flagBuf = Buffer.alloc(4);
  flagBuf.writeUInt32LE(flags >>> 0, 0);
  parts.push(flagBuf, Buffer.from([0]), opts.rawBody ?? Buffer.from(BSON.serialize(doc)));
  for (const [id, docs] of Object.entries(opts.sequences ?? {})) {
    const body = Buffer.concat([Buffer.from(id + '\0'), ...docs.map((d) => Buffer.from(BSON.serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(body.length + 4, 0);
    parts.push(Buffer.from([1]), size, body);
  }
  const body = Buffer.concat(parts);
  const length = 16 + body.length + (opts.checksum ? 4 : 0);
  const msg = Buffer.concat([header(length, opts.requestId ?? 1, OP_MSG), body]);
  if (!opts.checksum) return msg;
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(opts.checksum === 'valid' ? crc32c(msg) : (crc32c(msg) ^ 1) >>> 0, 0);
  return Buffer.concat([msg, crc]);
}

export function opQuery(ns: string, doc: Document, requestId = 1): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from(ns + '\0'), Buffer.alloc(4), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from(BSON.serialize(doc))]);
  return Buffer.concat([header(16 + body.length, requestId, OP_QUERY), body]);
}

/** A message with an arbitrary header, for malformed-input tests. */
export function rawMessage(length: number, opCode: number, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([header(length, 1, opCode), body]);
}

export interface RawReply {
  opCode: number;
  responseTo: number;
  doc: Document;
}

export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    ws.forEach((w) => w());
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next reply, decoded; rejects if the server closes the connection first. */
  async reply(): Promise<RawReply> {
    for (;;) {
      if (this.buffer.length >= 4) {
        const length = this.buffer.readInt32LE(0);
        if (this.buffer.length >= length) {
          const msg = this.buffer.subarray(0, length);
          this.buffer = this.buffer.subarray(length);
          const opCode = msg.readInt32LE(12);
          const responseTo = msg.readInt32LE(8);
          const docStart = opCode === OP_MSG ? 16 + 5 : 16 + 20;
          return { opCode, responseTo, doc: BSON.deserialize(msg.subarray(docStart)) };
        }
      }
      if (this.ended) throw new Error('connection closed by the server');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends an OP_MSG command and returns the reply document. */
  async command(doc: Document, opts: OpMsgOptions = {}): Promise<Document> {
    this.send(opMsg(doc, opts));
    return (await this.reply()).doc;
  }

  close(): void {
    this.socket.destroy();
  }
}
