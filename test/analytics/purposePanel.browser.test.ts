/**
 * GraphiQL's Purpose panel in Chromium, end to end: paste a token, pick a purpose (and a task), open
 * the example, run it, read the result; a screenshot is kept in test-artifacts/. Also: the starter
 * comments fit the window at 1024 and 1440 px, the customer's tells nobody to set X-Purpose, and in
 * development each demo persona has a tab whose first query works.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSONAS } from '../../src/demo/personas';
import { startTestApp, type TestApp } from '../support/app';
import { launchBrowser, openGuardedPage } from '../support/browser';
import { plantCohorts } from './cohorts';

const ARTIFACTS = 'test-artifacts';

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  app = await startTestApp();
  await plantCohorts(app);
  browser = await launchBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

type Editor = { CodeMirror: { getValue(): string } };
const editorText = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => (el as unknown as Editor).CodeMirror.getValue());
const HEADERS = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const QUERY = '.graphiql-query-editor .CodeMirror';

/** Paste the token into the panel and wait for the purposes to be listed. */
async function useToken(page: Page, token: string) {
  await page.locator('.purpose-panel').waitFor();
  await page.locator('#purpose-token').fill(token);
  await page.locator('#purpose-load').click();
}

/** Run the active tab and return the parsed result once it contains `marker`. */
async function run(page: Page, marker: string): Promise<any> {
  await page.locator('.graphiql-execute-button').click();
  const result = await page.waitForFunction((m) => {
    const el = document.querySelector('.result-window .CodeMirror') as unknown as Editor | null;
    const text = el?.CodeMirror.getValue() ?? '';
    return text.includes(m) ? text : false;
  }, marker);
  return JSON.parse((await result.jsonValue()) as string);
}

describe('the Purpose panel', () => {
  it('analyst: paste a token, pick analytics, open the example, run it, read counts of at least k', async () => {
    const { context, page, guard, problems } = await openGuardedPage(browser);
    try {
      await page.goto(`${app.url}/graphql`);
      await useToken(page, `Bearer ${app.tokens.dan}`);
      await expect.poll(() => page.locator('#purpose-select').inputValue()).toBe('analytics');
      await page.locator('#purpose-select').selectOption('analytics');
      const headers = JSON.parse(await editorText(page, HEADERS));
      expect(headers).toEqual({ Authorization: `Bearer ${app.tokens.dan}`, 'X-Purpose': 'analytics' });
      await page.locator('.purpose-example[data-example="CustomerStats"]').click();
      expect(await editorText(page, QUERY)).toContain('customerStats(groupBy: [LOYALTY_TIER, BIRTH_DECADE])');
      const result = await run(page, '"cells"');
      expect(result.errors).toBeUndefined();
      const stats = result.data.customerStats;
      expect(stats.k).toBe(10);
      expect(stats.cells).toEqual(expect.arrayContaining([{ values: ['gold', '1980s'], count: expect.any(Number) }]));
      for (const cell of stats.cells) expect(cell.count).toBeGreaterThanOrEqual(10);
      await page.screenshot({ path: `${ARTIFACTS}/graphiql-purpose-panel.png` });

      // The token: in memory only.
      expect(await page.locator('#purpose-token').inputValue()).toBe('');
      const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join('\n'));
      expect(stored).not.toContain(app.tokens.dan);
      expect(guard.blocked).toEqual([]);
      expect(problems.errors).toEqual([]);
      expect(problems.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('support agent: picking a purpose that needs a task offers the open tasks and sets X-Task-Id', async () => {
    const { context, page } = await openGuardedPage(browser);
    try {
      await page.goto(`${app.url}/graphql`);
      await useToken(page, app.tokens.alice);
      await page.locator('#purpose-select').waitFor();
      await page.locator('#purpose-select').selectOption('customer-support');
      await expect.poll(() => page.locator('#purpose-task').inputValue()).toBe('tsk_support_alice');
      expect(JSON.parse(await editorText(page, HEADERS))).toEqual({ Authorization: `Bearer ${app.tokens.alice}`, 'X-Purpose': 'customer-support', 'X-Task-Id': 'tsk_support_alice' });
      await page.locator('.purpose-example[data-example="CustomerContact"]').click();
      const result = await run(page, '"customer"');
      expect(result.errors).toBeUndefined();
      expect(result.data.customer.id).toBe('cus_0001');
    } finally {
      await context.close();
    }
  });

  it('customer: no purpose to choose, no X-Purpose in the headers or the starter comment', async () => {
    const { context, page } = await openGuardedPage(browser);
    try {
      await page.goto(`${app.url}/self/graphql`);
      expect(await editorText(page, QUERY)).not.toMatch(/X-Purpose/i);
      await useToken(page, app.tokens.customer);
      await page.getByText('Your purpose is always self-service').waitFor();
      expect(JSON.parse(await editorText(page, HEADERS))).toEqual({ Authorization: `Bearer ${app.tokens.customer}` });
      const result = await run(page, '"me"');
      expect(result.errors).toBeUndefined();
      expect(result.data.me.fullName).toEqual(expect.any(String));
    } finally {
      await context.close();
    }
  });
});

describe('what GraphiQL opens with', () => {
  /** The rightmost end of a query-editor line, against the editor's own right edge. */
  const overflow = (page: Page) => page.evaluate(() => {
    const editor = document.querySelector('.graphiql-query-editor .CodeMirror-scroll')!.getBoundingClientRect();
    const ends = Array.from(document.querySelectorAll('.graphiql-query-editor .CodeMirror-line > span')).map((s) => s.getBoundingClientRect().right);
    return Math.max(...ends) - editor.right;
  });

  it.each([1024, 1440])('the starter comments fit beside the open panel at %i px', async (width) => {
    for (const endpoint of ['/graphql', '/self/graphql']) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      try {
        const page = await context.newPage();
        await page.goto(`${app.url}${endpoint}`);
        await page.locator('.purpose-panel').waitFor();
        // A fresh tab holds the starter comment (the first tabs are the demo personas').
        await page.locator('.graphiql-tab-add').click();
        await expect.poll(() => editorText(page, QUERY)).toMatch(/^# /);
        expect(await overflow(page), `${endpoint} at ${width}px`).toBeLessThanOrEqual(0);
      } finally {
        await context.close();
      }
    }
  });

  it.each(['/graphql', '/partner/graphql', '/self/graphql'])('development: %s opens a tab per demo persona, headers filled, whose first query works', async (endpoint) => {
    const { context, page } = await openGuardedPage(browser);
    try {
      await page.goto(`${app.url}${endpoint}`);
      const personas = PERSONAS.filter((p) => p.endpoint === endpoint);
      expect(personas.length).toBeGreaterThan(0);
      await page.locator('.purpose-panel').waitFor();
      // GraphiQL shows the tab bar only when there are several tabs.
      if (personas.length > 1) await expect.poll(() => page.locator('.graphiql-tab').count()).toBe(personas.length);
      for (let i = 0; i < personas.length; i += 1) {
        if (personas.length > 1) {
          await page.locator('.graphiql-tab').nth(i).locator('.graphiql-tab-button').click();
          // GraphiQL reads the operation name of the new tab's query a moment after the switch; run only then.
          await page.waitForFunction(() => {
            const cm = (document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as { CodeMirror: { getValue(): string; operationName?: string | null } }).CodeMirror;
            const named = /^\s*(?:query|mutation)\s+(\w+)/m.exec(cm.getValue());
            return (cm.operationName ?? null) === (named ? named[1] : null);
          });
        }
        const persona = personas[i]!;
        const headers = JSON.parse(await editorText(page, HEADERS));
        expect(headers['X-Purpose']).toBe(endpoint === '/self/graphql' ? undefined : persona.purpose);
        expect(headers['X-Task-Id']).toBe(persona.task);
        expect(headers.Authorization).toMatch(/^Bearer ey/);
        const result = await run(page, '{');
        expect(result.errors, `${persona.name}: ${JSON.stringify(result.errors)}`).toBeUndefined();
        // The first query answers something: at least one root field with a value, not only nulls.
        expect(Object.values(result.data ?? {}).some((v) => v !== null && v !== undefined), persona.name).toBe(true);
      }
    } finally {
      await context.close();
    }
  });
});
