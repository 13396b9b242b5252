import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../src/api/auth';
import { seriousAccessibilityViolations } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { AssetDocument, MineDocument } from '../helpers/operations';
import { EICAR, waitForAsset } from '../helpers/scan';
import { uploadFile } from '../helpers/upload';
import { dropFiles, fileOf, resultCard, startUpload, type DroppedFile } from '../helpers/upload-page';

/**
 * The upload page (web/, built by Vite) in Debian's Chromium, driven by playwright-core, against
 * the whole service in this process with its scan workers, real clamd, PostgreSQL and Redis.
 */

/** Small, so an over-size file is cheap to make; the page must learn it from the server. */
const MAX_FILE_SIZE = 3_000_000;

describe('upload page in a browser', () => {
  const suite = browserSuite({ env: { STORAGE_MAX_FILE_SIZE: String(MAX_FILE_SIZE) } });

  /** Opens the page signed in with `token` the way `npm start`'s link does: in the fragment. */
  const openSignedIn = (token: string, on?: Page) => suite.openSignedIn('/', token, on);

  /** Drops files on Uppy's drop zone of `on` (the first page unless told). */
  const drop = (files: DroppedFile[], on: Page = suite.page) => dropFiles(on, files);

  /** Records every state each result card shows, as it changes (proves the page is live). */
  async function recordStates(on: Page = suite.page): Promise<void> {
    await on.evaluate(() => {
      const w = globalThis as any;
      const seen: Record<string, string[]> = {};
      w.seenStates = seen;
      new w.MutationObserver(() => {
        for (const card of w.document.querySelectorAll('#results .result-item')) {
          const name: string = card.dataset.fileName;
          const states = (seen[name] ??= []);
          if (states.at(-1) !== card.dataset.state) states.push(card.dataset.state);
        }
      }).observe(w.document.getElementById('results'), {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-state'],
      });
    });
  }
  const seenStates = () =>
    suite.page.evaluate(() => (globalThis as any).seenStates as Record<string, string[]>);
  const card = (name: string, on: Page = suite.page) => resultCard(on, name);

  const start = (on: Page = suite.page) => startUpload(on);

  it('serves the built page with a strict policy: scripts and styles from this origin only', async () => {
    const { origin } = suite;
    const response = await fetch(`${origin}/`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe');
    const html = await response.text();
    // Built by Vite: hashed bundles from /assets, no inline script, nothing from elsewhere.
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/upload-[\w-]+\.js"><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('signs in from the #token= link: kept in session storage, dropped from the address bar', async () => {
    const { app, page } = suite;
    const token = app.token('page-alice');
    await openSignedIn(token);
    expect(new URL(page.url()).hash).toBe('');
    expect(
      await page.evaluate(() => (globalThis as any).sessionStorage.getItem('upload-service.token')),
    ).toBe(token);
    await expect.poll(() => page.textContent('#token-status')).toContain('Signed in as page-alice (USER)');
    // The server's limits, as the server states them.
    expect(await page.textContent('#limits-hint')).toContain('Up to 3.0 MB per file');
    expect(await page.textContent('#limits-hint')).toContain('image/png');
  });

  it('a batch dropped together: every bar completes; the image is CLEAN with a thumbnail, EICAR INFECTED by name, live', async () => {
    const { app, browser, page, origin } = suite;
    const png = await sharp({
      create: { width: 96, height: 64, channels: 3, background: { r: 40, g: 140, b: 90 } },
    })
      .png()
      .toBuffer();
    const token = app.token('page-bob');
    await openSignedIn(token);
    await recordStates();
    await drop([fileOf('green square.png', 'image/png', png), fileOf('eicar.txt', 'text/plain', EICAR)]);
    await expect.poll(() => page.locator('.uppy-Dashboard-Item').count()).toBe(2);
    await browser.screenshot(page, 'upload-batch-added');
    await start();

    await page.waitForSelector(
      '#results .result-item[data-file-name="green square.png"][data-state="CLEAN"]',
    );
    await page.waitForSelector('#results .result-item[data-file-name="eicar.txt"][data-state="INFECTED"]');
    // Every file's progress bar reached the end.
    await expect.poll(() => page.locator('.uppy-Dashboard-Item.is-complete').count()).toBe(2);
    const states = await seenStates();
    for (const name of ['green square.png', 'eicar.txt']) {
      // Shown live as the server moved it along (no reload): confirmed, scanned, decided.
      expect(states[name]).toEqual(expect.arrayContaining(['PROCESSING', 'SCANNING']));
      expect(states[name].indexOf('PROCESSING')).toBeLessThan(states[name].indexOf('SCANNING'));
    }
    expect(states['green square.png'].at(-1)).toBe('CLEAN');
    expect(states['eicar.txt'].at(-1)).toBe('INFECTED');

    const image = card('green square.png');
    await page.waitForFunction(() => {
      const thumbnail = (globalThis as any).document.querySelector('#results .thumbnail');
      return thumbnail !== null && thumbnail.complete && thumbnail.naturalWidth > 0;
    });
    expect(await image.locator('.thumbnail').getAttribute('alt')).toBe('Thumbnail of green square.png');
    const href = await image.locator('a.download-link').getAttribute('href');
    const downloaded = await fetch(new URL(href!, origin));
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(png)).toBe(true);

    const infected = card('eicar.txt');
    expect((await infected.locator('.threat-name').allTextContents()).join(' ')).toContain(
      'Eicar-Test-Signature',
    );
    expect(await infected.locator('.verdict').textContent()).toMatch(/^Infected with Eicar-Test-Signature/);
    expect(await infected.locator('a.download-link').count()).toBe(0);

    // "My uploads" caught up with both, and offers a download only for the clean one.
    await expect.poll(() => page.locator('#mine li.mine-item').count()).toBe(2);
    expect(await page.locator('#mine li.mine-item[data-state="CLEAN"] a.mine-download').count()).toBe(1);
    expect(await page.locator('#mine li.mine-item[data-state="INFECTED"] a').count()).toBe(0);

    await browser.screenshot(page, 'upload-batch-done');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    // The token travels in headers and connectionParams only, never in a URL the server sees.
    const sentWithToken = browser.urlsSeen.filter((url) => url.includes(token) && !url.includes('#token='));
    expect(sentWithToken).toEqual([]);
  });

  it('refuses before uploading what the server would refuse: too large, a type not allowed', async () => {
    const { app, browser, page } = suite;
    await openSignedIn(app.token('page-carol'));
    const graphqlCalls: string[] = [];
    const onRequest = (request: { url(): string; postData(): string | null }) => {
      if (request.url().endsWith('/graphql')) graphqlCalls.push(request.postData() ?? '');
    };
    page.on('request', onRequest);
    try {
      const big = Buffer.alloc(MAX_FILE_SIZE + 1, 7);
      await drop([fileOf('too big.txt', 'text/plain', big)]);
      await expect.poll(() => page.textContent('#refusals')).toContain('too big.txt was not added');
      expect(await page.textContent('#refusals')).toMatch(
        /too big\.txt exceeds maximum allowed size of 2\.9 MB/,
      );
      await drop([fileOf('setup.exe', 'application/x-msdownload', Buffer.from('MZ fake'))]);
      await expect.poll(() => page.textContent('#refusals')).toContain('setup.exe was not added');
      expect(await page.locator('.uppy-Dashboard-Item').count()).toBe(0);
      expect(graphqlCalls.filter((body) => body.includes('initiateUpload'))).toEqual([]);
      await browser.screenshot(page, 'upload-refused-before-upload');
    } finally {
      page.off('request', onRequest);
    }
  });

  it('explains a refusal after the bytes went: content that is not what it claims', async () => {
    const { app, page } = suite;
    await openSignedIn(app.token('page-dave'));
    await drop([fileOf('fake.png', 'image/png', Buffer.from('not a png at all\n'))]);
    await start();
    const fake = card('fake.png');
    await page.waitForSelector(
      '#results .result-item[data-file-name="fake.png"][data-code="CONTENT_MISMATCH"]',
    );
    expect(await fake.locator('.error-text').textContent()).toContain('do not match');
    expect(await fake.locator('.error-code').textContent()).toBe('CONTENT_MISMATCH');
    expect(await page.locator('#results .thumbnail').count()).toBe(0);
  });

  it('a wrong token: a clear UNAUTHENTICATED message, and nothing is created', async () => {
    const { app, browser, page } = suite;
    const forged = signToken('not-the-server-secret-but-long-enough', {
      userId: 'page-mallory',
      role: 'USER',
    });
    await openSignedIn(forged);
    await expect
      .poll(() => page.textContent('#token-status'))
      .toContain('The server did not accept this token');
    await page.waitForSelector('#mine-error[data-code="UNAUTHENTICATED"]');
    expect(await page.textContent('#mine-error')).toContain('Your token is missing, invalid or expired');
    const mine = await app.gql(MineDocument, {}, app.token('page-mallory'));
    expect(mine.data!.myAssets.totalCount).toBe(0);
    await browser.screenshot(page, 'upload-unauthenticated');
  });

  it('the live-status socket: a refusal stops before confirm; a broken connection still confirms', async () => {
    const { app, browser } = suite;
    const token = app.token('page-erin');
    const note = (name: string) => fileOf(name, 'text/plain', Buffer.from(`${name}\n`));
    const assetIdOf = async (name: string) => {
      const mine = await app.gql(MineDocument, { first: 20 }, token);
      return mine.data!.myAssets.nodes.find((asset) => asset.fileName === name)!.id;
    };
    // Each case on a page of its own: WebSocket routes cannot be removed from a page.
    const refusedPage = await browser.newPage();
    const brokenPage = await browser.newPage();
    try {
      // As the server answers a bad token on the socket: close code 4401. Nothing is confirmed.
      await refusedPage.routeWebSocket(/\/graphql$/, (socket) =>
        socket.close({ code: 4401, reason: 'Unauthorized' }),
      );
      await openSignedIn(token, refusedPage);
      await drop([note('refused.txt')], refusedPage);
      await start(refusedPage);
      await refusedPage.waitForSelector('#results .result-item[data-code="UNAUTHENTICATED"]');
      const refused = await app.gql(AssetDocument, { id: await assetIdOf('refused.txt') }, token);
      expect(refused.data!.asset!.status).toBe('DRAFT');

      // A proxy that drops WebSockets: the file is confirmed and scanned all the same.
      await brokenPage.routeWebSocket(/\/graphql$/, (socket) => socket.close({ code: 1011, reason: 'gone' }));
      await openSignedIn(token, brokenPage);
      await drop([note('unwatched.txt')], brokenPage);
      await start(brokenPage);
      await brokenPage.waitForSelector('#results .result-item[data-code="LIVE_STATUS_FAILED"]');
      expect(await brokenPage.textContent('#results .error-text')).toContain('Check “My uploads”');
      await waitForAsset(
        app,
        token,
        await assetIdOf('unwatched.txt'),
        (asset) => asset.scanStatus === 'CLEAN',
      );
      await brokenPage.getByRole('button', { name: 'Refresh' }).click();
      await expect
        .poll(() => brokenPage.locator('#mine li.mine-item[data-state="CLEAN"]').count())
        .toBeGreaterThan(0);
    } finally {
      await refusedPage.close();
      await brokenPage.close();
    }
  });

  it('"My uploads" pages through myAssets', async () => {
    const { app, browser, page } = suite;
    const token = app.token('page-frank');
    for (let i = 1; i <= 12; i += 1) {
      await uploadFile(app, token, {
        fileName: `note-${i}.txt`,
        mimeType: 'text/plain',
        body: Buffer.from(`n${i}\n`),
      });
    }
    await openSignedIn(token);
    await expect.poll(() => page.textContent('#mine-count')).toBe('1–10 of 12');
    expect(await page.locator('#mine li.mine-item').count()).toBe(10);
    expect(await page.isDisabled('#mine-previous')).toBe(true);
    await page.click('#mine-next');
    await expect.poll(() => page.textContent('#mine-count')).toBe('11–12 of 12');
    const older = await page.locator('#mine .mine-item .hint').allTextContents();
    expect(older.map((text) => text.split(' · ')[0])).toEqual(['note-2.txt', 'note-1.txt']);
    expect(await page.isDisabled('#mine-next')).toBe(true);
    await page.click('#mine-previous');
    await expect.poll(() => page.textContent('#mine-count')).toBe('1–10 of 12');
    await browser.screenshot(page, 'upload-my-uploads');
  });
});
