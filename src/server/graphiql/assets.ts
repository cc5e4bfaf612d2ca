import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One static file the GraphiQL page loads, read from disk once and held in memory. */
export interface GraphiQLAsset {
  /** The file name under `<endpoint>/_assets/`. */
  name: string;
  contentType: string;
  body: Buffer;
  /** Short content hash: the page links `?v=<hash>` so a long cache lifetime is safe. */
  hash: string;
}

/** Where a package's files live; its package.json is exported, its UMD files are not. */
function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`));
}

/** The assets, in the order the page loads the scripts. */
const sources: ReadonlyArray<{ name: string; contentType: string; file: () => string }> = [
  { name: 'graphiql.min.css', contentType: 'text/css; charset=utf-8', file: () => path.join(packageDir('graphiql'), 'graphiql.min.css') },
  { name: 'react.production.min.js', contentType: 'text/javascript; charset=utf-8', file: () => path.join(packageDir('react'), 'umd', 'react.production.min.js') },
  { name: 'react-dom.production.min.js', contentType: 'text/javascript; charset=utf-8', file: () => path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js') },
  { name: 'graphiql.min.js', contentType: 'text/javascript; charset=utf-8', file: () => path.join(packageDir('graphiql'), 'graphiql.min.js') },
  { name: 'bootstrap.js', contentType: 'text/javascript; charset=utf-8', file: () => path.join(__dirname, 'bootstrap.browser.js') },
];

let cache: ReadonlyMap<string, GraphiQLAsset> | null = null;

/** All GraphiQL assets by name. Files are read on the first call and shared by every router. */
export function graphiqlAssets(): ReadonlyMap<string, GraphiQLAsset> {
  if (cache) return cache;
  const assets = new Map<string, GraphiQLAsset>();
  for (const { name, contentType, file } of sources) {
    const body = readFileSync(file());
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    assets.set(name, { name, contentType, body, hash });
  }
  cache = assets;
  return assets;
}
