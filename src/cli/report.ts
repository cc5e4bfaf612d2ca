/**
 * `npm run report -- --from <YYYY-MM-DD> --to <YYYY-MM-DD> --out <file.html>`: the privacy
 * officer's report over the database in MONGODB_URI, written as one self-contained HTML file (the
 * data, ECharts, the page's script and styles inline; it opens offline). Both dates are optional
 * (default: the last 30 days up to today, UTC), as in privacyReport(from, to).
 *
 *   MONGODB_URI=mongodb://… [DB_NAME=crm] [POLICIES_DIR=policies] npm run report -- --from 2026-11-01 --to 2026-11-30 --out report.html
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { isSafeError } from '../core/errors';
import { connectMongoose } from '../db/connect';
import { loadPolicies } from '../policy';
import { computeReport, parseRange, renderReportFile, reportAssets } from '../report';

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } } });
  if (!values.out) throw new UsageError('--out <file.html> is required: the file to write the report to');
  if (!/\.html?$/i.test(values.out)) throw new UsageError('--out must name an .html file');
  const range = parseRange(values.from, values.to);
  const config = loadConfig();
  if (!config.mongodbUri) throw new UsageError('MONGODB_URI is required: the database to report on (with the embedded store, the URI npm start prints)');
  const policies = loadPolicies(config.policiesDir);
  const conn = await connectMongoose(config.mongodbUri, config.dbName);
  try {
    const report = await computeReport(conn.db!, range, policies.fields);
    // The same JSON the page receives from GraphQL (dates as ISO strings).
    const html = renderReportFile(reportAssets(), JSON.parse(JSON.stringify(report)));
    writeFileSync(values.out, html);
    process.stdout.write(`privacy report ${range.from} to ${range.to} (${range.days} days): written to ${path.resolve(values.out)} (${Math.round(html.length / 1024)} KB)\n`);
    return 0;
  } finally {
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    const known = err instanceof UsageError || isSafeError(err);
    process.stderr.write(`report failed: ${known ? err.message : `${err.name}: ${err.message}`}\n`);
    process.exit(known ? 2 : 1);
  },
);
