/**
 * RFC 6962 Merkle tree hashing, stored as the hashes of full subtrees, with inclusion and
 * consistency proofs and their verification (RFC 9162 §2.1.3.2 and §2.1.4.2).
 *
 * Storage model. A tree of `size` leaves is kept as the hashes of its FULL subtrees: node
 * (level, index) covers leaves [index·2^level, (index+1)·2^level) and exists once
 * size ≥ (index+1)·2^level. Level 0 holds the leaf hashes themselves. Nodes never change once
 * written, so a sequencer can store them with insert-only writes, and every hash of a tree of
 * any earlier size can be computed from them. Reads go through one caller-supplied batched
 * function, {@link ReadNodes}; every function here issues at most ONE batch per call.
 *
 * Sizes and indexes are JavaScript numbers, checked to be safe non-negative integers
 * (≤ 2^53 − 1). Arithmetic avoids 32-bit bitwise operators, so sizes above 2^31 work.
 *
 * Pure: no database, no I/O besides the ReadNodes callback, no project imports.
 */
import { hash as oneShotHash } from 'node:crypto';

/**
 * A SHA-256 hash: 32 bytes. Hashes this module returns are Buffers that may share a pooled
 * ArrayBuffer, like any small Buffer: use them as views (the driver stores them as BSON Binary
 * correctly), never through `.buffer`.
 */
export type Hash = Uint8Array;

/** Bytes in a SHA-256 hash. */
export const HASH_SIZE = 32;

/** The address of a stored full-subtree node: it covers leaves [index·2^level, (index+1)·2^level). */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/** A stored node: its address and its hash. */
export interface TreeNode {
  readonly key: NodeKey;
  readonly hash: Hash;
}

/**
 * Reads many stored nodes at once. Resolves to one entry per key, in the order of `keys`;
 * a missing node is `undefined` or `null` (the caller of this module then throws
 * {@link MissingNodeError}). Implementations should issue one database query per call.
 */
export type ReadNodes = (keys: readonly NodeKey[]) => Promise<ReadonlyArray<Uint8Array | null | undefined>>;

/** Thrown when the node store lacks a node the tree needs, or returns something that is not a 32-byte hash. */
export class MissingNodeError extends Error {
  constructor(
    readonly key: NodeKey,
    detail = 'is not in the node store',
  ) {
    super(`Merkle tree node (level ${key.level}, index ${key.index}) ${detail}`);
    this.name = 'MissingNodeError';
  }
}

/** Thrown for an argument that breaks a rule (a size that is not a safe integer, an index past the tree...). */
export class TreeArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeArgumentError';
  }
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

// One-shot SHA-256. The digest goes through a 'binary' (latin1) string into Buffer.from, which allocates
// from Node's small-buffer pool: measured ~1.5× faster than asking for a 'buffer' digest, which
// matters when verifying millions of nodes.
function sha256(data: Uint8Array): Buffer {
  return Buffer.from(oneShotHash('sha256', data, 'binary'), 'binary');
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Buffer {
  return sha256(Buffer.concat([LEAF_PREFIX, data]));
}

// Reused input for the common case of two 32-byte children (hashing is synchronous, so safe).
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return sha256(nodeInput);
  }
  return sha256(Buffer.concat([NODE_PREFIX, left, right], 1 + left.length + right.length));
}

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

/** A stable string for a node key, `"<level>/<index>"` (e.g. for a map key or a document `_id`). */
export function nodeKeyId(key: NodeKey): string {
  return `${key.level}/${key.index}`;
}

/** True for a 32-byte Uint8Array (a Buffer is one). */
export function isHash(value: unknown): value is Hash {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Constant-length comparison of two hashes; false unless both are 32-byte arrays with equal bytes. */
export function hashesEqual(a: unknown, b: unknown): boolean {
  if (!isHash(a) || !isHash(b)) return false;
  let diff = 0;
  for (let i = 0; i < HASH_SIZE; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

// ---------------------------------------------------------------------------------------------
// Tree arithmetic (no bitwise operators: they truncate to 32 bits).

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function requireSize(name: string, n: unknown): number {
  if (!isSize(n)) throw new TreeArgumentError(`${name} must be a safe non-negative integer (0 ≤ ${name} ≤ 2^53 − 1), got ${String(n)}`);
  return n;
}

/** The largest power of two strictly less than n (n ≥ 2): RFC 6962's k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The full subtrees that tile [start, end), left to right, largest aligned first. For the ranges
 * the proofs use (start a multiple of a power of two ≥ end − start), these are the subtree's
 * "peaks" and MTH of the range is their right fold.
 */
function rangeKeys(start: number, end: number): NodeKey[] {
  const keys: NodeKey[] = [];
  while (start < end) {
    let level = 0;
    let width = 1;
    while (start % (width * 2) === 0 && start + width * 2 <= end) {
      width *= 2;
      level++;
    }
    keys.push({ level, index: start / width });
    start += width;
  }
  return keys;
}

/** Right fold of peak hashes: H(p0, H(p1, … H(p[n-2], p[n-1]))). The MTH of an aligned range. */
function foldPeaks(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return Buffer.from(EMPTY_ROOT);
  let acc: Buffer = Buffer.from(hashes[hashes.length - 1]!);
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** A half-open range of leaves [start, end) whose MTH is one proof element. */
interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** RFC 6962 §2.1.1 PATH(m, D[lo:hi]) as the leaf ranges of its elements, bottom-up. */
function pathRanges(m: number, lo: number, hi: number, out: LeafRange[]): void {
  if (hi - lo <= 1) return;
  const k = splitPoint(hi - lo);
  if (m < lo + k) {
    pathRanges(m, lo, lo + k, out);
    out.push({ start: lo + k, end: hi });
  } else {
    pathRanges(m, lo + k, hi, out);
    out.push({ start: lo, end: lo + k });
  }
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b) as the leaf ranges of its elements, bottom-up. */
function subproofRanges(m: number, lo: number, hi: number, complete: boolean, out: LeafRange[]): void {
  const n = hi - lo;
  if (m === n) {
    if (!complete) out.push({ start: lo, end: hi });
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofRanges(m, lo, lo + k, complete, out);
    out.push({ start: lo + k, end: hi });
  } else {
    subproofRanges(m - k, lo + k, hi, false, out);
    out.push({ start: lo, end: lo + k });
  }
}

/** Reads, in one batch, the nodes tiling each range, and returns each range's MTH. */
async function rangeHashes(ranges: readonly LeafRange[], readNodes: ReadNodes): Promise<Buffer[]> {
  const tilings = ranges.map((r) => rangeKeys(r.start, r.end));
  const unique = new Map<string, NodeKey>();
  for (const keys of tilings) for (const key of keys) unique.set(nodeKeyId(key), key);
  const hashes = await readBatch([...unique.values()], readNodes);
  return tilings.map((keys) => foldPeaks(keys.map((key) => hashes.get(nodeKeyId(key))!)));
}

async function readBatch(keys: NodeKey[], readNodes: ReadNodes): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  if (keys.length === 0) return found;
  const values = await readNodes(keys);
  if (!Array.isArray(values) || values.length !== keys.length) {
    throw new TreeArgumentError(`readNodes must resolve to one entry per key: asked for ${keys.length}, got ${Array.isArray(values) ? values.length : typeof values}`);
  }
  keys.forEach((key, i) => {
    const value: unknown = values[i];
    if (value == null) throw new MissingNodeError(key);
    if (!isHash(value)) throw new MissingNodeError(key, `is stored as something other than a 32-byte hash`);
    found.set(nodeKeyId(key), value);
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** What {@link appendLeaves} produced: the nodes to store and the tree head after the append. */
export interface AppendResult {
  /** The tree size after the append (old size + number of leaves). */
  readonly size: number;
  /** MTH of the tree at `size`. */
  readonly root: Buffer;
  /**
   * Every full-subtree node the append completed, leaves (level 0) included, in creation order.
   * The caller must store them all, insert-only; they are deterministic, so re-running the same
   * append after a crash yields the same nodes (a stored node with a DIFFERENT hash is corruption).
   */
  readonly nodes: TreeNode[];
}

/**
 * Appends leaves to a stored tree of `size` leaves.
 *
 * Reads: ONE batch of at most ⌈log2(size + 1)⌉ nodes (the full subtrees of the current tree,
 * one per set bit of `size`), none when size is 0; independent of the number of new leaves.
 * Hashing: one node hash per new node (fewer than 2 per leaf) plus ⌈log2⌉ for the root.
 * The caller must serialise appends (one sequencer) and store `nodes` before publishing `size`.
 *
 * @param size the current tree size (leaves already stored)
 * @param readNodes batched node reader over the store
 * @param leafHashes the RFC 6962 leaf hashes to append, in order (each 32 bytes)
 */
export async function appendLeaves(size: number, readNodes: ReadNodes, leafHashes: readonly Uint8Array[]): Promise<AppendResult> {
  requireSize('size', size);
  if (!Number.isSafeInteger(size + leafHashes.length)) throw new TreeArgumentError(`size + leafHashes.length must stay ≤ 2^53 − 1`);
  leafHashes.forEach((h, i) => {
    if (!isHash(h)) throw new TreeArgumentError(`leafHashes[${i}] must be a 32-byte hash`);
  });
  const peakKeys = rangeKeys(0, size);
  const stored = await readBatch(peakKeys, readNodes);
  const stack: { level: number; index: number; hash: Buffer }[] = peakKeys.map((key) => ({
    level: key.level,
    index: key.index,
    hash: Buffer.from(stored.get(nodeKeyId(key))!),
  }));
  const nodes: TreeNode[] = [];
  let position = size;
  for (const leaf of leafHashes) {
    let top: { level: number; index: number; hash: Buffer } = { level: 0, index: position, hash: Buffer.from(leaf) };
    nodes.push({ key: { level: 0, index: position }, hash: top.hash });
    while (stack.length > 0 && stack[stack.length - 1]!.level === top.level) {
      const left = stack.pop()!;
      top = { level: top.level + 1, index: left.index / 2, hash: nodeHash(left.hash, top.hash) };
      nodes.push({ key: { level: top.level, index: top.index }, hash: top.hash });
    }
    stack.push(top);
    position++;
  }
  return { size: position, root: foldPeaks(stack.map((p) => p.hash)), nodes };
}

// ---------------------------------------------------------------------------------------------
// Reading: roots and proofs from stored nodes

/**
 * MTH of the tree at `size`. ONE batch of at most ⌈log2(size + 1)⌉ node reads (none for size 0,
 * whose root is {@link EMPTY_ROOT}).
 */
export async function rootAt(size: number, readNodes: ReadNodes): Promise<Buffer> {
  requireSize('size', size);
  const [root] = await rangeHashes([{ start: 0, end: size }], readNodes);
  return root!;
}

/**
 * RFC 6962 §2.1.1 inclusion proof PATH(index, D[size]): the audit path, bottom-up.
 * ONE batch of at most 2·⌈log2 size⌉ node reads (the full siblings, plus the full subtrees of
 * the one right-edge sibling that is not full). Empty for a tree of one leaf.
 *
 * @throws TreeArgumentError unless 0 ≤ index < size
 */
export async function inclusionProof(index: number, size: number, readNodes: ReadNodes): Promise<Buffer[]> {
  requireSize('size', size);
  requireSize('index', index);
  if (index >= size) throw new TreeArgumentError(`index must be less than size (index ${index}, size ${size})`);
  const ranges: LeafRange[] = [];
  pathRanges(index, 0, size, ranges);
  return rangeHashes(ranges, readNodes);
}

/**
 * RFC 6962 §2.1.2 consistency proof PROOF(m, D[n]), bottom-up. Empty when m = 0 or m = n (no
 * proof is needed). ONE batch of at most 2·⌈log2 n⌉ node reads (full subtrees, plus the tilings
 * of at most one element ending at m and one ending at n; the bound is checked exhaustively for
 * n ≤ 128 and on random sizes up to 2^40 in the tests).
 *
 * @throws TreeArgumentError unless 0 ≤ m ≤ n
 */
export async function consistencyProof(m: number, n: number, readNodes: ReadNodes): Promise<Buffer[]> {
  requireSize('m', m);
  requireSize('n', n);
  if (m > n) throw new TreeArgumentError(`m must not exceed n (m ${m}, n ${n})`);
  if (m === 0 || m === n) return [];
  const ranges: LeafRange[] = [];
  subproofRanges(m, 0, n, true, ranges);
  return rangeHashes(ranges, readNodes);
}

// ---------------------------------------------------------------------------------------------
// Verification (pure, never throws)

/** The outcome of checking a proof: ok, or the rule it broke. */
export type ProofCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: ProofCheck = { ok: true };
const fail = (reason: string): ProofCheck => ({ ok: false, reason });

function checkProofShape(proof: unknown): string | null {
  if (!Array.isArray(proof)) return 'the proof is not an array of hashes';
  for (let i = 0; i < proof.length; i++) if (!isHash(proof[i])) return `proof element ${i} is not a 32-byte hash`;
  return null;
}

/**
 * Checks an inclusion proof with the RFC 9162 §2.1.3.2 algorithm: that `leafHash` is leaf
 * `index` of the tree of `size` leaves whose MTH is `root`. Never throws: any malformed input
 * (wrong types, lengths, sizes) is a failed check with a reason.
 */
export function checkInclusion(leafHash: unknown, index: unknown, size: unknown, proof: unknown, root: unknown): ProofCheck {
  try {
    if (!isHash(leafHash)) return fail('the leaf hash is not a 32-byte hash');
    if (!isHash(root)) return fail('the root is not a 32-byte hash');
    if (!isSize(index) || !isSize(size)) return fail('index and size must be safe non-negative integers');
    if (index >= size) return fail(`the index ${index} is not less than the tree size ${size}`);
    const shape = checkProofShape(proof);
    if (shape) return fail(shape);
    const path = proof as Uint8Array[];
    let fn = index;
    let sn = size - 1;
    let r: Uint8Array = leafHash;
    for (const p of path) {
      if (sn === 0) return fail('the proof is longer than the path for this index and size');
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    if (sn !== 0) return fail('the proof is shorter than the path for this index and size');
    if (!hashesEqual(r, root)) return fail('the root computed from the proof differs from the given root');
    return OK;
  } catch (error) {
    return fail(`the proof could not be checked: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** {@link checkInclusion} as a boolean: true only for a valid proof. */
export function verifyInclusion(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  return checkInclusion(leafHash, index, size, proof, root).ok;
}

/**
 * Checks a consistency proof with the RFC 9162 §2.1.4.2 algorithm: that the tree of `m` leaves
 * with MTH `rootM` is a prefix of the tree of `n` leaves with MTH `rootN`. Never throws.
 *
 * Edge cases (RFC 9162 defines the proof for 0 < m < n only): m = n needs an empty proof and
 * equal roots; m = 0 needs an empty proof and rootM equal to {@link EMPTY_ROOT} (every tree
 * extends the empty tree); m > n fails.
 */
export function checkConsistency(m: unknown, n: unknown, proof: unknown, rootM: unknown, rootN: unknown): ProofCheck {
  try {
    if (!isSize(m) || !isSize(n)) return fail('the sizes must be safe non-negative integers');
    if (!isHash(rootM) || !isHash(rootN)) return fail('the roots must be 32-byte hashes');
    if (m > n) return fail(`the first size ${m} exceeds the second size ${n}`);
    const shape = checkProofShape(proof);
    if (shape) return fail(shape);
    const path = proof as Uint8Array[];
    if (m === 0) {
      if (path.length !== 0) return fail('a proof from the empty tree must be empty');
      return hashesEqual(rootM, EMPTY_ROOT) ? OK : fail('the root of the empty tree must be SHA-256 of the empty string');
    }
    if (m === n) {
      if (path.length !== 0) return fail('a proof between equal sizes must be empty');
      return hashesEqual(rootM, rootN) ? OK : fail('the two roots differ for the same tree size');
    }
    if (path.length === 0) return fail('the proof is empty');
    let fn = m - 1;
    let sn = n - 1;
    // Step 2: if m is a power of two, the first tree is a full subtree and rootM is the seed.
    const items = isPowerOfTwo(m) ? [rootM, ...path] : path;
    while (fn % 2 === 1) {
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    let fr: Uint8Array = items[0]!;
    let sr: Uint8Array = items[0]!;
    for (let i = 1; i < items.length; i++) {
      const c = items[i]!;
      if (sn === 0) return fail('the proof is longer than needed for these sizes');
      if (fn % 2 === 1 || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    if (sn !== 0) return fail('the proof is shorter than needed for these sizes');
    if (!hashesEqual(fr, rootM)) return fail('the first root computed from the proof differs from the given first root');
    if (!hashesEqual(sr, rootN)) return fail('the second root computed from the proof differs from the given second root');
    return OK;
  } catch (error) {
    return fail(`the proof could not be checked: ${(error as Error)?.message ?? String(error)}`);
  }
}

function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

/** {@link checkConsistency} as a boolean: true only for a valid proof. */
export function verifyConsistency(m: number, n: number, proof: readonly Uint8Array[], rootM: Uint8Array, rootN: Uint8Array): boolean {
  return checkConsistency(m, n, proof, rootM, rootN).ok;
}

// ---------------------------------------------------------------------------------------------
// In-memory incremental tree (for verifiers that stream every leaf)

/**
 * Builds MTH incrementally from streamed leaf hashes, keeping only the O(log n) peaks.
 * `push` costs amortised one node hash per leaf; `root()` costs ⌈log2 size⌉ hashes.
 */
export class TreeBuilder {
  private readonly peaks: Uint8Array[] = [];
  private readonly levels: number[] = [];
  private count = 0;

  /** Leaves pushed so far. */
  get size(): number {
    return this.count;
  }

  /** Appends one leaf hash (32 bytes; not checked here, for speed: check before pushing). */
  push(leaf: Uint8Array): void {
    let hash: Uint8Array = leaf;
    let level = 0;
    const { peaks, levels } = this;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      hash = nodeHash(peaks.pop()!, hash);
      levels.pop();
      level++;
    }
    peaks.push(hash);
    levels.push(level);
    this.count++;
  }

  /** MTH of the leaves pushed so far ({@link EMPTY_ROOT} when none). */
  root(): Buffer {
    return foldPeaks(this.peaks);
  }
}
