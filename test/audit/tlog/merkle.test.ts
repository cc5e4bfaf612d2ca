import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  MissingNodeError,
  TreeArgumentError,
  TreeBuilder,
  appendLeaves,
  checkConsistency,
  checkInclusion,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  verifyConsistency,
  verifyInclusion,
  type NodeKey,
  type ReadNodes,
} from '../../../src/audit/tlog/merkle';
import { ConflictingNodeError, MemoryNodeStore } from '../../../src/audit/tlog/memoryNodeStore';

// ---------------------------------------------------------------------------------------------
// An independent implementation, written straight from the recursive definitions of
// RFC 6962 §2.1 (MTH), §2.1.1 (PATH) and §2.1.2 (PROOF/SUBPROOF), over the leaf INPUTS.
// It shares no code with the module under test (own hashing, own splitting).

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
/** k: the largest power of two smaller than n (n > 1). */
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
// D[lo:hi] is written as a view (D, lo, hi) so MTH of a sub-list can be memoised per leaf list.
const memo = new WeakMap<Buffer[], Map<string, Buffer>>();
function mth(D: Buffer[], lo: number, hi: number): Buffer {
  let cache = memo.get(D);
  if (!cache) memo.set(D, (cache = new Map()));
  const key = `${lo}:${hi}`;
  let h = cache.get(key);
  if (!h) {
    const n = hi - lo;
    if (n === 0) h = sha();
    else if (n === 1) h = sha(Buffer.of(0), D[lo]!);
    else h = sha(Buffer.of(1), mth(D, lo, lo + k(n)), mth(D, lo + k(n), hi));
    cache.set(key, h);
  }
  return h;
}
/** MTH(D[0:n]) of RFC 6962 §2.1 (n defaults to all of D). */
const MTH = (D: Buffer[], n = D.length) => mth(D, 0, n);
function path(m: number, D: Buffer[], lo: number, hi: number): Buffer[] {
  const n = hi - lo;
  if (n === 1) return [];
  const kk = k(n);
  if (m < kk) return [...path(m, D, lo, lo + kk), mth(D, lo + kk, hi)];
  return [...path(m - kk, D, lo + kk, hi), mth(D, lo, lo + kk)];
}
function subproof(m: number, D: Buffer[], lo: number, hi: number, b: boolean): Buffer[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [mth(D, lo, hi)];
  const kk = k(n);
  if (m <= kk) return [...subproof(m, D, lo, lo + kk, b), mth(D, lo + kk, hi)];
  return [...subproof(m - kk, D, lo + kk, hi, false), mth(D, lo, lo + kk)];
}
/** PATH(m, D[n]) of RFC 6962 §2.1.1. */
const PATH = (m: number, D: Buffer[], n = D.length) => path(m, D, 0, n);
/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 6962 §2.1.2. */
const PROOF = (m: number, D: Buffer[], n = D.length) => subproof(m, D, 0, n, true);

// ---------------------------------------------------------------------------------------------

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const hexes = (bs: Uint8Array[]) => bs.map(hex);
const dh = (s: string) => Buffer.from(s, 'hex');
const log2ceil = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Leaf inputs: "leaf <i>" as bytes. */
const inputs = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));

/** Builds a store by appending the leaves in random batch sizes, checking every intermediate root. */
async function buildStore(D: Buffer[], rand: () => number) {
  const store = new MemoryNodeStore();
  let size = 0;
  while (size < D.length) {
    const batch = Math.min(D.length - size, 1 + Math.floor(rand() * 9));
    store.resetCounters();
    const result = await appendLeaves(size, store.readNodes, D.slice(size, size + batch).map(leafHash));
    expect(store.batches).toBeLessThanOrEqual(1);
    expect(store.largestBatch).toBeLessThanOrEqual(log2ceil(size + 1));
    store.put(result.nodes);
    size = result.size;
    expect(hex(result.root)).toBe(hex(MTH(D, size)));
  }
  return store;
}

function flip(proof: Buffer[], i: number): Buffer[] {
  const copy = proof.map((p) => Buffer.from(p));
  copy[i]![0]! ^= 0x10;
  return copy;
}

// Published RFC 6962 vectors (certificate-transparency / transparency-dev/merkle proof/verify_test.go).
const VECTOR_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(dh);
const VECTOR_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf index (0-based), tree size, path]
const VECTOR_PATHS: [number, number, string[]][] = [
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];
// [m, n, proof]
const VECTOR_PROOFS: [number, number, string[]][] = [
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [6, 7, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];

describe('RFC 6962 hashing', () => {
  it('hashes leaves with 0x00 and nodes with 0x01, and the empty tree as SHA-256("")', () => {
    expect(hex(leafHash(Buffer.from('abc')))).toBe(hex(sha(Buffer.of(0), Buffer.from('abc'))));
    const l = sha(Buffer.from('l'));
    const r = sha(Buffer.from('r'));
    expect(hex(nodeHash(l, r))).toBe(hex(sha(Buffer.of(1), l, r)));
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches the published RFC 6962 test vectors (roots, audit paths, consistency proofs)', async () => {
    const store = await buildStore(VECTOR_LEAVES, prng(1));
    for (let n = 1; n <= 8; n++) {
      expect(hex(await rootAt(n, store.readNodes))).toBe(VECTOR_ROOTS[n - 1]);
      expect(hex(MTH(VECTOR_LEAVES, n))).toBe(VECTOR_ROOTS[n - 1]); // the reference agrees too
    }
    for (const [index, size, path] of VECTOR_PATHS) {
      const proof = await inclusionProof(index, size, store.readNodes);
      expect(hexes(proof)).toEqual(path);
      expect(verifyInclusion(leafHash(VECTOR_LEAVES[index]!), index, size, proof, dh(VECTOR_ROOTS[size - 1]!))).toBe(true);
    }
    for (const [m, n, expected] of VECTOR_PROOFS) {
      const proof = await consistencyProof(m, n, store.readNodes);
      expect(hexes(proof)).toEqual(expected);
      expect(verifyConsistency(m, n, proof, dh(VECTOR_ROOTS[m - 1]!), dh(VECTOR_ROOTS[n - 1]!))).toBe(true);
    }
  });
});

describe('stored-node tree against the recursive RFC 6962 definitions', () => {
  it('for every size 1..64, every index and every m ≤ n: equal proofs that verify, with one batched read each', async () => {
    const D = inputs(64);
    const store = await buildStore(D, prng(7));
    for (let n = 1; n <= 64; n++) {
            const root = MTH(D, n);
      store.resetCounters();
      expect(hex(await rootAt(n, store.readNodes))).toBe(hex(root));
      expect(store.batches).toBe(1);
      expect(store.largestBatch).toBeLessThanOrEqual(log2ceil(n + 1));
      for (let i = 0; i < n; i++) {
        store.resetCounters();
        const proof = await inclusionProof(i, n, store.readNodes);
        expect(store.batches).toBeLessThanOrEqual(1);
        expect(store.largestBatch).toBeLessThanOrEqual(2 * log2ceil(n));
        expect(hexes(proof)).toEqual(hexes(PATH(i, D, n)));
        expect(verifyInclusion(leafHash(D[i]!), i, n, proof, root)).toBe(true);
      }
      for (let m = 0; m <= n; m++) {
        store.resetCounters();
        const proof = await consistencyProof(m, n, store.readNodes);
        expect(store.batches).toBeLessThanOrEqual(1);
        expect(store.largestBatch).toBeLessThanOrEqual(2 * log2ceil(n));
        expect(hexes(proof)).toEqual(m === 0 ? [] : hexes(PROOF(m, D, n)));
        expect(checkConsistency(m, n, proof, MTH(D, m), root)).toEqual({ ok: true });
      }
    }
  });

  it('agrees on random larger trees (built in random batches) at random indexes and sizes', async () => {
    const rand = prng(42);
    for (const total of [255, 256, 257, 1000, 1025]) {
      const D = inputs(total);
      const store = await buildStore(D, rand);
      for (let trial = 0; trial < 25; trial++) {
        const n = 1 + Math.floor(rand() * total);
        const m = Math.floor(rand() * (n + 1));
        const i = Math.floor(rand() * n);
                const root = MTH(D, n);
        expect(hex(await rootAt(n, store.readNodes))).toBe(hex(root));
        const path = await inclusionProof(i, n, store.readNodes);
        expect(hexes(path)).toEqual(hexes(PATH(i, D, n)));
        expect(verifyInclusion(leafHash(D[i]!), i, n, path, root)).toBe(true);
        const proof = await consistencyProof(m, n, store.readNodes);
        expect(hexes(proof)).toEqual(m === 0 ? [] : hexes(PROOF(m, D, n)));
        expect(verifyConsistency(m, n, proof, MTH(D, m), root)).toBe(true);
      }
    }
  });
});

describe('tampered proofs fail', () => {
  it('inclusion: every flipped element, wrong index, wrong size, wrong leaf, wrong root, added or removed element', async () => {
    const D = inputs(80);
    const store = await buildStore(D, prng(3));
    const roots = D.map((_, i) => MTH(D, i)).concat([MTH(D)]);
    for (let n = 1; n <= 40; n++) {
      const root = roots[n]!;
      for (let i = 0; i < n; i++) {
        const leaf = leafHash(D[i]!);
        const proof = await inclusionProof(i, n, store.readNodes);
        for (let j = 0; j < proof.length; j++) expect(verifyInclusion(leaf, i, n, flip(proof, j), root)).toBe(false);
        if (n > 1) {
          for (const other of [i - 1, i + 1, i ^ 1]) if (other >= 0 && other < n) expect(verifyInclusion(leaf, other, n, proof, root)).toBe(false);
          expect(verifyInclusion(leafHash(D[(i + 1) % n]!), i, n, proof, root)).toBe(false);
        }
        // Other sizes with their genuine roots; sizes that change the height with the original root.
        for (const nn of [n + 1, n - 1, n * 2]) if (nn > i) expect(verifyInclusion(leaf, i, nn, proof, roots[nn]!)).toBe(false);
        expect(verifyInclusion(leaf, i, n * 2, proof, root)).toBe(false);
        if (Math.floor(n / 2) > i) expect(verifyInclusion(leaf, i, Math.floor(n / 2), proof, root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, proof, EMPTY_ROOT)).toBe(false);
        expect(verifyInclusion(leaf, i, n, [...proof, root], root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, [root, ...proof], root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root)).toBe(false);
      }
    }
  });

  it('consistency: every flipped element, wrong sizes, wrong or swapped roots, added, removed or empty proof', async () => {
    const D = inputs(80);
    const store = await buildStore(D, prng(5));
    const roots = D.map((_, i) => MTH(D, i)).concat([MTH(D)]);
    for (let n = 2; n <= 40; n++) {
      const rootN = roots[n]!;
      for (let m = 1; m < n; m++) {
        const rootM = roots[m]!;
        const proof = await consistencyProof(m, n, store.readNodes);
        expect(verifyConsistency(m, n, proof, rootM, rootN)).toBe(true);
        for (let j = 0; j < proof.length; j++) expect(verifyConsistency(m, n, flip(proof, j), rootM, rootN)).toBe(false);
        // Other sizes, each with its genuine root (as a signed checkpoint would pair them).
        for (const [mm, nn] of [[m - 1, n], [m + 1, n], [m ^ 2, n], [m, n * 2], [m, Math.floor(n / 2)], [m, n + 1], [m, n - 1]] as const) {
          if ((mm === m && nn === n) || mm < 1 || mm >= nn) continue;
          expect(verifyConsistency(mm, nn, proof, roots[mm]!, roots[nn]!)).toBe(false);
        }
        // Sizes that change the tree height, with the original roots.
        expect(verifyConsistency(m, n * 2, proof, rootM, rootN)).toBe(false);
        if (m < Math.floor(n / 2)) expect(verifyConsistency(m, Math.floor(n / 2), proof, rootM, rootN)).toBe(false);
        expect(verifyConsistency(m, n, proof, rootN, rootM)).toBe(false);
        expect(verifyConsistency(m, n, proof, EMPTY_ROOT, rootN)).toBe(false);
        expect(verifyConsistency(m, n, proof, rootM, EMPTY_ROOT)).toBe(false);
        expect(verifyConsistency(m, n, [], rootM, rootN)).toBe(false);
        expect(verifyConsistency(m, n, [...proof, rootM], rootM, rootN)).toBe(false);
        expect(verifyConsistency(m, n, [...proof, rootN], rootM, rootN)).toBe(false);
        expect(verifyConsistency(m, n, [rootM, ...proof], rootM, rootN)).toBe(false);
        expect(verifyConsistency(m, n, [proof[0]!, ...proof], rootM, rootN)).toBe(false);
        expect(verifyConsistency(m, n, proof.slice(0, -1), rootM, rootN)).toBe(false);
      }
    }
  });

  it('edge sizes: m = n needs equal roots and no proof; m = 0 needs the empty root; m > n fails', () => {
    const a = MTH(inputs(3));
    const b = MTH(inputs(4));
    expect(checkConsistency(3, 3, [], a, a)).toEqual({ ok: true });
    expect(checkConsistency(3, 3, [], a, b).ok).toBe(false);
    expect(checkConsistency(3, 3, [a], a, a).ok).toBe(false);
    expect(checkConsistency(0, 4, [], EMPTY_ROOT, b)).toEqual({ ok: true });
    expect(checkConsistency(0, 4, [], a, b).ok).toBe(false);
    expect(checkConsistency(0, 4, [a], EMPTY_ROOT, b).ok).toBe(false);
    expect(checkConsistency(4, 3, [a], b, a)).toEqual({ ok: false, reason: 'the first size 4 exceeds the second size 3' });
    expect(checkInclusion(leafHash(inputs(1)[0]!), 0, 1, [], MTH(inputs(1)))).toEqual({ ok: true });
    expect(checkInclusion(leafHash(inputs(1)[0]!), 1, 1, [], MTH(inputs(1)))).toEqual({ ok: false, reason: 'the index 1 is not less than the tree size 1' });
    expect(checkInclusion(leafHash(inputs(1)[0]!), 0, 0, [], EMPTY_ROOT).ok).toBe(false);
  });
});

describe('hostile input to the verifiers', () => {
  it('never throws, and fails with a reason', () => {
    const h = MTH(inputs(5));
    const weird: unknown[] = [undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 53, '3', {}, [], 'abc', Buffer.alloc(31), Buffer.alloc(33), new Uint16Array(16), 10n];
    let failures = 0;
    for (const a of weird) {
      for (const position of [0, 1, 2, 3, 4]) {
        const args: unknown[] = [h, 2, 5, [h, h, h], h];
        args[position] = a;
        const inc = checkInclusion(...(args as [unknown, unknown, unknown, unknown, unknown]));
        expect(inc.ok).toBe(false);
        if (!inc.ok) expect(inc.reason).toMatch(/\w/);
        const cargs: unknown[] = [2, 5, [h, h, h], h, h];
        cargs[position] = a;
        const con = checkConsistency(...(cargs as [unknown, unknown, unknown, unknown, unknown]));
        expect(con.ok).toBe(false);
        failures++;
      }
    }
    expect(checkInclusion(h, 0, 5, [h, 'x', h], h)).toEqual({ ok: false, reason: 'proof element 1 is not a 32-byte hash' });
    expect(checkConsistency(2, 5, [h, h, new Uint8Array(3)], h, h)).toEqual({ ok: false, reason: 'proof element 2 is not a 32-byte hash' });
    const longProof = Array.from({ length: 10_000 }, () => h);
    expect(checkInclusion(h, 3, 5, longProof, h)).toEqual({ ok: false, reason: 'the proof is longer than the path for this index and size' });
    expect(checkConsistency(3, 5, longProof, h, h)).toEqual({ ok: false, reason: 'the proof is longer than needed for these sizes' });
    expect(failures).toBe(weird.length * 5);
  });
});

describe('sizes beyond 32 bits', () => {
  // A tree whose leaves are all the same hash: node (level, index) depends only on its level, so
  // a consistent store can be served for any size without storing anything.
  const levelHash: Buffer[] = [sha(Buffer.from('same leaf'))];
  for (let l = 1; l <= 53; l++) levelHash.push(sha(Buffer.of(1), levelHash[l - 1]!, levelHash[l - 1]!));
  const asked: NodeKey[] = [];
  const readNodes: ReadNodes = async (keys) => {
    asked.push(...keys);
    return keys.map((key) => levelHash[key.level]);
  };

  it('computes roots and proofs that verify at sizes near 2^32, 2^40 and 2^53 − 1', async () => {
    for (const n of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 12_345, Number.MAX_SAFE_INTEGER]) {
      const root = await rootAt(n, readNodes);
      for (const i of [0, 1, 2 ** 31, 2 ** 32 - 1, n - 2, n - 1]) {
        if (i >= n) continue;
        const proof = await inclusionProof(i, n, readNodes);
        expect(proof.length).toBeLessThanOrEqual(53);
        expect(checkInclusion(levelHash[0], i, n, proof, root)).toEqual({ ok: true });
      }
      for (const m of [1, 2 ** 31 + 3, 2 ** 32, n - 1]) {
        if (m > n) continue;
        const rootM = await rootAt(m, readNodes);
        const proof = await consistencyProof(m, n, readNodes);
        expect(checkConsistency(m, n, proof, rootM, root)).toEqual({ ok: true });
      }
    }
    expect(asked.every((key) => Number.isSafeInteger(key.index) && key.index >= 0)).toBe(true);
  });

  it('appends after a size above 2^32 with one read of the peaks', async () => {
    asked.length = 0;
    const size = 2 ** 33 + 5; // peaks at levels 33, 2, 0
    const result = await appendLeaves(size, readNodes, [levelHash[0]!, levelHash[0]!, levelHash[0]!]);
    expect(asked.map((key) => `${key.level}/${key.index}`)).toEqual(['33/0', '2/2147483648', '0/8589934596']);
    expect(result.size).toBe(size + 3);
    expect(hex(result.root)).toBe(hex(await rootAt(size + 3, readNodes)));
    expect(result.nodes.map((node) => `${node.key.level}/${node.key.index}`)).toEqual([
      '0/8589934597', '1/4294967298', // leaf 2^33+5 completes the pair [2^33+4, 2^33+6)
      '0/8589934598',
      '0/8589934599', '1/4294967299', '2/2147483649', '3/1073741824', // leaf 2^33+7 completes levels 1, 2 and 3
    ]);
  });
});

describe('read bounds', () => {
  it('reads at most 2·⌈log2 n⌉ nodes, in one batch, for every proof up to n = 128 and random ones up to n = 2^40', async () => {
    const h = Buffer.alloc(32);
    const batches: number[] = [];
    const readNodes: ReadNodes = async (keys) => {
      batches.push(keys.length);
      return keys.map(() => h);
    };
    const check = async (proof: () => Promise<unknown>, n: number) => {
      batches.length = 0;
      await proof();
      expect(batches.length).toBe(1);
      expect(batches[0]).toBeLessThanOrEqual(2 * log2ceil(n));
    };
    for (let n = 2; n <= 128; n++) {
      for (let i = 0; i < n; i++) await check(() => inclusionProof(i, n, readNodes), n);
      for (let m = 1; m < n; m++) await check(() => consistencyProof(m, n, readNodes), n);
    }
    const rand = prng(11);
    for (let t = 0; t < 1000; t++) {
      const n = 2 + Math.floor(rand() * 2 ** (1 + Math.floor(rand() * 40)));
      const i = Math.floor(rand() * n);
      const m = 1 + Math.floor(rand() * (n - 1));
      await check(() => inclusionProof(i, n, readNodes), n);
      await check(() => consistencyProof(m, n, readNodes), n);
    }
  });
});

describe('node store contract', () => {
  it('names a missing node and a malformed stored node', async () => {
    const store = new MemoryNodeStore();
    await expect(rootAt(3, store.readNodes)).rejects.toThrow(new MissingNodeError({ level: 1, index: 0 }));
    await expect(rootAt(3, async (keys) => keys.map(() => Buffer.alloc(31)))).rejects.toThrow(
      'Merkle tree node (level 1, index 0) is stored as something other than a 32-byte hash',
    );
    await expect(rootAt(3, async () => [])).rejects.toThrow('readNodes must resolve to one entry per key: asked for 2, got 0');
  });

  it('rejects bad arguments with the rule', async () => {
    const store = new MemoryNodeStore();
    await expect(inclusionProof(3, 3, store.readNodes)).rejects.toThrow(new TreeArgumentError('index must be less than size (index 3, size 3)'));
    await expect(consistencyProof(4, 3, store.readNodes)).rejects.toThrow('m must not exceed n (m 4, n 3)');
    await expect(rootAt(-1, store.readNodes)).rejects.toThrow('size must be a safe non-negative integer (0 ≤ size ≤ 2^53 − 1), got -1');
    await expect(appendLeaves(0, store.readNodes, [Buffer.alloc(5)])).rejects.toThrow('leafHashes[0] must be a 32-byte hash');
  });

  it('the empty tree needs no reads, and an empty append returns the current root', async () => {
    const store = new MemoryNodeStore();
    expect(hex(await rootAt(0, store.readNodes))).toBe(hex(EMPTY_ROOT));
    expect(store.batches).toBe(0);
    const D = inputs(5);
    store.put((await appendLeaves(0, store.readNodes, D.map(leafHash))).nodes);
    const again = await appendLeaves(5, store.readNodes, []);
    expect(again).toMatchObject({ size: 5, nodes: [] });
    expect(hex(again.root)).toBe(hex(MTH(D)));
  });

  it('stores 2n − popcount(n) nodes, write-once: a replayed append is a no-op, a different hash is refused', async () => {
    const store = new MemoryNodeStore();
    const D = inputs(13);
    const first = await appendLeaves(0, store.readNodes, D.map(leafHash));
    store.put(first.nodes);
    expect(store.count).toBe(2 * 13 - 3);
    store.put(first.nodes); // replay after a crash
    expect(store.count).toBe(2 * 13 - 3);
    expect(() => store.put([{ key: { level: 0, index: 4 }, hash: leafHash(Buffer.from('forged')) }])).toThrow(ConflictingNodeError);
  });
});

describe('TreeBuilder', () => {
  it('streams leaves to the same roots as the recursive MTH at every size', () => {
    const D = inputs(70);
    const builder = new TreeBuilder();
    expect(hex(builder.root())).toBe(hex(EMPTY_ROOT));
    D.forEach((d, i) => {
      builder.push(leafHash(d));
      expect(builder.size).toBe(i + 1);
      expect(hex(builder.root())).toBe(hex(MTH(D, i + 1)));
    });
  });
});
