import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (installed by `.ci/run`). Override with `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with its own background traffic (updates, sync, QUIC probes) switched off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** Schemes that never touch the network. */
const OFFLINE_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/** True for a URL the page may load: loopback hosts, or a scheme that is not network. */
export function isLocalUrl(url: string): boolean {
  const parsed = new URL(url);
  return OFFLINE_SCHEMES.has(parsed.protocol) || LOCAL_HOSTS.has(parsed.hostname);
}

/** The requests a guarded context refused: every one of them would have left the machine. */
export interface NetworkGuard {
  readonly blocked: string[];
}

/** Abort, and record, every request of the context that is not to localhost. */
export async function guardLocalNetwork(context: BrowserContext): Promise<NetworkGuard> {
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocalUrl(url)) {
      await route.continue();
    } else {
      blocked.push(url);
      await route.abort('blockedbyclient');
    }
  });
  return { blocked };
}

/** What went wrong inside a page: uncaught errors and Content-Security-Policy refusals. */
export interface PageProblems {
  readonly errors: string[];
  readonly cspViolations: string[];
}

export function watchPageProblems(page: Page): PageProblems {
  const problems = { errors: [] as string[], cspViolations: [] as string[] };
  page.on('pageerror', (err) => problems.errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) problems.cspViolations.push(msg.text());
  });
  return problems;
}

/** A fresh context and page whose network is confined to localhost. Close `context` when done. */
export async function openGuardedPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; guard: NetworkGuard; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Below vitest's 30 s test timeout, so a page that never renders fails naming the selector it waited for.
  context.setDefaultTimeout(20_000);
  const guard = await guardLocalNetwork(context);
  const page = await context.newPage();
  const problems = watchPageProblems(page);
  return { context, page, guard, problems };
}
