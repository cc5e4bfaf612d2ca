/**
 * The logical sessions clients have used on this server (their `lsid`), for `$listLocalSessions`,
 * `endSessions` and `killSessions`. The store keeps no per-session state besides this list:
 * without transactions, a session only groups operations.
 */
import { createHash } from 'node:crypto';
import { Binary, type Document } from 'bson';

/** mongod's uid of the unauthenticated user: SHA-256 of the empty user name. */
const NO_USER_UID = new Binary(createHash('sha256').update('').digest(), 0);

export interface SessionInfo {
  id: unknown;
  uid: Binary;
  lastUse: Date;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionInfo>();

  private static key(lsid: Document): string | undefined {
    const id = lsid.id as { toString?: (enc: string) => string } | undefined;
    return id && typeof id.toString === 'function' ? id.toString('hex') : undefined;
  }

  /** Records a command's session. */
  touch(lsid: unknown): void {
    if (!lsid || typeof lsid !== 'object') return;
    const key = SessionRegistry.key(lsid as Document);
    if (!key) return;
    const known = this.sessions.get(key);
    if (known) known.lastUse = new Date();
    else this.sessions.set(key, { id: (lsid as Document).id, uid: NO_USER_UID, lastUse: new Date() });
  }

  end(lsids: unknown): void {
    if (!Array.isArray(lsids)) return;
    for (const lsid of lsids) {
      const key = lsid && typeof lsid === 'object' ? SessionRegistry.key(lsid as Document) : undefined;
      if (key) this.sessions.delete(key);
    }
  }

  list(): SessionInfo[] {
    return Array.from(this.sessions.values());
  }

  clear(): void {
    this.sessions.clear();
  }
}
