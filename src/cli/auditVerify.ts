/**
 * `npm run audit:verify`: recomputes the transparency log from the records in MONGODB_URI and
 * checks every stored checkpoint (signature, root, consistency between consecutive checkpoints).
 *
 *   MONGODB_URI=mongodb://… [DB_NAME=crm] [TLOG_VERIFIER_KEY='<origin>+<hex id>+<base64 key>'] npm run audit:verify
 *
 * - MONGODB_URI (required): the gateway's database.
 * - DB_NAME: the database name, as for the gateway. Default `crm`.
 * - TLOG_VERIFIER_KEY: the published verifier key (GET /transparency/key), pinned out of band. Default:
 *   derived from TLOG_SIGNING_KEY, or from the development key file TLOG_SIGNING_KEY_FILE
 *   (default `.data/tlog-signing-key`). An auditor should always pass the published key.
 * - TLOG_LATE_MS: see the gateway's configuration. Default 60000.
 *
 * Exit 0 with one summary line (records, tree size, root), or exit 1 naming the first record or
 * checkpoint that fails. The outcome is also kept in `tlogVerifications`.
 */
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { formatVerifierKey } from '../audit/tlog/note';
import { loadSigningKey } from '../audit/tlog/signingKey';
import { connectMongoose } from '../db/connect';
import { CAPABILITIES } from '../server/capabilities';
import { recordSourcesOf, verifyStoredLog } from '../transparency';

function verifierKey(env: NodeJS.ProcessEnv): string {
  if (env.TLOG_VERIFIER_KEY) return env.TLOG_VERIFIER_KEY.trim();
  const file = env.TLOG_SIGNING_KEY_FILE || '.data/tlog-signing-key';
  const secret = env.TLOG_SIGNING_KEY || (existsSync(file) ? readFileSync(file, 'utf8').trim() : '');
  if (!secret) throw new Error('TLOG_VERIFIER_KEY is required: the published verifier key of the log (GET /transparency/key)');
  const signer = loadSigningKey(secret, env.TLOG_ORIGIN ? { name: env.TLOG_ORIGIN } : {});
  return formatVerifierKey(signer.name, signer.publicKey);
}

async function main(): Promise<number> {
  const env = process.env;
  const uri = env.MONGODB_URI?.trim();
  if (!uri) {
    process.stderr.write('audit:verify failed: MONGODB_URI is required: the database of the gateway\n');
    return 1;
  }
  const lateMs = env.TLOG_LATE_MS ? Number(env.TLOG_LATE_MS) : 60_000;
  if (!Number.isInteger(lateMs) || lateMs < 1000) {
    process.stderr.write('audit:verify failed: TLOG_LATE_MS must be an integer of at least 1000\n');
    return 1;
  }
  const key = verifierKey(env);
  const conn = await connectMongoose(uri, env.DB_NAME || 'crm');
  try {
    const report = await verifyStoredLog(conn, recordSourcesOf(CAPABILITIES), key, { lateMs });
    process.stdout.write(`audit:verify ${report.summary}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`audit:verify failed: ${err.name}: ${err.message}\n`);
    process.exit(1);
  },
);
