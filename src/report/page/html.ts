/**
 * The report page's HTML, in two forms: served (GET /privacy/report: linked local assets, a token
 * field, the report fetched from /graphql) and self-contained (npm run report: styles, ECharts, the
 * page script and the report's data inline, no form).
 */
import { REPORT_QUERY } from './query';
import type { ReportAsset } from './assets';

export const REPORT_PATH = '/privacy/report';
export const ASSET_PREFIX = `${REPORT_PATH}/_assets/`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A script's text inlined in a <script> element (a `</script` inside it would end the element). */
function inlineScript(body: Buffer): string {
  return body.toString('utf8').replace(/<\/(script)/gi, '<\\/$1');
}

const BODY = `<header>
<h1>Privacy report</h1>
<p id="range" class="range"></p>
</header>
<form id="controls" class="controls" autocomplete="off">
<label>Privacy officer's token <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" placeholder="Bearer token (kept in memory only)"></label>
<label>From <input id="from" name="from" type="text" inputmode="numeric" placeholder="YYYY-MM-DD" size="11"></label>
<label>To <input id="to" name="to" type="text" inputmode="numeric" placeholder="YYYY-MM-DD" size="11"></label>
<button id="show" type="submit">Show report</button>
</form>
<div id="error" class="error" role="alert" hidden></div>
<main id="report" hidden>
<section class="figures" id="figures"></section>
<section class="grid">
<figure><figcaption>Accesses by purpose per day</figcaption><div class="chart" id="chart-accesses"></div></figure>
<figure><figcaption>Denials by code</figcaption><div class="chart" id="chart-denials"></div></figure>
<figure><figcaption>Consents granted and withdrawn per day</figcaption><div class="chart" id="chart-consents"></div></figure>
<figure><figcaption>Erasures requested in the range</figcaption><div class="chart" id="chart-erasures"></div></figure>
<figure><figcaption>Customer attributes read, by category</figcaption><div class="chart" id="chart-categories"></div></figure>
<figure><figcaption>Log integrity</figcaption><div id="integrity" class="integrity"></div></figure>
</section>
<section class="tables" id="tables"></section>
<p class="note">Counts from 1 to 4 are shown as “&lt; 5” (drawn at 0 in the charts). Roles and counts only: no staff or customer id, name or value.</p>
</main>`;

function head(title: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
${style}
</head>`;
}

/** The served page: every URL a path on the gateway (`/privacy/report/_assets/<file>?v=<hash>`), no inline script. */
export function renderServedPage(assets: ReadonlyMap<string, ReportAsset>, endpoint = '/graphql'): string {
  const href = (name: string) => {
    const a = assets.get(name);
    if (!a) throw new Error(`report asset "${name}" is not registered`);
    return escapeHtml(`${ASSET_PREFIX}${name}?v=${a.hash}`);
  };
  return `${head('Privacy report', `<link rel="stylesheet" href="${href('report.css')}">`)}
<body>
${BODY}
<script id="report-config" type="application/json">${jsonForScript({ endpoint, query: REPORT_QUERY, purpose: 'audit' })}</script>
<script src="${href('echarts.min.js')}"></script>
<script src="${href('report.js')}"></script>
</body>
</html>
`;
}

/** The self-contained file: the report's data (a PrivacyReport as JSON) and every script and style inline. */
export function renderReportFile(assets: ReadonlyMap<string, ReportAsset>, report: unknown): string {
  const body = (name: string) => {
    const a = assets.get(name);
    if (!a) throw new Error(`report asset "${name}" is not registered`);
    return a.body;
  };
  const r = report as { from?: string; to?: string };
  return `${head(`Privacy report ${r.from ?? ''} to ${r.to ?? ''}`, `<style>${body('report.css').toString('utf8').replace(/<\/(style)/gi, '<\\/$1')}</style>`)}
<body class="file">
${BODY}
<script id="report-data" type="application/json">${jsonForScript(report)}</script>
<script>${inlineScript(body('echarts.min.js'))}</script>
<script>${inlineScript(body('report.js'))}</script>
</body>
</html>
`;
}
