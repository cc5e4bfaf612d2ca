/** All databases of one embedded server: database name → collection name → Collection. */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { TypeEdge } from './bsonOrder';
import { Collection } from './collection';

const INVALID_DB_CHARS = /[/\\. "$\0]/;

/** Throws InvalidNamespace (73) for a database name mongod would refuse. */
export function checkDbName(db: unknown): string {
  if (typeof db !== 'string' || db.length === 0 || db.length >= 64 || INVALID_DB_CHARS.test(db)) {
    throw CommandError.of('InvalidNamespace', `Invalid database name: '${String(db)}'`);
  }
  return db;
}

/** Throws InvalidNamespace (73) for a collection name mongod would refuse. */
export function checkCollectionName(db: string, name: unknown): string {
  if (typeof name !== 'string') {
    throw CommandError.of('InvalidNamespace', `collection name has invalid type ${name === null ? 'null' : typeof name}`);
  }
  if (name.length === 0 || name.includes('\0') || name.includes('$') || name.startsWith('.') || name.startsWith('system.')) {
    throw CommandError.of('InvalidNamespace', `Invalid namespace specified '${db}.${name}'`);
  }
  return name;
}

export class Store {
  private readonly dbs = new Map<string, Map<string, Collection>>();

  databaseNames(): string[] {
    return Array.from(this.dbs.keys()).filter((d) => (this.dbs.get(d)?.size ?? 0) > 0);
  }

  collections(db: string): Collection[] {
    return Array.from(this.dbs.get(db)?.values() ?? []);
  }

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created implicitly (as mongod does on first write). */
  getOrCreate(db: string, name: string, options: Document = {}): Collection {
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    let coll = colls.get(name);
    if (!coll) colls.set(name, (coll = new Collection(db, name, options)));
    return coll;
  }

  /** Puts a collection in place of the one with its name (a `$out` swaps the new contents in at once). */
  put(coll: Collection): void {
    let colls = this.dbs.get(coll.db);
    if (!colls) this.dbs.set(coll.db, (colls = new Map()));
    colls.set(coll.name, coll);
  }

  /** Moves a collection to a new namespace (renameCollection). */
  rename(from: Collection, db: string, name: string): Collection {
    this.drop(from.db, from.name);
    const moved = from.renamed(db, name);
    this.put(moved);
    return moved;
  }

  drop(db: string, name: string): Collection | undefined {
    const coll = this.dbs.get(db)?.get(name);
    this.dbs.get(db)?.delete(name);
    return coll;
  }

  dropDatabase(db: string): void {
    this.dbs.delete(db);
  }

  /**
   * Deletes documents whose TTL index date (the earliest, for an array) is older than
   * `expireAfterSeconds` before `now`, as mongod's TTL monitor does. Returns how many.
   */
  expire(now: Date): number {
    let removed = 0;
    for (const colls of this.dbs.values()) {
      for (const coll of colls.values()) {
        for (const index of coll.secondaryIndexes()) {
          const ttl = index.expireAfterSeconds;
          if (ttl === undefined) continue;
          const cutoff = new Date(now.getTime() - ttl * 1000);
          const dir = index.directions[0];
          const low = { key: new TypeEdge(45, false), inclusive: true };
          const high = { key: cutoff, inclusive: false };
          const expired = new Set<Document>();
          for (const [, rec] of index.entries.range(dir > 0 ? low : high, dir > 0 ? high : low)) expired.add(rec.doc);
          for (const doc of expired) coll.remove(doc);
          removed += expired.size;
        }
      }
    }
    return removed;
  }
}
