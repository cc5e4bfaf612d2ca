/**
 * The access-log recorder of one request: what was read, denied, counted and written, per subject.
 * It is flushed once, as one document, before the response leaves (`flush`); a write is preceded
 * by a durable intent record (`commit`, write-ahead). If either cannot be written, no data leaves.
 */
import { ErrorCode, SafeError } from '../core/errors';
import type { Principal, Recorder, WriteIntent } from '../core/context';
import { inRequestWrite } from '../core/writeScope';
import type { AccessEntry, AccessEvent, AccessLogModel, Decision, WritePhase } from './accessLog';

/** Who and why, fixed for the whole request (the operation name is known once it is parsed). */
export interface RecordScope {
  requestId: string;
  principal: Principal | null;
  purpose: string | null;
  taskId: string | null;
  operationName: string | null;
  audience: string | null;
}

export class AuditWriteError extends Error {
  constructor(cause: string) {
    super(`The access log could not be written: ${cause}`);
    this.name = 'AuditWriteError';
  }
}

export interface LogWriterOptions {
  /** Give up after this many ms (the response then fails closed). */
  timeoutMs: number;
  /** Ask for a majority, journaled write (on a replica set). Default true. */
  durable?: boolean;
  /** Called after every write attempt with its duration and outcome (metrics). */
  observe?: (seconds: number, ok: boolean) => void;
}

/** Appends access-log documents through the driver, with a deadline. */
export class LogWriter {
  constructor(private readonly model: AccessLogModel, private readonly opts: LogWriterOptions) {}

  async append(doc: AccessEvent): Promise<void> {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AuditWriteError(`no acknowledgement within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    });
    try {
      // Straight to the driver: the document is complete, mongoose's casting adds nothing.
      const write = this.model.collection.insertOne(doc, {
        ...(this.opts.durable === false ? {} : { writeConcern: { w: 'majority', j: true, wtimeoutMS: this.opts.timeoutMs } }),
      });
      await Promise.race([write, timeout]);
      this.opts.observe?.((performance.now() - t0) / 1000, true);
    } catch (err) {
      this.opts.observe?.((performance.now() - t0) / 1000, false);
      if (err instanceof AuditWriteError) throw err;
      throw new AuditWriteError((err as Error).name || 'write failed');
    } finally {
      clearTimeout(timer);
    }
  }
}

interface SubjectEntry {
  subjectType: string;
  subjectId: string | null;
  read: string[];
  denied: string[];
  written: string[];
  write?: WritePhase;
  code?: string;
  reason?: string;
}

/** Adds `items` to a sorted, duplicate-free list (kept as the same array when nothing is new). */
function merge(list: string[], items: Iterable<string>): string[] {
  let out = list;
  for (const item of items) {
    if (out.includes(item)) continue;
    if (out === list) out = [...list];
    out.push(item);
  }
  return out === list ? list : out.sort();
}

const EMPTY: string[] = [];

export class AccessRecorder implements Recorder {
  /** subject type → subject id → entry, in first-touch order. */
  private readonly subjects = new Map<string, Map<string | null, SubjectEntry>>();

  constructor(readonly scope: RecordScope, private readonly writer: LogWriter) {}

  private entry(subjectType: string, subjectId: string | null): SubjectEntry {
    let ofType = this.subjects.get(subjectType);
    if (!ofType) this.subjects.set(subjectType, (ofType = new Map()));
    let e = ofType.get(subjectId);
    if (!e) {
      e = { subjectType, subjectId, read: EMPTY, denied: EMPTY, written: EMPTY };
      ofType.set(subjectId, e);
    }
    return e;
  }

  read(subjectType: string, subjectId: string, fields: Iterable<string>): void {
    const e = this.entry(subjectType, subjectId);
    e.read = merge(e.read, fields);
  }

  denied(subjectType: string, subjectId: string | null, field: string, reason?: string): void {
    const e = this.entry(subjectType, subjectId);
    e.denied = merge(e.denied, [field]);
    if (reason && !e.reason) e.reason = reason;
  }

  counted(subjectType: string, subjectIds: readonly string[], field: string): void {
    for (const id of subjectIds) this.read(subjectType, id, [field]);
  }

  operationDenied(code: string, reason: string, subjectType = 'Operation', subjectId: string | null = null): void {
    const e = this.entry(subjectType, subjectId);
    e.code = code;
    e.reason = reason;
  }

  async commit<T>(writes: readonly WriteIntent[], commit: () => Promise<T>): Promise<T> {
    const intent = this.document(new Date(), 'intent', writes.map((w) => ({
      subjectType: w.subjectType, subjectId: w.subjectId, read: EMPTY, denied: EMPTY, written: [...new Set(w.fields)].sort(), write: 'intent' as const,
    })));
    try {
      await this.writer.append(intent!);
    } catch {
      throw new SafeError(ErrorCode.AUDIT_UNAVAILABLE, 'The access log could not be written, so nothing was changed. Try again later.');
    }
    let outcome: WritePhase = 'failed';
    try {
      const result = await inRequestWrite(this.scope.requestId, commit);
      outcome = 'committed';
      return result;
    } finally {
      for (const w of writes) {
        const e = this.entry(w.subjectType, w.subjectId);
        e.written = merge(e.written, w.fields);
        e.write = outcome;
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const ofType of this.subjects.values()) n += ofType.size;
    return n;
  }

  /** The request's record: subjects with the same fields and outcome share one entry. Null when nothing was touched. */
  document(at = new Date(), phase: AccessEvent['phase'] = 'request', from: Iterable<SubjectEntry> = this.all()): AccessEvent | null {
    const groups = new Map<string, AccessEntry>();
    let subjects = 0;
    for (const e of from) {
      const key = `${e.subjectType}\u0000${e.read.join(',')}\u0000${e.denied.join(',')}\u0000${e.written.join(',')}\u0000${e.write ?? ''}\u0000${e.code ?? ''}\u0000${e.reason ?? ''}`;
      let g = groups.get(key);
      if (!g) {
        const touched = e.read.length + e.written.length;
        const decision: Decision = e.code || touched === 0 ? 'denied' : e.denied.length > 0 ? 'partial' : 'allowed';
        g = { subjectType: e.subjectType, subjectIds: [], fieldsRead: e.read, fieldsDenied: e.denied, fieldsWritten: e.written, decision, k0: 0 };
        if (e.code) g.code = e.code;
        if (e.reason) g.reason = e.reason;
        if (e.write) g.write = e.write;
        groups.set(key, g);
      }
      g.subjectIds.push(e.subjectId);
      subjects += 1;
    }
    if (subjects === 0) return null;
    const entries = [...groups.values()];
    let k = 0;
    for (const g of entries) {
      g.k0 = k;
      k += g.subjectIds.length;
    }
    const { requestId, principal, purpose, taskId, operationName, audience } = this.scope;
    const actor = principal
      ? { kind: principal.kind, id: principal.id, roles: principal.roles, ...(principal.partner ? { partner: principal.partner } : {}) }
      : { kind: 'anonymous', id: 'anonymous', roles: [] };
    return { at, requestId, actor, purpose, taskId, operationName, audience, phase, entries, subjects };
  }

  private *all(): Iterable<SubjectEntry> {
    for (const ofType of this.subjects.values()) yield* ofType.values();
  }

  /** Writes the request's record (one document). Rejects with AuditWriteError; resolves to the subjects recorded. */
  async flush(): Promise<number> {
    const doc = this.document();
    if (!doc) return 0;
    await this.writer.append(doc);
    return doc.subjects;
  }
}
