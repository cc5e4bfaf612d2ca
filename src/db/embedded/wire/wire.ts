/**
 * MongoDB wire protocol framing: the 16-byte header, OP_MSG (with document-sequence sections and
 * the optional CRC-32C trailer), the legacy OP_QUERY handshake and its OP_REPLY answer.
 * Documents are decoded and encoded with the official `bson` package.
 */
import { BSON, type Document } from 'bson';
import { adoptValues } from '../binary';
import { crc32c } from './crc32c';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
/** mongod's maxMessageSizeBytes: larger messages are refused and the connection is closed. */
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

/** How incoming documents are decoded: native JS values where lossless, bson classes otherwise. */
export const DESERIALIZE_OPTIONS = {
  promoteValues: true,
  promoteLongs: true,
  promoteBuffers: false,
  bsonRegExp: false,
} as const;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** A request decoded from one wire message. */
export type Request =
  | { kind: 'msg'; requestId: number; command: Document; moreToCome: boolean }
  | { kind: 'query'; requestId: number; namespace: string; command: Document };

/**
 * A framing problem. `fatal` ones close the connection (the stream can no longer be trusted);
 * the others are answered with an error reply to the request id.
 */
export class WireError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
    readonly code = 22,
  ) {
    super(message);
  }
}

export function readHeader(buf: Buffer, offset = 0): MessageHeader {
  return {
    length: buf.readInt32LE(offset),
    requestId: buf.readInt32LE(offset + 4),
    responseTo: buf.readInt32LE(offset + 8),
    opCode: buf.readInt32LE(offset + 12),
  };
}

/** Checks a header's declared length before the body is buffered. Throws a fatal WireError. */
export function checkLength(length: number): void {
  if (length < HEADER_SIZE) throw new WireError(`message length ${length} is below the 16-byte header`, true);
  if (length > MAX_MESSAGE_SIZE) throw new WireError(`message length ${length} exceeds ${MAX_MESSAGE_SIZE} bytes`, true);
}

function readDocument(buf: Buffer, offset: number, end: number, what: string): { doc: Document; next: number } {
  if (offset + 5 > end) throw new WireError(`truncated BSON document in ${what}`, false);
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new WireError(`invalid BSON document size ${size} in ${what}`, false);
  let doc: Document;
  try {
    doc = adoptValues(BSON.deserialize(buf.subarray(offset, offset + size), DESERIALIZE_OPTIONS)) as Document;
  } catch (err) {
    throw new WireError(`invalid BSON in ${what}: ${(err as Error).message}`, false);
  }
  return { doc, next: offset + size };
}

function readCString(buf: Buffer, offset: number, end: number, what: string): { value: string; next: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new WireError(`unterminated string in ${what}`, false);
  return { value: buf.toString('utf8', offset, zero), next: zero + 1 };
}

/** Decodes an OP_MSG body into one command: kind-1 sequences become arrays under their identifier. */
function parseOpMsg(msg: Buffer, header: MessageHeader): Request {
  if (msg.length < HEADER_SIZE + 5) throw new WireError('OP_MSG too short', false);
  const flags = msg.readUInt32LE(HEADER_SIZE);
  let end = msg.length;
  if (flags & CHECKSUM_PRESENT) {
    end -= 4;
    if (end < HEADER_SIZE + 5) throw new WireError('OP_MSG too short for its checksum', false);
    const expected = msg.readUInt32LE(end);
    if (crc32c(msg, 0, end) !== expected) throw new WireError('OP_MSG checksum mismatch', true);
  }
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = msg[offset++];
    if (kind === 0) {
      if (body) throw new WireError('OP_MSG has more than one body section', false);
      const r = readDocument(msg, offset, end, 'OP_MSG body');
      body = r.doc;
      offset = r.next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new WireError('truncated OP_MSG document sequence', false);
      const size = msg.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end) throw new WireError(`invalid OP_MSG document sequence size ${size}`, false);
      const id = readCString(msg, offset + 4, seqEnd, 'OP_MSG document sequence');
      const docs: Document[] = [];
      let p = id.next;
      while (p < seqEnd) {
        const r = readDocument(msg, p, seqEnd, `OP_MSG document sequence "${id.value}"`);
        docs.push(r.doc);
        p = r.next;
      }
      sequences.push([id.value, docs]);
      offset = seqEnd;
    } else {
      throw new WireError(`unknown OP_MSG section kind ${kind}`, false);
    }
  }
  if (!body) throw new WireError('OP_MSG has no body section', false);
  for (const [id, docs] of sequences) {
    const existing = body[id];
    body[id] = Array.isArray(existing) ? [...existing, ...docs] : docs;
  }
  return { kind: 'msg', requestId: header.requestId, command: body, moreToCome: (flags & MORE_TO_COME) !== 0 };
}

function parseOpQuery(msg: Buffer, header: MessageHeader): Request {
  const end = msg.length;
  if (end < HEADER_SIZE + 4) throw new WireError('OP_QUERY too short', false);
  const ns = readCString(msg, HEADER_SIZE + 4, end, 'OP_QUERY namespace');
  const afterCounts = ns.next + 8;
  if (afterCounts > end) throw new WireError('truncated OP_QUERY', false);
  const query = readDocument(msg, afterCounts, end, 'OP_QUERY query').doc;
  // Drivers may wrap the command as { $query: {...}, $readPreference: ... }.
  const command = query.$query && typeof query.$query === 'object' ? (query.$query as Document) : query;
  return { kind: 'query', requestId: header.requestId, namespace: ns.value, command };
}

/** Decodes one complete message (header included). Throws WireError on malformed input. */
export function parseMessage(msg: Buffer): Request {
  const header = readHeader(msg);
  switch (header.opCode) {
    case OP_MSG:
      return parseOpMsg(msg, header);
    case OP_QUERY:
      return parseOpQuery(msg, header);
    case OP_COMPRESSED:
      throw new WireError('OP_COMPRESSED is not supported: no compressor was negotiated', true);
    default:
      throw new WireError(`unknown opcode ${header.opCode}`, true);
  }
}

function serialize(doc: Document): Buffer {
  return Buffer.from(BSON.serialize(doc, { ignoreUndefined: true }));
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** An OP_MSG reply with one body section. */
export function encodeOpMsg(responseTo: number, doc: Document): Buffer {
  const body = serialize(doc);
  const prefix = Buffer.alloc(5); // flagBits = 0, section kind 0
  return Buffer.concat([header(HEADER_SIZE + 5 + body.length, responseTo, OP_MSG), prefix, body]);
}

/** An OP_REPLY carrying one document, the answer to a legacy OP_QUERY. */
export function encodeOpReply(responseTo: number, doc: Document): Buffer {
  const body = serialize(doc);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(1, 16); // numberReturned (flags, cursorId, startingFrom stay 0)
  return Buffer.concat([header(HEADER_SIZE + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}
