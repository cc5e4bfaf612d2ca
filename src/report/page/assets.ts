/** The page's static files: ECharts from node_modules, the page's script and stylesheet. Read once, held in memory. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ReportAsset {
  name: string;
  contentType: string;
  body: Buffer;
  /** Short content hash: the page links `?v=<hash>`, so a long cache lifetime is safe. */
  hash: string;
}

const JS = 'text/javascript; charset=utf-8';
const sources: ReadonlyArray<{ name: string; contentType: string; file: () => string }> = [
  { name: 'report.css', contentType: 'text/css; charset=utf-8', file: () => path.join(__dirname, 'report.css') },
  { name: 'echarts.min.js', contentType: JS, file: () => path.join(path.dirname(require.resolve('echarts/package.json')), 'dist', 'echarts.min.js') },
  { name: 'report.js', contentType: JS, file: () => path.join(__dirname, 'report.browser.js') },
];

let cache: ReadonlyMap<string, ReportAsset> | null = null;

/** Every asset by name, in the order the page loads them. */
export function reportAssets(): ReadonlyMap<string, ReportAsset> {
  if (cache) return cache;
  const out = new Map<string, ReportAsset>();
  for (const { name, contentType, file } of sources) {
    const body = readFileSync(file());
    out.set(name, { name, contentType, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }
  cache = out;
  return out;
}
