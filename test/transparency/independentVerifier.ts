/**
 * An independent verifier for the tests, written straight from the specifications and importing
 * nothing of src/: RFC 6962 §2.1 (MTH), §2.1.1 (audit paths) and §2.1.2 (consistency proofs) as
 * the recursive definitions they are (not the iterative RFC 9162 algorithms src/audit/tlog uses),
 * and C2SP signed-note / tlog-checkpoint parsing with the Ed25519 check of node:crypto, from the
 * published verifier key only.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
/** RFC 6962 §2.1: MTH({d0}) = SHA-256(0x00 || d0). */
export const leafOf = (data: Uint8Array) => sha256(Buffer.of(0), data);
const node = (l: Uint8Array, r: Uint8Array) => sha256(Buffer.of(1), l, r);
/** "the largest power of two smaller than n" */
const kOf = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH over leaf hashes (RFC 6962 §2.1), for the tests' own trees. */
export function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const k = kOf(leaves.length);
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/**
 * §2.1.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, PATH(m-k, D[k:n]) : MTH(D[0:k])
 * otherwise; so the LAST element is the sibling at the top. Rebuilds MTH(D[n]) from the leaf.
 */
export function rootFromAuditPath(m: number, n: number, leaf: Buffer, path: Buffer[]): Buffer | null {
  const rest = [...path];
  const walk = (m: number, n: number): Buffer | null => {
    if (n === 1) return leaf;
    const sibling = rest.pop();
    if (!sibling) return null;
    const k = kOf(n);
    if (m < k) {
      const left = walk(m, k);
      return left && node(left, sibling);
    }
    const right = walk(m - k, n - k);
    return right && node(sibling, right);
  };
  if (m < 0 || m >= n) return null;
  const root = walk(m, n);
  return root && rest.length === 0 ? root : null;
}

/**
 * §2.1.2: PROOF(m, D[n]) = SUBPROOF(m, D[n], true); SUBPROOF(m, D[m], true) = {},
 * SUBPROOF(m, D[m], false) = {MTH(D[m])}; for m < n: m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]),
 * m > k: SUBPROOF(m-k, D[k:n], false) : MTH(D[0:k]). Rebuilds both roots and compares them.
 */
export function consistencyHolds(m: number, n: number, proof: Buffer[], rootM: Buffer, rootN: Buffer): boolean {
  if (m === n) return proof.length === 0 && rootM.equals(rootN);
  if (m === 0) return proof.length === 0;
  if (m > n) return false;
  const rest = [...proof];
  const walk = (m: number, n: number, b: boolean): { old: Buffer; now: Buffer } | null => {
    if (m === n) {
      if (b) return { old: rootM, now: rootM };
      const x = rest.pop();
      return x ? { old: x, now: x } : null;
    }
    const k = kOf(n);
    const top = rest.pop();
    if (!top) return null;
    if (m <= k) {
      const inner = walk(m, k, b);
      return inner && { old: inner.old, now: node(inner.now, top) };
    }
    const inner = walk(m - k, n - k, false);
    return inner && { old: node(top, inner.old), now: node(top, inner.now) };
  };
  const r = walk(m, n, true);
  return !!r && rest.length === 0 && r.old.equals(rootM) && r.now.equals(rootN);
}

/** A verifier key `<name>+<hex id>+<base64(0x01 || 32-byte key)>`, its key ID checked (signed-note spec). */
export function parseKey(vkey: string): { name: string; id: Buffer; key: ReturnType<typeof createPublicKey> } {
  // <name>+<hex id>+<base64>: the name has no '+', the base64 may.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim());
  if (!m) throw new Error('not a verifier key');
  const [, name, hexId, b64] = m as unknown as [string, string, string, string];
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 verifier key');
  const id = sha256(Buffer.from(`${name}\n`), raw).subarray(0, 4);
  if (id.toString('hex') !== hexId) throw new Error('key ID does not match');
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw.subarray(1)]);
  return { name, id, key: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
}

/** Opens a signed checkpoint with the key: the body's origin, size and root; null unless the key's signature verifies. */
export function openSignedCheckpoint(note: string, vkey: string): { origin: string; size: number; root: Buffer } | null {
  const key = parseKey(vkey);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return null;
  const text = note.slice(0, split + 1);
  const ok = note.slice(split + 2).split('\n').filter((l) => l !== '').some((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== key.name) return false;
    const sig = Buffer.from(m[2]!, 'base64');
    return sig.subarray(0, 4).equals(key.id) && verify(null, Buffer.from(text), key.key, sig.subarray(4));
  });
  if (!ok) return null;
  const [origin, size, root] = text.split('\n');
  if (origin !== key.name || !/^\d+$/.test(size ?? '')) return null;
  return { origin, size: Number(size), root: Buffer.from(root!, 'base64') };
}
