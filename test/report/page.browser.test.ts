/**
 * GET /privacy/report in Chromium: with a privacy officer's token every chart is drawn (SVG with
 * marks in it), nothing leaves localhost, nothing goes wrong in the console, the token is stored
 * nowhere; another role's token and bad dates show the error, not data; the page prints without its
 * form; `npm run report`'s self-contained file renders offline too. Screenshots go to test-artifacts/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { launchBrowser, openGuardedPage } from '../support/browser';

const ARTIFACTS = path.resolve('test-artifacts');
const CHARTS = ['chart-accesses', 'chart-denials', 'chart-consents', 'chart-erasures', 'chart-categories'];
const today = new Date().toISOString().slice(0, 10);

let app: TestApp;
let browser: Browser;

/** Console errors of a page (any, not only CSP). */
function consoleErrors(page: Page): string[] {
  const out: string[] = [];
  page.on('console', (msg) => { if (msg.type() === 'error') out.push(msg.text()); });
  return out;
}

/**
 * Per chart: its SVG's size on screen, and how many filled shapes larger than a legend icon it
 * holds (areas, bars, funnel steps; axes and grid lines are strokes, not fills).
 */
async function drawn(page: Page): Promise<Record<string, { marks: number; width: number; height: number }>> {
  return page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const svg = document.querySelector(`#${id} svg`);
    const box = svg?.getBoundingClientRect();
    const marks = svg ? Array.from(svg.querySelectorAll('path')).filter((p) => {
      const fill = p.getAttribute('fill');
      const b = p.getBoundingClientRect();
      return fill && fill !== 'none' && fill !== 'transparent' && b.width * b.height > 1000;
    }).length : 0;
    return [id, { marks, width: Math.round(box?.width ?? 0), height: Math.round(box?.height ?? 0) }];
  })), CHARTS);
}

async function showReport(page: Page, token: string, from?: string, to?: string): Promise<void> {
  await page.goto(`${app.url}/privacy/report`);
  await page.fill('#token', token);
  if (from) await page.fill('#from', from);
  if (to) await page.fill('#to', to);
  await page.click('#show');
  await page.waitForSelector('body[data-settled]');
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await startTestApp();
  for (let i = 0; i < 3; i++) await gql(app.url, '{ customers(first: 8) { edges { node { id fullName email } } } }', { token: app.tokens.mia, purpose: 'marketing' });
  await gql(app.url, '{ customers(first: 6) { edges { node { id phone } } } }', { token: app.tokens.mia, purpose: 'marketing' });
  for (let i = 0; i < 5; i++) await gql(app.url, '{ customers(first: 1) { edges { node { id } } } }', { token: app.tokens.dan, purpose: 'marketing' });
  for (const c of ['cus_0002', 'cus_0003', 'cus_0004', 'cus_0005', 'cus_0006', 'cus_0007']) {
    // At least one grant or none, then a withdrawal each: six withdrawals, drawn (not "< 5").
    for (const m of ['grantConsent', 'withdrawConsent']) await gql(app.url, `mutation { ${m}(key: "analytics") { key } }`, { token: app.sign({ kind: 'customer', sub: c }), endpoint: '/self/graphql' });
  }
  await gql(app.url, 'mutation { leaveProgram(confirm: true) { status } }', { token: app.sign({ kind: 'customer', sub: 'cus_0009' }), endpoint: '/self/graphql' });
  const db = app.running.services.conn.db!;
  const now = new Date();
  await db.collection('disposalRuns').insertOne({ _id: 'run_1' as never, startedAt: now, finishedAt: now, dryRun: false, status: 'DONE', items: [{ rule: 'closed-tasks', data: 'tasks', action: 'delete', count: 12 }] });
  await db.collection('storageAssets').insertMany(Array.from({ length: 6 }, (_, i) => ({
    _id: `ast_${i}` as never, kind: 'BACKUP', label: `tape ${i}`, status: i < 5 ? 'IN_SERVICE' : 'DESTROYED', registeredAt: now, statusChangedAt: now, history: [],
  })));
  await db.collection('disposalCertificates').insertOne({ _id: 'cert_1' as never, assetId: 'ast_5', method: 'DESTROY', performedAt: now, issuedAt: now });
  await db.collection('tlogCheckpoints').insertOne({ treeSize: 42, root: 'cm9vdA==', note: 'n', at: now });
  await db.collection('tlogVerifications').insertOne({ at: now, ok: true, records: 42, treeSize: 42, root: 'cm9vdA==' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('GET /privacy/report', () => {
  it('serves the page with a strict CSP and its assets from the gateway only (ECharts from node_modules)', async () => {
    const res = await fetch(`${app.url}/privacy/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).not.toContain('://');
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1].replace(/&#38;/g, '&')).filter((u) => !u.startsWith('data:'));
    expect(urls.map((u) => u.split('?')[0])).toEqual(['/privacy/report/_assets/report.css', '/privacy/report/_assets/echarts.min.js', '/privacy/report/_assets/report.js']);
    for (const url of urls) {
      const asset = await fetch(`${app.url}${url}`);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toMatch(url.includes('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(url.includes('echarts') ? 500_000 : 1000);
    }
    expect((await fetch(`${app.url}/privacy/report/_assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${app.url}/privacy/report/_assets/other.js`)).status).toBe(404);
  });

  it("draws every chart for the privacy officer at 1024 px, from localhost only, without console errors, keeping the token in memory", async () => {
    const { context, page, guard, problems } = await openGuardedPage(browser);
    const errors = consoleErrors(page);
    try {
      await page.setViewportSize({ width: 1024, height: 900 });
      await showReport(page, app.tokens.pat);
      expect(await page.locator('#error').isVisible()).toBe(false);
      await page.waitForSelector('body[data-rendered]');
      const charts = await drawn(page);
      for (const id of CHARTS) {
        expect(charts[id].marks, id).toBeGreaterThan(0);
        expect(charts[id].width, id).toBeGreaterThan(300);
        expect(charts[id].height, id).toBeGreaterThan(200);
      }
      expect(await page.locator('#integrity-badge').innerText()).toBe('VERIFIED');
      const tables = await page.locator('#tables').innerText();
      expect(tables).toContain('closed-tasks');
      expect(tables).toContain('BACKUP');
      expect(tables).toContain('marketing-specialist');
      expect(await page.locator('#figures').innerText()).toMatch(/requests/);
      // Fits the width: nothing scrolls sideways at 1024 px.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-report.png'), fullPage: true });

      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
      expect(stored).not.toContain(app.tokens.pat.slice(-20));
      expect(guard.blocked).toEqual([]);
      expect(problems.errors).toEqual([]);
      expect(problems.cspViolations).toEqual([]);
      expect(errors).toEqual([]);

      // On paper: the form goes, the charts and tables stay.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('#controls').isVisible()).toBe(false);
      expect(await page.locator('#chart-accesses svg').isVisible()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-report-print.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("shows another role's refusal, not data", async () => {
    const { context, page, guard } = await openGuardedPage(browser);
    try {
      await showReport(page, app.tokens.mia);
      const error = page.locator('#error');
      expect(await error.isVisible()).toBe(true);
      expect(await error.innerText()).toContain('PURPOSE_NOT_ALLOWED');
      expect(await page.locator('#report').isVisible()).toBe(false);
      expect((await drawn(page))['chart-accesses'].marks).toBe(0);
      expect(await page.locator('#tables').innerText()).toBe('');
      await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-report-other-role.png') });
      expect(guard.blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each([
    ['2026-02-30', today, 'Invalid value for "from"'],
    ['2026-03-10', '2026-03-01', 'must not be after "to"'],
    ['2024-01-01', '2026-01-01', 'at most 400 days'],
  ])('shows BAD_USER_INPUT for from %s to %s', async (from, to, message) => {
    const { context, page } = await openGuardedPage(browser);
    try {
      await showReport(page, app.tokens.pat, from, to);
      const text = await page.locator('#error').innerText();
      expect(text).toContain('BAD_USER_INPUT');
      expect(text).toContain(message);
      expect(await page.locator('#report').isVisible()).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('npm run report writes one self-contained file that renders offline', async () => {
    const out = path.join(ARTIFACTS, 'privacy-report.html');
    const { stdout } = await promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['src/cli/report.ts', '--from', today, '--to', today, '--out', out], {
      env: { ...process.env, MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName, JWT_SECRET: app.config.jwtSecret },
      timeout: 90_000, // a fresh process compiling TypeScript, on a shared machine
    });
    expect(stdout).toContain(`privacy report ${today} to ${today} (1 days)`);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/);
    expect(html).not.toMatch(/cus_\d|"mia"|"dan"/);
    const { context, page, guard, problems } = await openGuardedPage(browser);
    const errors = consoleErrors(page);
    try {
      await page.setViewportSize({ width: 1024, height: 900 });
      await page.setContent(html);
      await page.waitForSelector('body[data-rendered]');
      expect(await page.locator('#controls').isVisible()).toBe(false);
      const charts = await drawn(page);
      for (const id of CHARTS) expect(charts[id].marks, id).toBeGreaterThan(0);
      expect(await page.locator('#range').innerText()).toContain(`${today} to ${today}`);
      expect(await page.locator('#integrity-badge').innerText()).toBe('VERIFIED');
      await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-report-file.png'), fullPage: true });
      expect(guard.blocked).toEqual([]);
      expect(problems.errors).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('npm run report refuses bad dates and a missing --out, naming the option, exit code 2', async () => {
    const run = (args: string[]) => promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['src/cli/report.ts', ...args], {
      env: { ...process.env, MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName, JWT_SECRET: app.config.jwtSecret }, timeout: 90_000,
    }).then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));
    const [dates, out] = await Promise.all([
      run(['--from', '2026-03-10', '--to', '2026-03-01', '--out', path.join(ARTIFACTS, 'never.html')]),
      run(['--from', '2026-03-01']),
    ]);
    expect(dates).toEqual({ code: 2, stderr: 'report failed: Invalid value for "from": must not be after "to"\n' });
    expect(out).toEqual({ code: 2, stderr: 'report failed: --out <file.html> is required: the file to write the report to\n' });
  }, 120_000);
});
