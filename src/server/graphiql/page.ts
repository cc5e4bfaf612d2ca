import type { GraphiQLAsset } from './assets';

/** What the page hands to the browser-side bootstrap, as a JSON block (not executed). */
export interface GraphiQLPageConfig {
  endpoint: string;
  defaultHeaders: string;
  defaultQuery: string;
  /** Tabs a fresh page opens with (development: one per demo persona). */
  tabs: ReadonlyArray<{ title: string; query: string; variables: string; headers: string }>;
  /** Example operations listed in the Purpose panel. */
  examples: ReadonlyArray<{ name: string; purpose: string | null; query: string; variables: string }>;
  /** The customer audience declares no purpose (it is always self-service). */
  implicitPurpose: boolean;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`. */
function jsonForScriptBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The HTML of the GraphiQL page. Every URL in it is a path on the gateway itself
 * (`<endpoint>/_assets/<file>?v=<hash>`); there is no inline script.
 */
export function renderGraphiQLPage(title: string, config: GraphiQLPageConfig, assets: ReadonlyMap<string, GraphiQLAsset>): string {
  const href = (name: string): string => {
    const asset = assets.get(name);
    if (!asset) throw new Error(`GraphiQL asset "${name}" is not registered`);
    return escapeHtml(`${config.endpoint}/_assets/${name}?v=${asset.hash}`);
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href('graphiql.min.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="graphiql-config" type="application/json">${jsonForScriptBlock(config)}</script>
<script src="${href('react.production.min.js')}"></script>
<script src="${href('react-dom.production.min.js')}"></script>
<script src="${href('graphiql.min.js')}"></script>
<script src="${href('bootstrap.js')}"></script>
</body>
</html>
`;
}
