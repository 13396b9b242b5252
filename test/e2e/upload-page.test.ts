import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/api/auth';
import { startTestApp, type TestApp } from '../helpers/app';
import { ASSET, MY_ASSETS } from '../helpers/operations';
import { EICAR, waitForAsset } from '../helpers/scan';

/**
 * The project's own upload page (public/) in a real browser: Debian's Chromium driven by
 * playwright-core, against the whole service in this process with its scan workers.
 */

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
/** Set to keep the screenshots (their directory is printed); otherwise they are deleted. */
const KEEP_SCREENSHOTS = Boolean(process.env.KEEP_SCREENSHOTS);
const SETTLE_MS = 15_000;

describe('upload page in a browser', () => {
  let app: TestApp;
  let context: BrowserContext | undefined;
  let page: Page;
  let origin: string;
  let profileDir: string | undefined;
  let screenshotDir: string | undefined;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const urlsSeen: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the browser test needs Debian's Chromium. Install it with: apt-get install -y chromium`,
      );
    }
    profileDir = await mkdtemp(path.join(os.tmpdir(), 'upl-chromium-'));
    screenshotDir = await mkdtemp(path.join(os.tmpdir(), 'upl-screens-'));
    const [started, browser] = await Promise.all([
      startTestApp({ workers: true, env: { SCANNER_PROVIDER: 'signature' } }),
      chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: { width: 1000, height: 900 },
        acceptDownloads: false,
      }),
    ]);
    app = started;
    context = browser;
    origin = new URL(app.url).origin;
    page = await newWatchedPage(context.pages()[0]);
  });

  /** A page that reports script errors and requests to elsewhere to the checks after each test. */
  async function newWatchedPage(existing?: Page): Promise<Page> {
    const watched = existing ?? (await context!.newPage());
    watched.setDefaultTimeout(SETTLE_MS);
    watched.on('pageerror', (error) => pageErrors.push(String(error)));
    watched.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // Local storage is same-origin, so every request the page makes stays on this origin.
    watched.on('request', (request) => {
      const url = request.url();
      urlsSeen.push(url);
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) {
        foreignRequests.push(url);
      }
    });
    watched.on('websocket', (socket) => {
      urlsSeen.push(socket.url());
      if (new URL(socket.url()).host !== new URL(origin).host) foreignRequests.push(socket.url());
    });
    return watched;
  }

  // Every test: no script error on the page, and nothing loaded from elsewhere (no CDN, no fonts).
  afterEach(() => {
    const errors = pageErrors.splice(0);
    const foreign = foreignRequests.splice(0);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    await app?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    if (screenshotDir) {
      if (KEEP_SCREENSHOTS) console.log(`upload page screenshots kept in ${screenshotDir}`);
      else await rm(screenshotDir, { recursive: true, force: true });
    }
  });

  /** Opens the page afresh and pastes `token` into the token field. */
  async function openWithToken(token: string, on: Page = page): Promise<void> {
    consoleErrors.length = 0;
    await on.goto(`${origin}/`);
    await on.waitForSelector('html[data-ready="true"]');
    await on.getByLabel('Bearer token').fill(token);
  }

  /** Records every state the status badge shows, as it changes (proves the page is live). */
  async function recordStates(): Promise<void> {
    await page.evaluate(() => {
      const browser = globalThis as any;
      const seen: string[] = [];
      browser.seenStates = seen;
      const badge = browser.document.getElementById('current-state');
      new browser.MutationObserver(() => {
        const state = badge.dataset.state;
        if (state && seen.at(-1) !== state) seen.push(state);
      }).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
    });
  }

  // Functions run in the page; the project's tsconfig has no DOM types, hence `any` there.
  const seenStates = () => page.evaluate(() => (globalThis as any).seenStates as string[]);
  const timelineStates = () =>
    page.$$eval('#timeline li', (items: any[]) => items.map((item) => item.dataset.state));

  async function chooseAndUpload(
    file: { name: string; mimeType: string; buffer: Buffer },
    title: string,
    on: Page = page,
  ): Promise<void> {
    await on.setInputFiles('#file', file);
    await on.getByLabel('Title').fill(title);
    await on.getByRole('button', { name: 'Upload', exact: true }).click();
  }

  it('uploads a PNG: live states to CLEAN, a download link serving the same bytes, a thumbnail', async () => {
    const png = await sharp({
      create: { width: 96, height: 64, channels: 3, background: { r: 40, g: 140, b: 90 } },
    })
      .png()
      .toBuffer();
    const token = app.token('page-alice');
    await openWithToken(token);

    // Kept for the tab, never put in the address bar.
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('upload-page.token'))).toBe(
      token,
    );
    await expect.poll(() => page.textContent('#token-status')).toContain('Signed in as page-alice (USER)');

    await recordStates();
    // File names and titles are user input: the page must show them as text, never as markup.
    // (The server already replaces <>:"|?* in file names; titles keep them.)
    const title = 'Green <img src=x onerror="window.pwned=1"> & <b>square</b>';
    await chooseAndUpload({ name: "green & 'square' #1.png", mimeType: 'image/png', buffer: png }, title);

    await page.waitForSelector('#verdict[data-state="CLEAN"]');
    expect(await seenStates()).toEqual(['DRAFT', 'PROCESSING', 'SCANNING', 'CLEAN']);
    expect(await timelineStates()).toEqual(['DRAFT', 'PROCESSING', 'SCANNING', 'CLEAN']);
    expect(await page.getAttribute('#progress', 'value')).toBe('100');
    expect(await page.isVisible('#upload-error')).toBe(false);

    const link = page.locator('#download-link');
    expect(await link.textContent()).toBe("Download green & 'square' #1.png");
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/storage\/object\//);
    const downloaded = await fetch(href!);
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(png)).toBe(true);

    await page.waitForFunction(() => {
      const image = (globalThis as any).document.getElementById('thumbnail');
      return !image.hidden && image.complete && image.naturalWidth > 0;
    });
    expect(await page.getAttribute('#thumbnail', 'alt')).toBe("Thumbnail of green & 'square' #1.png");

    // "My uploads" was refreshed after the upload.
    const item = page.locator('#mine li.mine-item').first();
    await expect.poll(() => item.getAttribute('data-state')).toBe('CLEAN');
    expect(await item.locator('.mine-name').textContent()).toBe(title);
    expect(await page.locator('#result dd', { hasText: 'Green <img' }).textContent()).toBe(title);
    expect(await page.locator('main img:not(#thumbnail), main b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).pwned)).toBeUndefined();

    await page.screenshot({ path: path.join(screenshotDir!, 'clean.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    // The token travels in headers and connectionParams only, never in a URL.
    expect(urlsSeen.filter((url) => url.includes(token))).toEqual([]);
  });

  it('uploads the EICAR test file: INFECTED with the threat name, and no download link', async () => {
    await openWithToken(app.token('page-bob'));
    await recordStates();
    await chooseAndUpload(
      { name: 'eicar.txt', mimeType: 'text/plain', buffer: EICAR },
      'Not a virus, honest',
    );

    await page.waitForSelector('#verdict[data-state="INFECTED"]');
    expect(await seenStates()).toEqual(['DRAFT', 'PROCESSING', 'SCANNING', 'INFECTED']);
    expect(await page.locator('#threats .threat-name').allTextContents()).toEqual(['Eicar-Test-Signature']);
    expect(await page.isVisible('#download-block')).toBe(false);
    expect(await page.isVisible('#thumbnail')).toBe(false);

    const item = page.locator('#mine li.mine-item').first();
    await expect.poll(() => item.getAttribute('data-state')).toBe('INFECTED');
    expect(await item.locator('button').count()).toBe(0);

    await page.screenshot({ path: path.join(screenshotDir!, 'infected.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('a wrong token: a clear UNAUTHENTICATED message, and nothing is created', async () => {
    const forged = signToken('not-the-server-secret-but-long-enough', {
      userId: 'page-mallory',
      role: 'USER',
    });
    await openWithToken(forged);
    await chooseAndUpload(
      { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') },
      'Note',
    );

    const error = page.locator('#upload-error');
    await page.waitForSelector('#upload-error[data-code="UNAUTHENTICATED"]');
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('Your token is missing, invalid or expired');
    expect(text).not.toMatch(/\n\s+at |Error:|stack/i);
    expect(await page.isVisible('#status-block')).toBe(false);
    expect(await page.isVisible('#progress-block')).toBe(false);
    // "My uploads" and the token field tell the same story.
    await page.waitForSelector('#mine-error[data-code="UNAUTHENTICATED"]');
    expect(await page.textContent('#token-status')).toContain('The server did not accept this token');

    const mine = await app.gql(MY_ASSETS, {}, app.token('page-mallory'));
    expect(mine.data.myAssets.totalCount).toBe(0);

    await page.screenshot({ path: path.join(screenshotDir!, 'unauthenticated.png'), fullPage: true });
  });

  it('refusals are explained by their code: a type not allowed, content that is not what it claims', async () => {
    await openWithToken(app.token('page-carol'));
    await chooseAndUpload(
      { name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ fake') },
      'Setup',
    );
    await page.waitForSelector('#upload-error[data-code="MIME_TYPE_NOT_ALLOWED"]');
    expect(await page.textContent('#upload-error .error-text')).toBe(
      'Files of this type cannot be uploaded here.',
    );

    // Declared a PNG, sent text: the bytes reach storage, then confirm refuses them.
    await chooseAndUpload(
      { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all\n') },
      'Fake',
    );
    await page.waitForSelector('#upload-error[data-code="CONTENT_MISMATCH"]');
    expect(await page.textContent('#upload-error .error-text')).toContain('do not match');
    expect(await page.getAttribute('#progress', 'value')).toBe('100');
    expect(await page.isVisible('#result')).toBe(false);
    expect(await page.isEnabled('#upload-button')).toBe(true);
    await page.screenshot({ path: path.join(screenshotDir!, 'content-mismatch.png'), fullPage: true });
  });

  it('the live-status socket: a refusal stops before confirm; a broken connection still confirms', async () => {
    const token = app.token('page-erin');
    const note = (name: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(`${name}\n`) });
    const assetIdOf = async (name: string) => {
      const mine = await app.gql(MY_ASSETS, { first: 20 }, token);
      return mine.data.myAssets.nodes.find((asset: { fileName: string }) => asset.fileName === name)
        .id as string;
    };

    // Each case on a page of its own: WebSocket routes cannot be removed from a page.
    const refusedPage = await newWatchedPage();
    const brokenPage = await newWatchedPage();
    try {
      // As the server answers a bad token on the socket: close code 4401. Nothing is confirmed.
      await refusedPage.routeWebSocket(/\/graphql$/, (socket) =>
        socket.close({ code: 4401, reason: 'Unauthorized' }),
      );
      await openWithToken(token, refusedPage);
      await chooseAndUpload(note('refused.txt'), 'Refused', refusedPage);
      await refusedPage.waitForSelector('#upload-error[data-code="UNAUTHENTICATED"]');
      const refused = await app.gql(ASSET, { id: await assetIdOf('refused.txt') }, token);
      expect(refused.data.asset.status).toBe('DRAFT');

      // A proxy that drops WebSockets: the file is confirmed and scanned all the same.
      await brokenPage.routeWebSocket(/\/graphql$/, (socket) => socket.close({ code: 1011, reason: 'gone' }));
      await openWithToken(token, brokenPage);
      await chooseAndUpload(note('unwatched.txt'), 'Unwatched', brokenPage);
      await brokenPage.waitForSelector('#upload-error[data-code="LIVE_STATUS_FAILED"]');
      expect(await brokenPage.textContent('#upload-error .error-text')).toContain('Check “My uploads”');
      await waitForAsset(
        app,
        token,
        await assetIdOf('unwatched.txt'),
        (asset) => asset.scanStatus === 'CLEAN',
      );
      await brokenPage.getByRole('button', { name: 'Refresh' }).click();
      await expect
        .poll(() => brokenPage.locator('#mine li.mine-item').first().getAttribute('data-state'))
        .toBe('CLEAN');
    } finally {
      await refusedPage.close();
      await brokenPage.close();
    }
  });

  it('a file dropped on the drop zone is selected, and its name becomes the default title', async () => {
    await openWithToken(app.token('page-dave'));
    await page.evaluate(() => {
      const browser = globalThis as any;
      const transfer = new browser.DataTransfer();
      transfer.items.add(new browser.File(['hello'], 'dropped notes.txt', { type: 'text/plain' }));
      const zone = browser.document.getElementById('dropzone');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(
          new browser.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }),
        );
      }
    });
    expect(await page.textContent('#file-summary')).toBe('dropped notes.txt · 5 B · text/plain');
    expect(await page.inputValue('#title')).toBe('dropped notes');
    expect(await page.locator('#file').evaluate((input: any) => input.files[0]?.name)).toBe(
      'dropped notes.txt',
    );
  });
});
