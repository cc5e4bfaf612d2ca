import type { Principal } from '../auth/principal';
import type { AccessLogRecord, Decision } from './accessLogModel';

interface SubjectEntry {
  subjectType: string;
  subjectId: string | null;
  read: Set<string>;
  denied: Set<string>;
  written: Set<string>;
  code?: string;
  reason?: string;
}

/** Who and why, fixed for the whole request. */
export interface AuditScope {
  requestId: string;
  principal: Principal | null;
  purpose: string | null;
  taskId: string | null;
  operationName: string | null;
}

/** Collects, per request, what was read, denied and written for each subject; flushed once before the response leaves. */
export class AuditBuffer {
  /** subject type → subject id → entry (insertion order kept for the records). */
  private readonly entries = new Map<string, Map<string | null, SubjectEntry>>();

  constructor(public scope: AuditScope) {}

  private entry(subjectType: string, subjectId: string | null): SubjectEntry {
    let ofType = this.entries.get(subjectType);
    if (!ofType) this.entries.set(subjectType, (ofType = new Map()));
    let e = ofType.get(subjectId);
    if (!e) {
      e = { subjectType, subjectId, read: new Set(), denied: new Set(), written: new Set() };
      ofType.set(subjectId, e);
    }
    return e;
  }

  read(subjectType: string, subjectId: string, field: string): void {
    this.entry(subjectType, subjectId).read.add(field);
  }

  denied(subjectType: string, subjectId: string | null, field: string, reason?: string): void {
    const e = this.entry(subjectType, subjectId);
    e.denied.add(field);
    if (reason && !e.reason) e.reason = reason;
  }

  written(subjectType: string, subjectId: string, fields: Iterable<string>): void {
    const e = this.entry(subjectType, subjectId);
    for (const f of fields) e.written.add(f);
  }

  /** An operation refused as a whole (PURPOSE_NOT_ALLOWED, TASK_INVALID, FORBIDDEN, ...). */
  operationDenied(code: string, reason: string, subjectType = 'Operation', subjectId: string | null = null): void {
    const e = this.entry(subjectType, subjectId);
    e.code = code;
    e.reason = reason;
  }

  get size(): number {
    let n = 0;
    for (const ofType of this.entries.values()) n += ofType.size;
    return n;
  }

  /** The records to append, one per subject touched. */
  records(at = new Date()): AccessLogRecord[] {
    const { requestId, principal, purpose, taskId, operationName } = this.scope;
    const actor = principal
      ? { kind: principal.kind, id: principal.id, roles: principal.roles, ...(principal.partner ? { partner: principal.partner } : {}) }
      : { kind: 'anonymous', id: 'anonymous', roles: [] };
    return [...this.entries.values()].flatMap((ofType) => [...ofType.values()]).map((e) => {
      const touched = e.read.size + e.written.size;
      const decision: Decision = e.code || touched === 0 ? 'denied' : e.denied.size > 0 ? 'partial' : 'allowed';
      const rec: AccessLogRecord = {
        at, requestId, actor, purpose, taskId, operationName,
        subjectType: e.subjectType, subjectId: e.subjectId,
        fieldsRead: [...e.read].sort(), fieldsDenied: [...e.denied].sort(), fieldsWritten: [...e.written].sort(),
        decision,
      };
      if (e.code) rec.code = e.code;
      if (e.reason) rec.reason = e.reason;
      return rec;
    });
  }
}
