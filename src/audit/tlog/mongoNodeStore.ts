/**
 * The Merkle tree's nodes in MongoDB (collection `tlogNodes`), with the insert-only contract of
 * memoryNodeStore.ts: a node is written once; writing it again with the same hash is a no-op, with
 * a different hash an error. One document per full-subtree node:
 *
 *   { _id: "<level>/<index>", l: level, i: index, h: Binary(32), r?: "<record id>" }
 *
 * `r` is set on leaves (level 0): the id of the record the leaf stands for, so that a verifier can
 * name a record that was deleted. It is not part of any hash.
 */
import type { Connection } from 'mongoose';
import { ConflictingNodeError } from './memoryNodeStore';
import { isHash, nodeKeyId, type NodeKey, type ReadNodes, type TreeNode } from './merkle';

/** Collection of the tree's nodes. */
export const NODE_COLLECTION = 'tlogNodes';

interface NodeDoc {
  _id: string;
  l: number;
  i: number;
  h: Uint8Array;
  r?: string;
}

/** A leaf or interior node to store, with the record id of a leaf. */
export type StoredNode = TreeNode & { readonly record?: string };

function bytes(value: unknown): Uint8Array | undefined {
  if (value == null) return undefined;
  if (value instanceof Uint8Array) return value;
  const binary = value as { _bsontype?: string; buffer?: Uint8Array; position?: number };
  if (binary._bsontype === 'Binary' && binary.buffer) return binary.buffer.subarray(0, binary.position);
  return undefined;
}

/** Merkle tree nodes in MongoDB; one `$in` query per batch read (of up to 200 nodes). */
export class MongoNodeStore {
  constructor(private readonly conn: Connection) {}

  private coll() {
    return this.conn.collection<NodeDoc>(NODE_COLLECTION);
  }

  /** Batched reader for the merkle functions; undefined for an absent node. */
  readonly readNodes: ReadNodes = async (keys) => {
    if (keys.length === 0) return [];
    const ids = keys.map(nodeKeyId);
    const byId = new Map<string, Uint8Array | undefined>();
    // Proofs ask for at most 2·log2(n) nodes (one query); only a resumed batch asks for more.
    for (let i = 0; i < ids.length; i += 200) {
      for (const d of await this.coll().find({ _id: { $in: ids.slice(i, i + 200) } }).toArray()) byId.set(d._id, bytes(d.h));
    }
    return ids.map((id) => byId.get(id));
  };

  /** The index the leaf ranges are read by. */
  async ensureIndexes(): Promise<void> {
    await this.coll().createIndex({ l: 1, i: 1 });
  }

  /** The stored leaves [from, to): hash and record id by index (absent ones left out). One range query. */
  async leaves(from: number, to: number): Promise<Map<number, { hash: Uint8Array | undefined; record?: string }>> {
    const docs = await this.coll().find({ l: 0, i: { $gte: from, $lt: to } }).toArray();
    return new Map(docs.map((d) => [d.i, { hash: bytes(d.h), record: d.r }]));
  }

  /**
   * Stores nodes, insert-only: an existing node with the same hash is kept; one with a different
   * hash throws {@link ConflictingNodeError} (the nodes of this call that were new stay stored:
   * they are deterministic, so a retry writes the same).
   */
  async put(nodes: readonly StoredNode[]): Promise<void> {
    for (const node of nodes) {
      if (!isHash(node.hash)) throw new TypeError(`node (level ${node.key.level}, index ${node.key.index}) must have a 32-byte hash`);
    }
    if (nodes.length === 0) return;
    const docs: NodeDoc[] = nodes.map((n) => ({ _id: nodeKeyId(n.key), l: n.key.level, i: n.key.index, h: Buffer.from(n.hash), ...(n.record ? { r: n.record } : {}) }));
    try {
      await this.coll().insertMany(docs, { ordered: false });
    } catch (err) {
      const errors = (err as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors;
      const duplicatesOnly = (err as { code?: number }).code === 11000 || (Array.isArray(errors) && errors.every((e) => (e.code ?? e.err?.code) === 11000));
      if (!duplicatesOnly) throw err;
      // Some were already there (a resumed batch): they must hold the same hashes.
      const keys = nodes.map((n) => n.key);
      const stored = await this.readNodes(keys);
      keys.forEach((key, i) => {
        const h = stored[i];
        if (!h || !Buffer.from(h).equals(Buffer.from(nodes[i]!.hash))) throw new ConflictingNodeError(key);
      });
    }
  }

  /** Number of stored nodes. */
  count(): Promise<number> {
    return this.coll().countDocuments();
  }
}

export type { NodeKey };
