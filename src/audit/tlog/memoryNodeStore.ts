/**
 * An in-memory store of Merkle tree nodes, with the same insert-only contract a MongoDB
 * sequencer must keep: a node is written once; writing it again with the same hash is a no-op,
 * with a different hash an error. Counts reads so tests can check the batching bounds.
 */
import { isHash, nodeKeyId, type NodeKey, type ReadNodes, type TreeNode } from './merkle';

/** Thrown when a node would be overwritten with a different hash. */
export class ConflictingNodeError extends Error {
  constructor(readonly key: NodeKey) {
    super(`Merkle tree node (level ${key.level}, index ${key.index}) is already stored with a different hash; nodes are write-once`);
    this.name = 'ConflictingNodeError';
  }
}

/** Merkle tree nodes in a Map keyed by {@link nodeKeyId}; for tests and tools, not for production. */
export class MemoryNodeStore {
  private readonly nodes = new Map<string, Uint8Array>();
  /** Number of readNodes calls (batches) so far. */
  batches = 0;
  /** Number of keys asked for across all batches so far. */
  keysRead = 0;
  /** Size of the largest batch so far. */
  largestBatch = 0;

  /** Batched reader for the merkle functions; resolves undefined for an absent node. */
  readonly readNodes: ReadNodes = async (keys) => {
    this.batches++;
    this.keysRead += keys.length;
    this.largestBatch = Math.max(this.largestBatch, keys.length);
    return keys.map((key) => this.nodes.get(nodeKeyId(key)));
  };

  /**
   * Stores nodes, insert-only: an existing node with the same hash is kept, one with a
   * different hash throws {@link ConflictingNodeError} (and nothing of this call is stored).
   */
  put(nodes: readonly TreeNode[]): void {
    for (const node of nodes) {
      if (!isHash(node.hash)) throw new TypeError(`node (level ${node.key.level}, index ${node.key.index}) must have a 32-byte hash`);
      const existing = this.nodes.get(nodeKeyId(node.key));
      if (existing && !Buffer.from(existing).equals(node.hash)) throw new ConflictingNodeError(node.key);
    }
    for (const node of nodes) this.nodes.set(nodeKeyId(node.key), Buffer.from(node.hash));
  }

  /** The stored hash of one node, or undefined. */
  get(key: NodeKey): Uint8Array | undefined {
    return this.nodes.get(nodeKeyId(key));
  }

  /** Number of stored nodes. */
  get count(): number {
    return this.nodes.size;
  }

  /** Resets the read counters. */
  resetCounters(): void {
    this.batches = 0;
    this.keysRead = 0;
    this.largestBatch = 0;
  }
}
