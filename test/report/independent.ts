/**
 * The report's figures computed independently, in plain code, from the raw collections (read with
 * find, no aggregation): what privacyReport must agree with.
 */
import type { Db, Document } from 'mongodb';

export const hide = (n: number): string => (n > 0 && n < 5 ? '< 5' : String(n));

function bump(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

const asObject = (map: Map<string, number>) => Object.fromEntries([...map].map(([k, n]) => [k, hide(n)]));

/** Everything the access-log section shows, keyed for comparison (order aside). */
export async function expectedAccesses(db: Db, start: Date, end: Date, categoryOf: (field: string) => string) {
  const docs = await db.collection('accessLog').find({ at: { $gte: start, $lt: end } }).toArray();
  const requests = docs.filter((d) => d.phase === 'request');
  const byPurpose = new Map<string, number>();
  const byDecision = new Map<string, number>();
  const denials = new Map<string, number>();
  const categories = new Map<string, number>();
  const perActor = new Map<string, Map<string, number>>();
  let entries = 0;
  for (const d of requests) {
    const purpose = (d.purpose as string | null) ?? '(refused)';
    const day = (d.at as Date).toISOString().slice(0, 10);
    const roles: string[] = d.actor.roles?.length ? d.actor.roles : [d.actor.kind];
    let subjects = 0;
    for (const e of d.entries as Document[]) {
      const n = (e.subjectIds as unknown[]).length;
      subjects += n;
      bump(byPurpose, `${day} ${purpose}`, n);
      bump(byDecision, `${purpose} ${e.decision}`, n);
      if (e.decision === 'denied') bump(denials, e.code ?? 'FORBIDDEN_FIELD', n);
      if (e.subjectType === 'Customer') for (const f of e.fieldsRead as string[]) bump(categories, categoryOf(f), n);
    }
    entries += subjects;
    for (const role of roles) {
      if (!perActor.has(role)) perActor.set(role, new Map());
      bump(perActor.get(role)!, d.actor.id, subjects);
    }
  }
  const byRole = Object.fromEntries([...perActor].map(([role, actors]) => {
    const counts = [...actors.values()].sort((a, b) => b - a);
    return [role, { actors: hide(actors.size), accesses: hide(counts.reduce((s, n) => s + n, 0)), busiest: counts.slice(0, 5).map(hide) }];
  }));
  return {
    requests: hide(requests.length), entries: hide(entries), byDayPurpose: asObject(byPurpose), byPurposeDecision: asObject(byDecision),
    denials: asObject(denials), categories: asObject(categories), byRole,
    raw: { requests: requests.length, denied: [...denials.values()].reduce((s, n) => s + n, 0), byPurpose, denials },
  };
}

export async function expectedConsents(db: Db, start: Date, end: Date) {
  const events = await db.collection('consentEvents').find({ at: { $gte: start, $lt: end } }).toArray();
  const byKey = new Map<string, number>();
  const byDay = new Map<string, number>();
  for (const e of events) {
    const what = e.granted ? 'granted' : 'withdrawn';
    bump(byKey, `${e.key} ${what}`);
    bump(byDay, `${(e.at as Date).toISOString().slice(0, 10)} ${what}`);
  }
  return { byKey: asObject(byKey), byDay: asObject(byDay), raw: { events: events.length } };
}

export async function expectedErasures(db: Db, start: Date, end: Date) {
  const docs = await db.collection('erasures').find({ requestedAt: { $gte: start, $lt: end } }).toArray();
  const done = docs.filter((d) => d.status === 'DONE' && d.completedAt instanceof Date);
  const secs = done.map((d) => (d.completedAt.getTime() - d.requestedAt.getTime()) / 1000).sort((a, b) => a - b);
  return {
    requested: hide(docs.length), completed: hide(docs.filter((d) => d.status === 'DONE').length),
    pending: hide(docs.filter((d) => d.status === 'PENDING').length),
    // With an odd count the median is the middle value (an approximate median agrees on small inputs).
    median: secs.length ? secs[Math.floor(secs.length / 2)] : null,
    raw: { requested: docs.length, completed: done.length },
  };
}

export async function expectedStatusCounts(db: Db, collection: string, filter: Document, key: string) {
  const docs = await db.collection(collection).find(filter).toArray();
  const out = new Map<string, number>();
  for (const d of docs) bump(out, String(d[key]));
  return asObject(out);
}
