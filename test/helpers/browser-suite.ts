import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Env } from '../../src/config';
import { startTestApp, type TestApp } from './app';
import { launchBrowser, type WatchedBrowser } from './browser';
import { SHARED_CLAMD_PORT } from './clamd';
import { ensurePagesBuilt } from './pages';

/** What every browser test file gets from {@link browserSuite}, filled in before its tests run. */
export interface BrowserSuite {
  app: TestApp;
  browser: WatchedBrowser;
  /** The first page of the browser. */
  page: Page;
  /** The service's origin, e.g. http://127.0.0.1:41234. */
  origin: string;
  /**
   * Opens `path` signed in with `token` the way `npm start`'s link does (in the fragment), from
   * a blank page so it is a fresh load, and waits until the page says it is ready.
   */
  openSignedIn(path: string, token: string, on?: Page): Promise<void>;
}

/**
 * The one setup of the browser tests: builds the pages if stale, starts the whole service with
 * its workers and real clamd, launches Debian's Chromium; after every test, no script error on
 * any page and nothing loaded from elsewhere (no CDN, no fonts); closes all at the end.
 */
export function browserSuite(options: { env?: Env } = {}): BrowserSuite {
  const suite = {
    async openSignedIn(path: string, token: string, on?: Page) {
      const page = on ?? suite.page;
      suite.browser.consoleErrors.length = 0;
      await page.goto('about:blank');
      await page.goto(`${suite.origin}${path}#token=${encodeURIComponent(token)}`);
      await page.waitForSelector('html[data-ready="true"]');
    },
  } as BrowserSuite;

  beforeAll(async () => {
    await ensurePagesBuilt();
    suite.app = await startTestApp({
      workers: true,
      env: { SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(SHARED_CLAMD_PORT), ...options.env },
    });
    suite.origin = new URL(suite.app.url).origin;
    suite.browser = await launchBrowser(suite.origin);
    suite.page = suite.browser.page;
  }, 180_000);

  afterEach(() => {
    expect(suite.browser.pageErrors.splice(0)).toEqual([]);
    expect(suite.browser.foreignRequests.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await suite.browser?.close();
    await suite.app?.close();
  });

  return suite;
}
