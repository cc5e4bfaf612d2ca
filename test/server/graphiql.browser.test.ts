import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_CSP, graphiqlRouter, wantsGraphiQL } from '../../src/server/graphiql';
import { startTestApp } from '../support/app';
import { launchBrowser, openGuardedPage } from '../support/browser';

/** What Chromium sends when the address bar opens a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const ENDPOINTS = ['/graphql', '/self/graphql', '/partner/graphql'];
const MARKETING_QUERY = '{ customers(first: 3) { totalCount edges { node { id fullName email } } } }';
const CDN_URL = 'https://cdn.jsdelivr.net/npm/graphiql@3.9.0/graphiql.min.js';
const DENIED_FIELD_QUERY = '{ customers(first: 3) { edges { node { id fullName phone } } } }';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** The `src`/`href` URLs of an HTML page. */
function linkedUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1].replace(/&#38;/g, '&'));
}

describe('graphiqlRouter on a bare express app', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use('/graphql', graphiqlRouter({ endpoint: '/graphql', title: 'Staff <GraphiQL>' }), (req, res) => {
      res.json({ handledBy: 'graphql', method: req.method, html: wantsGraphiQL(req) });
    });
    // Mounted at the root, with its own headers template.
    app.use(graphiqlRouter({ endpoint: '/self/graphql', defaultHeaders: '{"Authorization": "Bearer <customer token>"}' }));
    app.use((_req, res) => {
      res.status(404).json({ handledBy: 'fallthrough' });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });

  it('serves the page to a browser, with a strict CSP and the title escaped', async () => {
    const res = await fetch(`${base}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
    expect(res.headers.get('vary')).toMatch(/accept/i);
    const html = await res.text();
    expect(html).toContain('<title>Staff &#60;GraphiQL&#62;</title>');
    expect(html).not.toContain('://');
  });

  it('passes GraphQL clients, curl and POSTs through to the next handler', async () => {
    const json = await fetch(`${base}/graphql?query=%7B__typename%7D`, { headers: { accept: 'application/json' } });
    expect(await json.json()).toEqual({ handledBy: 'graphql', method: 'GET', html: false });
    const curl = await fetch(`${base}/graphql`, { headers: { accept: '*/*' } });
    expect(await curl.json()).toEqual({ handledBy: 'graphql', method: 'GET', html: false });
    const post = await fetch(`${base}/graphql`, { method: 'POST', headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/json' }, body: '{}' });
    expect(await post.json()).toEqual({ handledBy: 'graphql', method: 'POST', html: false });
  });

  it('works mounted at the root, and leaves other paths alone', async () => {
    const page = await fetch(`${base}/self/graphql/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('"endpoint":"/self/graphql"');
    expect(html).toContain('Bearer \\u003ccustomer token>');
    const other = await fetch(`${base}/elsewhere`, { headers: { accept: BROWSER_ACCEPT } });
    expect(await other.json()).toEqual({ handledBy: 'fallthrough' });
  });

  it('serves each asset with its content type and a long cache lifetime, and 404s unknown ones', async () => {
    const html = await (await fetch(`${base}/graphql`, { headers: { accept: BROWSER_ACCEPT } })).text();
    const assets = linkedUrls(html).filter((u) => !u.startsWith('data:'));
    expect(assets.map((u) => u.split('?')[0])).toEqual([
      '/graphql/_assets/graphiql.min.css',
      '/graphql/_assets/react.production.min.js',
      '/graphql/_assets/react-dom.production.min.js',
      '/graphql/_assets/graphiql.min.js',
      '/graphql/_assets/bootstrap.js',
    ]);
    for (const url of assets) {
      const res = await fetch(`${base}${url}`);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toMatch(url.includes('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(res.headers.get('cache-control'), url).toBe('public, max-age=31536000, immutable');
      expect((await res.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
    }
    const traversal = await fetch(`${base}/graphql/_assets/..%2F..%2Fpackage.json`);
    expect(traversal.status).toBe(404);
    const unknown = await fetch(`${base}/graphql/_assets/secrets.js`);
    expect(unknown.status).toBe(404);
  });

  it('refuses a headers template that is not a JSON object, naming the option', () => {
    expect(() => graphiqlRouter({ endpoint: '/graphql', defaultHeaders: 'Authorization: Bearer x' })).toThrow(/"defaultHeaders"/);
    expect(() => graphiqlRouter({ endpoint: '/graphql', defaultHeaders: '["x"]' })).toThrow(/"defaultHeaders"/);
    expect(() => graphiqlRouter({ endpoint: 'graphql' })).toThrow(/"endpoint"/);
  });
});

describe('GraphiQL in the gateway', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it.each(ENDPOINTS)('serves GraphiQL on GET %s for browsers, from its own files only', async (endpoint) => {
    const res = await fetch(`${app.url}${endpoint}`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
    const html = await res.text();
    expect(html).not.toContain('://');
    for (const url of linkedUrls(html)) {
      expect(url.startsWith(`${endpoint}/_assets/`) || url.startsWith('data:'), url).toBe(true);
    }
  });

  it('still answers GraphQL POSTs on /graphql', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.tokens.mia}`, 'x-purpose': 'marketing' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  /** Open GraphiQL, put `headers` and `query` in the editors, press run, return the parsed result pane. */
  async function runInGraphiQL(page: Page, headers: Record<string, string>, query: string, waitFor: string): Promise<unknown> {
    await page.goto(`${app.url}/graphql`);
    const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
    const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
    await queryEditor.waitFor();
    await headersEditor.waitFor();
    expect(await headersEditor.innerText()).toContain('X-Purpose');
    await headersEditor.evaluate((el, text) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(text), JSON.stringify(headers, null, 2));
    await queryEditor.evaluate((el, text) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(text), query);
    await page.locator('.graphiql-execute-button').click();
    const result = await page.waitForFunction((marker) => {
      const el = document.querySelector('.result-window .CodeMirror') as unknown as { CodeMirror: { getValue(): string } } | null;
      const text = el?.CodeMirror.getValue() ?? '';
      return text.includes(marker) ? text : false;
    }, waitFor);
    return JSON.parse((await result.jsonValue()) as string);
  }

  it("runs a marketer's query with her token and purpose, and shows the result, without leaving localhost", async () => {
    const { context, page, guard, problems } = await openGuardedPage(browser);
    try {
      const result = (await runInGraphiQL(page, { Authorization: `Bearer ${app.tokens.mia}`, 'X-Purpose': 'marketing' }, MARKETING_QUERY, '"totalCount"')) as {
        data: { customers: { totalCount: number; edges: { node: { id: string; fullName: string | null; email: string | null } }[] } };
        errors?: unknown[];
      };
      expect(result.errors).toBeUndefined();
      expect(result.data.customers.edges).toHaveLength(3);
      expect(result.data.customers.totalCount).toBeGreaterThanOrEqual(3);
      for (const { node } of result.data.customers.edges) {
        expect(node.id).toMatch(/^cus_/);
        expect(node.fullName).toEqual(expect.any(String));
      }
      await page.screenshot({ path: '/tmp/graphiql.png' });

      // The bearer token is never written to the browser's storage.
      const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join('\n'));
      expect(stored).toContain('X-Purpose');
      expect(stored).toContain('<not stored: paste a token again>');
      expect(stored).not.toContain(app.tokens.mia);

      expect(guard.blocked).toEqual([]);
      expect(problems.errors).toEqual([]);
      expect(problems.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a field the purpose may not read as null, with a FORBIDDEN_FIELD error that explains it', async () => {
    const { context, page, guard } = await openGuardedPage(browser);
    try {
      const result = (await runInGraphiQL(page, { Authorization: `Bearer ${app.tokens.mia}`, 'X-Purpose': 'marketing' }, DENIED_FIELD_QUERY, 'FORBIDDEN_FIELD')) as {
        data: { customers: { edges: { node: { fullName: string | null; phone: string | null } }[] } };
        errors: { extensions: Record<string, unknown> }[];
      };
      expect(result.data.customers.edges.length).toBeGreaterThan(0);
      for (const { node } of result.data.customers.edges) {
        expect(node.phone).toBeNull();
        expect(typeof node.fullName).toBe('string');
      }
      const denied = result.errors.filter((e) => e.extensions.code === 'FORBIDDEN_FIELD');
      expect(denied).toHaveLength(1);
      expect(denied[0].extensions).toMatchObject({ field: 'Customer.phone', purpose: 'marketing', count: result.data.customers.edges.length });
      expect(guard.blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });

  /** Try to fetch a CDN URL from inside the page; say whether the browser let it through. */
  async function tryCdnFetch(page: Page): Promise<string> {
    return page.evaluate(async (url) => {
      try {
        await fetch(url, { mode: 'no-cors' });
        return 'fetched';
      } catch {
        return 'refused';
      }
    }, CDN_URL);
  }

  it("GraphiQL's CSP refuses a request to another origin before it is sent", async () => {
    const { context, page, guard, problems } = await openGuardedPage(browser);
    try {
      await page.goto(`${app.url}/graphql`);
      expect(await tryCdnFetch(page)).toBe('refused');
      expect(guard.blocked).toEqual([]);
      expect(problems.cspViolations.join('\n')).toContain('connect-src');
    } finally {
      await context.close();
    }
  });

  it('the network guard refuses, and records, a request beyond localhost from a page without a CSP', async () => {
    const { context, page, guard } = await openGuardedPage(browser);
    try {
      await page.goto(`${app.url}/healthz`);
      expect(await tryCdnFetch(page)).toBe('refused');
      expect(guard.blocked).toEqual([CDN_URL]);
    } finally {
      await context.close();
    }
  });
});
