import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { AssetDocument, PartsDocument } from '../helpers/operations';
import { dropFiles, fileOf, resultCard, startUpload } from '../helpers/upload-page';

/** Over the page's multipart threshold (16 MiB): four parts of 5 MiB. */
const LARGE_SIZE = 20_000_000;

/**
 * The upload page's controls in Debian's Chromium: signing in by pasting a token, using it with
 * the keyboard only, pausing and resuming a large upload, retrying one storage refused.
 */
describe('upload page controls in a browser', () => {
  const suite = browserSuite();

  /** The page as a new tab opens it: nobody signed in yet. */
  async function openFresh(): Promise<Page> {
    const page = await suite.browser.newPage();
    suite.browser.consoleErrors.length = 0;
    await page.goto(`${suite.origin}/`);
    await page.waitForSelector('html[data-ready="true"]');
    return page;
  }

  it('a pasted token signs in (kept in session storage only); Forget signs out', async () => {
    const { app, browser } = suite;
    const page = await openFresh();
    try {
      expect(await page.textContent('#limits-hint')).toBe('Sign in to see what this server accepts.');
      const token = app.token('paste-alice');
      await page.getByLabel('Bearer token').focus();
      // As a paste: one input event with the whole text, "Bearer " and all.
      await page.keyboard.insertText(`Bearer ${token}`);
      await expect.poll(() => page.textContent('#token-status')).toContain('Signed in as paste-alice (USER)');
      await expect.poll(() => page.textContent('#limits-hint')).toContain('per file; accepted types:');
      expect(
        await page.evaluate(() => (globalThis as any).sessionStorage.getItem('upload-service.token')),
      ).toBe(token);
      // Never in local storage (Uppy keeps unfinished uploads there, without it).
      const kept = await page.evaluate(() => {
        const storage = (globalThis as any).localStorage;
        return Array.from({ length: storage.length }, (_, i) => storage.getItem(storage.key(i)) as string);
      });
      expect(kept.filter((value) => value.includes(token))).toEqual([]);
      expect(page.url()).not.toContain(token);
      await browser.screenshot(page, 'upload-pasted-token');

      await page.getByRole('button', { name: 'Forget' }).click();
      await expect
        .poll(() => page.textContent('#limits-hint'))
        .toBe('Sign in to see what this server accepts.');
      expect(
        await page.evaluate(() => (globalThis as any).sessionStorage.getItem('upload-service.token')),
      ).toBe(null);
      expect(await page.evaluate(() => (globalThis as any).document.activeElement.id)).toBe('token');
    } finally {
      await page.close();
    }
  });

  it('works with the keyboard only: skip link, browse, upload, the verdict announced', async () => {
    const { app, browser, page } = suite;
    await suite.openSignedIn('/', app.token('keys-bob'));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.textContent)).toBe(
      'Skip to upload',
    );
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.id)).toBe('upload-heading');

    // Tab on to Uppy's "browse files" and open the file chooser with Enter.
    const chooser = page.waitForEvent('filechooser');
    for (let presses = 0; presses < 10; presses += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(
        () => (globalThis as any).document.activeElement.className as string,
      );
      if (focused.includes('uppy-Dashboard-browse')) break;
    }
    await page.keyboard.press('Enter');
    await (
      await chooser
    ).setFiles({ name: 'typed.txt', mimeType: 'text/plain', buffer: Buffer.from('typed with no mouse\n') });
    await expect.poll(() => page.locator('.uppy-Dashboard-Item').count()).toBe(1);

    // On to the Upload button, and Enter.
    for (let presses = 0; presses < 20; presses += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(
        () => (globalThis as any).document.activeElement.className as string,
      );
      if (focused.includes('uppy-StatusBar-actionBtn--upload')) break;
    }
    await page.keyboard.press('Enter');
    await page.waitForSelector('#results .result-item[data-file-name="typed.txt"][data-state="CLEAN"]');
    await expect.poll(() => page.textContent('#announcer')).toContain('typed.txt: Clean');
    await browser.screenshot(page, 'upload-keyboard-only');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });

  it('pause holds a large upload where it is; resume sends only the parts still missing', async () => {
    const { app, browser, page } = suite;
    const token = app.token('pause-carol');
    await suite.openSignedIn('/', token);
    // The first part goes through; the others wait until the test has paused.
    const routed = new Map<number, number>();
    const partNumberOf = (url: string) => Number(new URL(url).searchParams.get('partNumber'));
    const isPart = (url: string) => new URL(url).pathname.startsWith('/storage/part/');
    let released!: () => void;
    const paused = new Promise<void>((resolve) => (released = resolve));
    await page.route(
      (url) => isPart(url.toString()),
      async (route) => {
        const partNumber = partNumberOf(route.request().url());
        routed.set(partNumber, (routed.get(partNumber) ?? 0) + 1);
        if (partNumber > 1) await paused;
        // Pausing aborts the requests in flight; continuing one of those fails.
        await route.continue().catch(() => undefined);
      },
    );
    // What storage holds, as the server tells the owner.
    const storedParts = async () => {
      const assetId = await page.evaluate(
        () =>
          (Object.values((globalThis as any).uppy.getState().files)[0] as any)?.meta.assetId as
            string | undefined,
      );
      if (!assetId) return [];
      const parts = await app.gql(PartsDocument, { assetId }, token);
      return (parts.data?.uploadedParts ?? []).map((part) => part.partNumber);
    };
    await dropFiles(page, [
      { name: 'paused.txt', type: 'text/plain', repeat: 'paused and resumed\n', size: LARGE_SIZE },
    ]);
    await startUpload(page);
    await expect.poll(storedParts, { timeout: 20_000 }).toEqual([1]);

    await page.locator('[data-cy="togglePauseResume"]').click();
    await expect
      .poll(() => page.evaluate(() => Object.values((globalThis as any).uppy.getState().files)[0] as any))
      .toMatchObject({ isPaused: true });
    released();
    await browser.screenshot(page, 'upload-paused');
    expect(await page.locator('#results .result-item[data-file-name="paused.txt"]').count()).toBe(0);

    await page.locator('[data-cy="togglePauseResume"]').click();
    await page.waitForSelector('#results .result-item[data-file-name="paused.txt"][data-state="CLEAN"]', {
      timeout: 60_000,
    });
    const id = await resultCard(page, 'paused.txt').getAttribute('data-asset-id');
    expect((await app.gql(AssetDocument, { id: id! }, token)).data?.asset?.fileSize).toBe(LARGE_SIZE);
    // Part 1 was in storage before the pause: never sent again.
    expect(routed.get(1)).toBe(1);
    expect([...routed.keys()].sort()).toEqual([1, 2, 3, 4]);
  }, 120_000);

  it('cancel in the middle of a large upload: the server aborts it (parts freed, asset REJECTED)', async () => {
    const { app, page } = suite;
    const token = app.token('cancel-erin');
    await suite.openSignedIn('/', token);
    let release!: () => void;
    const cancelled = new Promise<void>((resolve) => (release = resolve));
    const parts = (url: URL) => url.pathname.startsWith('/storage/part/');
    // Part 1 goes through; the others hang until the upload is cancelled.
    await page.route(parts, async (route) => {
      if (Number(new URL(route.request().url()).searchParams.get('partNumber')) > 1) await cancelled;
      await route.continue().catch(() => undefined);
    });
    try {
      await dropFiles(page, [
        { name: 'dropped.txt', type: 'text/plain', repeat: 'never finished\n', size: LARGE_SIZE },
      ]);
      await startUpload(page);
      const assetIdOf = () =>
        page.evaluate(
          () =>
            (Object.values((globalThis as any).uppy.getState().files)[0] as any)?.meta.assetId as
              string | undefined,
        );
      await expect.poll(assetIdOf).toBeTruthy();
      const assetId = (await assetIdOf())!;
      await expect
        .poll(async () => (await app.gql(PartsDocument, { assetId }, token)).data?.uploadedParts.length, {
          timeout: 20_000,
        })
        .toBe(1);

      await page.locator('[data-cy="cancel"]').click();
      release();
      await expect
        .poll(async () => (await app.gql(AssetDocument, { id: assetId }, token)).data?.asset?.status)
        .toBe('REJECTED');
      expect(await page.locator('.uppy-Dashboard-Item').count()).toBe(0);
    } finally {
      await page.unroute(parts);
    }
  }, 120_000);

  it('retry: a PUT storage refused is sent again with the Retry button, and then scanned', async () => {
    const { app, browser, page } = suite;
    await suite.openSignedIn('/', app.token('retry-dave'));
    let refused = 0;
    await page.route(
      (url) => url.pathname.startsWith('/storage/upload/'),
      async (route) => {
        if (refused === 0) {
          refused += 1;
          await route.fulfill({ status: 503, body: 'storage is busy' });
          return;
        }
        await route.continue();
      },
    );
    await dropFiles(page, [fileOf('again.txt', 'text/plain', Buffer.from('second time lucky\n'))]);
    await startUpload(page);
    await page.waitForSelector(
      '#results .result-item[data-file-name="again.txt"][data-code="STORAGE_REFUSED"]',
    );
    expect(await resultCard(page, 'again.txt').locator('.error-text').textContent()).toBe(
      'The storage server refused the file.',
    );
    await browser.screenshot(page, 'upload-retry-needed');

    await page.locator('.uppy-StatusBar-actionBtn--retry').click();
    await page.waitForSelector('#results .result-item[data-file-name="again.txt"][data-state="CLEAN"]');
    expect(await resultCard(page, 'again.txt').getAttribute('data-code')).toBe(null);
    expect(refused).toBe(1);
    // The browser logs the refused PUT; nothing else went wrong.
    expect(browser.consoleErrors.filter((line) => !line.includes('503'))).toEqual([]);
  });
});
