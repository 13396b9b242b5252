import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './process';

/** Debian's build; CHROMIUM_PATH only to point at another copy (or to try the missing case). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** As root, in a container, without the network: see SERVICES.md, "Browser tests". */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Screenshots of every page, kept as test artifacts (.tmp/ is gitignored). */
export const SCREENSHOT_DIR = path.join(ROOT, '.tmp', 'screenshots');

/** What a browser test watches on every page it opens. */
export interface WatchedBrowser {
  context: BrowserContext;
  /** Script errors on any page so far (taken by `takeProblems`). */
  pageErrors: string[];
  /** console.error lines on any page so far. */
  consoleErrors: string[];
  /** Requests and WebSockets to anywhere but the service's own origin. */
  foreignRequests: string[];
  /** Every URL requested, to check no token ever travels in one. */
  urlsSeen: string[];
  /** The first page, watched. */
  page: Page;
  /** Another watched page in the same profile (same session storage rules as a new tab). */
  newPage(): Promise<Page>;
  /** Saves a full-page screenshot as `<name>.png` under {@link SCREENSHOT_DIR}. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; every page reports errors and foreign requests. */
export async function launchBrowser(origin: string): Promise<WatchedBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with: apt-get install -y chromium`,
    );
  }
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'upl-chromium-'));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 900 },
    acceptDownloads: false,
  });
  const watched: Omit<WatchedBrowser, 'page'> = {
    context,
    pageErrors: [],
    consoleErrors: [],
    foreignRequests: [],
    urlsSeen: [],
    async newPage() {
      return watch(await context.newPage());
    },
    async screenshot(page, name) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
  const host = new URL(origin).host;
  function watch(page: Page): Page {
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => watched.pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') watched.consoleErrors.push(message.text());
    });
    page.on('request', (request) => {
      const url = request.url();
      watched.urlsSeen.push(url);
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) {
        watched.foreignRequests.push(url);
      }
    });
    page.on('websocket', (socket) => {
      watched.urlsSeen.push(socket.url());
      if (new URL(socket.url()).host !== host) watched.foreignRequests.push(socket.url());
    });
    return page;
  }
  return { ...watched, page: watch(context.pages()[0] ?? (await context.newPage())) };
}

/** An axe-core result entry, as much of it as the tests read. */
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html?: string; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2 A and AA rules) in the page and returns the serious and critical
 * violations, each as "rule: help (selectors)". Evaluated through the DevTools protocol, so the
 * page's own CSP (scripts from its origin only) stays in force.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } });
    return result.violations;
  });
  return (violations as AxeViolation[])
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => `${node.target.join(' ')} ${node.html?.slice(0, 120) ?? ''} ${node.failureSummary ?? ''}`).join(', ')})`,
    );
}
