/**
 * Verifies a whole log: every stored checkpoint against the verifier key, and the tree the
 * records give against every checkpoint. Pure: the caller streams the leaves (from the records,
 * or the stored leaf hash of a pruned record) and passes the checkpoints; nothing is read here.
 *
 * Order of checks, and so which failure is "first":
 *  1. every checkpoint, in the order given: a well-formed note signed by a known key, a valid
 *     checkpoint body of the expected origin, a size not below the previous one, and the same
 *     root as the previous one when the size is the same;
 *  2. the leaves, in leaf order: each a 32-byte hash, at the index it claims (when it claims
 *     one), equal to the stored leaf hash (when one is given); and whenever the leaves reach a
 *     checkpoint's size, the root of the leaves so far equals the signed root, and (when the
 *     caller supplies stored proofs) the consistency proof from the previous checkpoint verifies;
 *  3. no checkpoint is beyond the last leaf.
 *
 * Cost: one node hash per leaf (amortised) plus ⌈log2 n⌉ per checkpoint; memory O(log n).
 */
import { EMPTY_ROOT, TreeBuilder, checkConsistency, hashesEqual, isHash } from './merkle';
import { openCheckpoint, parseVerifierKey, type Checkpoint, type NoteVerifier } from './note';

/** One leaf in the stream, with what the caller knows about it. */
export interface LeafEntry {
  /** The leaf hash recomputed from the record (or the stored leaf hash of a pruned record). */
  readonly leafHash: Uint8Array;
  /** The leaf index the record claims (e.g. its stored leafIndex); when given, it must equal its position. */
  readonly index?: number;
  /** The leaf hash the node store holds at this position, when known; a difference names this leaf. */
  readonly storedLeafHash?: Uint8Array;
  /** How failures name the record (e.g. its _id). */
  readonly id?: string;
}

/** The leaves in leaf order: bare leaf hashes or {@link LeafEntry}s, synchronously or asynchronously (e.g. a cursor). */
export type LeafSource = Iterable<Uint8Array | LeafEntry> | AsyncIterable<Uint8Array | LeafEntry>;

/** What {@link verifyLog} checks. */
export interface VerifyLogInput {
  /** Every leaf, in leaf order, from leaf 0. */
  readonly leaves: LeafSource;
  /** The stored checkpoints (signed note texts), in size order. */
  readonly checkpoints: readonly (string | Uint8Array)[];
  /** The log's verifier key(s): parsed, or as `<name>+<hex id>+<base64 key>` strings. */
  readonly verifiers: string | NoteVerifier | readonly (string | NoteVerifier)[];
  /** The expected checkpoint origin; default: the name of the key that signed each checkpoint. */
  readonly origin?: string;
  /**
   * Optional: serves the consistency proof between two tree sizes from the stored nodes (e.g.
   * `(m, n) => consistencyProof(m, n, store.readNodes)`). When given, the proof between each
   * two consecutive checkpoints of different sizes must verify against their signed roots,
   * which shows that the stored tree (what proofs are served from) agrees with the signatures.
   */
  readonly consistencyProof?: (m: number, n: number) => Promise<readonly Uint8Array[]>;
}

/** The first thing that did not verify. Indexes are 0-based; `checkpoint` indexes the list given. */
export type VerifyFailure =
  | { readonly kind: 'checkpoint-invalid'; readonly checkpoint: number; readonly code: string; readonly message: string }
  | { readonly kind: 'checkpoint-order'; readonly checkpoint: number; readonly size: number; readonly previousSize: number; readonly message: string }
  | { readonly kind: 'checkpoint-fork'; readonly checkpoint: number; readonly size: number; readonly message: string }
  | { readonly kind: 'checkpoint-root'; readonly checkpoint: number; readonly size: number; readonly leafRange: readonly [number, number]; readonly message: string }
  | { readonly kind: 'checkpoint-beyond-log'; readonly checkpoint: number; readonly size: number; readonly leaves: number; readonly message: string }
  | { readonly kind: 'consistency'; readonly checkpoint: number; readonly from: number; readonly to: number; readonly message: string }
  | { readonly kind: 'leaf-malformed'; readonly leaf: number; readonly id?: string; readonly message: string }
  | { readonly kind: 'leaf-index'; readonly leaf: number; readonly id?: string; readonly claimed: unknown; readonly message: string }
  | { readonly kind: 'leaf-stored-hash'; readonly leaf: number; readonly id?: string; readonly message: string };

/** The outcome of {@link verifyLog}, with a one-line summary for a command's output. */
export type VerifyResult =
  | {
      readonly ok: true;
      readonly leaves: number;
      readonly checkpoints: number;
      /** The largest checkpoint, or null when none was given. */
      readonly latest: Checkpoint | null;
      /** Leaves after the latest checkpoint: present, but not yet covered by any signature. */
      readonly unanchoredLeaves: number;
      readonly summary: string;
    }
  | {
      readonly ok: false;
      readonly failure: VerifyFailure;
      /** Leaves hashed into the tree before the failure was found. */
      readonly leavesChecked: number;
      readonly summary: string;
    };

const b64 = (hash: Uint8Array) => Buffer.from(hash).toString('base64');

function toVerifiers(input: VerifyLogInput['verifiers']): NoteVerifier[] {
  const list = Array.isArray(input) ? input : [input as string | NoteVerifier];
  return list.map((v) => (typeof v === 'string' ? parseVerifierKey(v) : v));
}

function describeLeaf(position: number, id: string | undefined): string {
  return id === undefined ? `leaf ${position}` : `leaf ${position} (record ${id})`;
}

/**
 * Verifies the log: see the file comment for what is checked and in which order. Returns the
 * first failure; never throws for bad data (a leaf source that throws, e.g. a failed cursor,
 * propagates).
 *
 * @throws NoteFormatError if a verifier key string is malformed (configuration, not data)
 */
export async function verifyLog(input: VerifyLogInput): Promise<VerifyResult> {
  const verifiers = toVerifiers(input.verifiers);
  const builder = new TreeBuilder();
  const failed = (failure: VerifyFailure): VerifyResult => ({ ok: false, failure, leavesChecked: builder.size, summary: failure.message });

  // 1. Checkpoints: signature, format, origin, order.
  const checkpoints: Checkpoint[] = [];
  for (let i = 0; i < input.checkpoints.length; i++) {
    const opened = openCheckpoint(input.checkpoints[i]!, verifiers, input.origin === undefined ? {} : { origin: input.origin });
    if (!opened.ok) {
      return failed({ kind: 'checkpoint-invalid', checkpoint: i, code: opened.code, message: `checkpoint #${i} does not verify: ${opened.reason}` });
    }
    const cp = opened.checkpoint;
    const previous = checkpoints[i - 1];
    if (previous && cp.size < previous.size) {
      return failed({
        kind: 'checkpoint-order',
        checkpoint: i,
        size: cp.size,
        previousSize: previous.size,
        message: `checkpoint #${i} (size ${cp.size}) comes after checkpoint #${i - 1} (size ${previous.size}): checkpoints must be in size order`,
      });
    }
    if (previous && cp.size === previous.size && !hashesEqual(cp.rootHash, previous.rootHash)) {
      return failed({
        kind: 'checkpoint-fork',
        checkpoint: i,
        size: cp.size,
        message: `checkpoints #${i - 1} and #${i} are both signed at size ${cp.size} with different roots: the log forked`,
      });
    }
    checkpoints.push(cp);
  }

  // 2. Leaves, comparing roots (and stored consistency proofs) at each checkpoint size.
  let next = 0; // next checkpoint to reach
  let anchored = 0; // size of the last checkpoint whose root matched
  let anchoredCheckpoint = -1;

  const reachCheckpoints = async (): Promise<VerifyFailure | null> => {
    while (next < checkpoints.length && checkpoints[next]!.size === builder.size) {
      const cp = checkpoints[next]!;
      const root = builder.size === 0 ? EMPTY_ROOT : builder.root();
      if (!hashesEqual(root, cp.rootHash)) {
        return {
          kind: 'checkpoint-root',
          checkpoint: next,
          size: cp.size,
          leafRange: [anchored, cp.size],
          message:
            cp.size === 0
              ? `checkpoint #${next} (size 0) is signed over root ${b64(cp.rootHash)}, but the empty tree's root is ${b64(root)}`
              : `checkpoint #${next} (size ${cp.size}) is signed over root ${b64(cp.rootHash)}, but the records give ${b64(root)}: ` +
                `a record among leaves ${anchored}..${cp.size - 1} was changed, removed, inserted or reordered`,
        };
      }
      if (input.consistencyProof && anchoredCheckpoint >= 0 && anchored < cp.size) {
        const from = checkpoints[anchoredCheckpoint]!;
        let problem: string | null;
        try {
          const proof = await input.consistencyProof(from.size, cp.size);
          const check = checkConsistency(from.size, cp.size, proof, from.rootHash, cp.rootHash);
          problem = check.ok ? null : check.reason;
        } catch (error) {
          problem = `the proof could not be produced: ${(error as Error)?.message ?? String(error)}`;
        }
        if (problem) {
          return {
            kind: 'consistency',
            checkpoint: next,
            from: from.size,
            to: cp.size,
            message: `the stored consistency proof from checkpoint #${anchoredCheckpoint} (size ${from.size}) to checkpoint #${next} (size ${cp.size}) does not verify: ${problem}`,
          };
        }
      }
      anchored = cp.size;
      anchoredCheckpoint = next;
      next++;
    }
    return null;
  };

  const take = (item: Uint8Array | LeafEntry): VerifyFailure | null => {
    const position = builder.size;
    if (item instanceof Uint8Array) {
      if (item.length !== 32) return { kind: 'leaf-malformed', leaf: position, message: `leaf ${position} is not a 32-byte hash` };
      builder.push(item);
      return null;
    }
    const entry = item as LeafEntry;
    const id = entry?.id;
    if (!entry || !isHash(entry.leafHash)) return { kind: 'leaf-malformed', leaf: position, id, message: `${describeLeaf(position, id)} has no 32-byte leaf hash` };
    if (entry.index !== undefined && entry.index !== position) {
      return {
        kind: 'leaf-index',
        leaf: position,
        id,
        claimed: entry.index,
        message: `${describeLeaf(position, id)} claims leaf index ${String(entry.index)}: a record before it is missing, duplicated or out of order`,
      };
    }
    if (entry.storedLeafHash !== undefined && !hashesEqual(entry.storedLeafHash, entry.leafHash)) {
      return {
        kind: 'leaf-stored-hash',
        leaf: position,
        id,
        message: `${describeLeaf(position, id)} does not hash to the stored leaf hash: the record was changed after it was logged`,
      };
    }
    builder.push(entry.leafHash);
    return null;
  };

  let failure = await reachCheckpoints(); // size-0 checkpoints
  if (failure) return failed(failure);
  const source = input.leaves;
  if (typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const item of source as AsyncIterable<Uint8Array | LeafEntry>) {
      failure = take(item) ?? (next < checkpoints.length && checkpoints[next]!.size === builder.size ? await reachCheckpoints() : null);
      if (failure) return failed(failure);
    }
  } else {
    for (const item of source as Iterable<Uint8Array | LeafEntry>) {
      failure = take(item);
      if (!failure && next < checkpoints.length && checkpoints[next]!.size === builder.size) failure = await reachCheckpoints();
      if (failure) return failed(failure);
    }
  }

  // 3. Checkpoints beyond the leaves.
  if (next < checkpoints.length) {
    const cp = checkpoints[next]!;
    return failed({
      kind: 'checkpoint-beyond-log',
      checkpoint: next,
      size: cp.size,
      leaves: builder.size,
      message: `checkpoint #${next} is signed at size ${cp.size} but the log holds ${builder.size} records: records ${builder.size}..${cp.size - 1} are missing`,
    });
  }

  const latest = checkpoints[checkpoints.length - 1] ?? null;
  const unanchoredLeaves = builder.size - (latest?.size ?? 0);
  const summary =
    `verified ${builder.size} records against ${checkpoints.length} checkpoints` +
    (latest ? `; latest checkpoint: size ${latest.size}, root ${b64(latest.rootHash)}` : '') +
    (unanchoredLeaves > 0 ? `; ${unanchoredLeaves} newer records are not yet covered by a checkpoint` : '');
  return { ok: true, leaves: builder.size, checkpoints: checkpoints.length, latest, unanchoredLeaves, summary };
}
