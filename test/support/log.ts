/**
 * The access log as tests read it: one flat entry per subject (as the accessLog API answers), read
 * straight from the collection, filtered with a Mongo query on the flat entry (mingo, as the
 * embedded store does).
 */
import { Query } from 'mingo';
import type { Connection } from 'mongoose';
import { accessLogModel, entriesWhere, type AccessLogRecord } from '../../src/audit';

type HasConn = { running: { services: { conn: Connection } } } | { conn: Connection };

function connOf(app: HasConn): Connection {
  return 'conn' in app ? app.conn : app.running.services.conn;
}

/** Every entry matching `filter`, oldest first. */
export async function logEntries(app: HasConn, filter: Record<string, unknown> = {}): Promise<AccessLogRecord[]> {
  const all = await entriesWhere(accessLogModel(connOf(app)));
  return new Query(filter).find<AccessLogRecord>(all as never).all() as AccessLogRecord[];
}

/** The first entry matching `filter`, or null. */
export async function logEntry(app: HasConn, filter: Record<string, unknown> = {}): Promise<AccessLogRecord | null> {
  return (await logEntries(app, filter))[0] ?? null;
}

/** How many entries match `filter`. */
export async function logCount(app: HasConn, filter: Record<string, unknown> = {}): Promise<number> {
  return (await logEntries(app, filter)).length;
}
