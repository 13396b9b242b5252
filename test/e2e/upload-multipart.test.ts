import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { AssetDocument, PartsDocument } from '../helpers/operations';
import { EICAR } from '../helpers/scan';
import { dropFiles, fileOf, resultCard, startUpload } from '../helpers/upload-page';

/** 30 MB: six parts of 5 MiB (the last shorter), over the page's multipart threshold. */
const LARGE_SIZE = 30_000_000;
const PART_SIZE = 5 * 1024 * 1024;
const PART_COUNT = Math.ceil(LARGE_SIZE / PART_SIZE);

/**
 * The upload page with a batch that mixes sizes: small files in one presigned PUT, a large one in
 * parts (initiateMultipartUpload, uploadPartUrls), against the whole service with real clamd.
 */
describe('upload page: a large file in parts, in a batch, through a network cut', () => {
  const suite = browserSuite();

  it('a clean image, EICAR and 30 MB together: the parts resume after storage is cut off; every bar completes; verdicts live', async () => {
    const { app, browser, page } = suite;
    const token = app.token('parts-alice');
    await suite.openSignedIn('/', token);
    const png = await sharp({
      create: { width: 80, height: 60, channels: 3, background: { r: 200, g: 120, b: 40 } },
    })
      .png()
      .toBuffer();

    // Storage as the page sees it: the first two part PUTs go through; then it is cut off, and
    // every part PUT fails as a dropped connection would, until two have failed; then it is back.
    const outcomes = new Map<number, string[]>();
    let sent = 0;
    let cutOff = 0;
    let resolveCut!: () => void;
    const cutOver = new Promise<void>((resolve) => (resolveCut = resolve));
    await page.route(
      (url) => url.pathname.startsWith('/storage/part/'),
      async (route) => {
        const partNumber = Number(new URL(route.request().url()).searchParams.get('partNumber'));
        const seen = outcomes.get(partNumber) ?? [];
        outcomes.set(partNumber, seen);
        sent += 1;
        if (sent > 2 && cutOff < 2) {
          cutOff += 1;
          seen.push('cut');
          await route.abort('internetdisconnected');
          if (cutOff === 2) resolveCut();
          return;
        }
        seen.push('sent');
        await route.continue();
      },
    );

    await dropFiles(page, [
      fileOf('orange.png', 'image/png', png),
      fileOf('eicar.com.txt', 'text/plain', EICAR),
      {
        name: 'large.txt',
        type: 'text/plain',
        repeat: 'thirty megabytes of plain text, line after line\n',
        size: LARGE_SIZE,
      },
    ]);
    await expect.poll(() => page.locator('.uppy-Dashboard-Item').count()).toBe(3);
    await startUpload(page);

    // Storage comes back: the uploader retries the part it lost and goes on from there.
    await cutOver;
    await browser.screenshot(page, 'upload-multipart-cut');

    await page.waitForSelector('#results .result-item[data-file-name="orange.png"][data-state="CLEAN"]');
    await page.waitForSelector(
      '#results .result-item[data-file-name="eicar.com.txt"][data-state="INFECTED"]',
    );
    await page.waitForSelector('#results .result-item[data-file-name="large.txt"][data-state="CLEAN"]', {
      timeout: 60_000,
    });
    await expect.poll(() => page.locator('.uppy-Dashboard-Item.is-complete').count()).toBe(3);

    // Each part went to storage once: what went before the cut was not sent again.
    expect(cutOff).toBe(2);
    expect([...outcomes.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: PART_COUNT }, (_, index) => index + 1),
    );
    for (const [partNumber, seen] of outcomes) {
      expect(
        seen.filter((outcome) => outcome === 'sent'),
        `part ${partNumber}: ${seen}`,
      ).toHaveLength(1);
    }
    const largeId = await resultCard(page, 'large.txt').getAttribute('data-asset-id');
    const large = await app.gql(AssetDocument, { id: largeId! }, token);
    expect(large.data?.asset).toMatchObject({
      fileSize: LARGE_SIZE,
      status: 'APPROVED',
      scanStatus: 'CLEAN',
    });
    expect(await resultCard(page, 'eicar.com.txt').locator('.verdict').textContent()).toMatch(
      /^Infected with Eicar/,
    );

    await browser.screenshot(page, 'upload-multipart-done');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    // The browser logs each request the cut stopped; nothing else went wrong.
    expect(browser.consoleErrors.filter((line) => !line.includes('net::ERR_INTERNET_DISCONNECTED'))).toEqual(
      [],
    );
  }, 120_000);

  it('a reload in the middle: the file comes back and the upload goes on from the parts storage holds', async () => {
    const { app, browser, page } = suite;
    const token = app.token('parts-bob');
    await suite.openSignedIn('/', token);
    // Part 1 goes through; the others hang until the page is reloaded under them.
    const routed = new Map<number, number>();
    let holding = true;
    let reloaded!: () => void;
    const gone = new Promise<void>((resolve) => (reloaded = resolve));
    await page.route(
      (url) => url.pathname.startsWith('/storage/part/'),
      async (route) => {
        const partNumber = Number(new URL(route.request().url()).searchParams.get('partNumber'));
        routed.set(partNumber, (routed.get(partNumber) ?? 0) + 1);
        if (holding && partNumber > 1) {
          await gone;
          await route.abort().catch(() => undefined);
          return;
        }
        await route.continue().catch(() => undefined);
      },
    );
    const size = 20_000_000;
    await dropFiles(page, [{ name: 'reloaded.txt', type: 'text/plain', repeat: 'through a reload\n', size }]);
    await startUpload(page);
    const assetIdOf = () =>
      page.evaluate(
        () =>
          (Object.values((globalThis as any).uppy.getState().files)[0] as any)?.meta.assetId as
            string | undefined,
      );
    const storedParts = async () => {
      const assetId = await assetIdOf();
      if (!assetId) return [];
      const parts = await app.gql(PartsDocument, { assetId }, token);
      return (parts.data?.uploadedParts ?? []).map((part) => part.partNumber);
    };
    await expect.poll(storedParts, { timeout: 20_000 }).toEqual([1]);
    const assetId = await assetIdOf();

    holding = false;
    await page.reload();
    reloaded();
    await page.waitForSelector('html[data-ready="true"]');
    // Restored from this browser (the token from the tab's session storage): resume it.
    await expect.poll(() => page.locator('.uppy-Dashboard-Item').count()).toBe(1);
    await browser.screenshot(page, 'upload-multipart-restored');
    await startUpload(page);
    await page.waitForSelector('#results .result-item[data-file-name="reloaded.txt"][data-state="CLEAN"]', {
      timeout: 60_000,
    });
    expect(await resultCard(page, 'reloaded.txt').getAttribute('data-asset-id')).toBe(assetId);
    // Part 1 was in storage before the reload: never sent again.
    expect(routed.get(1)).toBe(1);
    expect((await app.gql(AssetDocument, { id: assetId! }, token)).data?.asset).toMatchObject({
      fileSize: size,
      scanStatus: 'CLEAN',
    });
  }, 120_000);
});
