/** Helpers of the transparency tests: wait for the sequencer, run `npm run audit:verify` as a process. */
import { execFile } from 'node:child_process';
import type { Connection } from 'mongoose';

/** Resolves once every record of these collections is sequenced and the latest checkpoint covers the whole tree. */
export async function settled(conn: Connection, collections: readonly string[], timeoutMs = 90_000): Promise<{ size: number }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let waiting = 0;
    for (const c of collections) waiting += await conn.collection(c).countDocuments({ leaf: null });
    const state = await conn.collection('tlogState').findOne({ _id: 'tree' as never });
    const latest = await conn.collection('tlogCheckpoints').find().sort({ treeSize: -1 }).limit(1).next();
    if (waiting === 0 && state && !state.pending && latest?.treeSize === state.size) return { size: state.size as number };
    if (Date.now() > until) throw new Error(`not settled: ${waiting} records waiting`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs src/cli/auditVerify.ts (what `npm run audit:verify` runs) and resolves its exit code and output. */
export function auditVerify(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/auditVerify.ts'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}
