/**
 * `npx tsx bench/tlogVerify.ts [leaves]`: how long verifyLog takes over a log of this many leaves
 * (default 1,000,000) with a checkpoint every 10,000. Prints figures only.
 */
import { randomBytes } from 'node:crypto';
import { TreeBuilder } from '../src/audit/tlog/merkle';
import { generateSigningKey } from '../src/audit/tlog/signingKey';
import { signCheckpoint } from '../src/audit/tlog/note';
import { verifyLog } from '../src/audit/tlog/verify';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const key = generateSigningKey('bench.example/log');
  const pool = randomBytes(32 * n);
  const hashes = Array.from({ length: n }, (_, i) => pool.subarray(32 * i, 32 * i + 32));
  const builder = new TreeBuilder();
  const checkpoints: string[] = [];
  hashes.forEach((h, i) => {
    builder.push(h);
    if ((i + 1) % 10_000 === 0) checkpoints.push(signCheckpoint({ size: i + 1, rootHash: builder.root() }, key.signer));
  });
  const started = performance.now();
  const result = await verifyLog({ leaves: hashes, checkpoints, verifiers: key.verifierKey });
  const ms = performance.now() - started;
  process.stdout.write(`verifyLog: ${n} leaves, ${checkpoints.length} checkpoints: ${ms.toFixed(0)} ms (${result.ok ? 'ok' : 'FAILED'})\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.message}\n`);
  process.exit(1);
});
