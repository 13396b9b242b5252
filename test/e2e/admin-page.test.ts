import { Client } from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { launchBrowser, seriousAccessibilityViolations, type WatchedBrowser } from '../helpers/browser';
import { SHARED_CLAMD_PORT } from '../helpers/clamd';
import { ASSET } from '../helpers/operations';
import { ensurePagesBuilt } from '../helpers/pages';
import { EICAR, waitForAsset } from '../helpers/scan';
import { initiate, uploadFile } from '../helpers/upload';

/**
 * The admin dashboard (/admin/) in Debian's Chromium against the whole service: its numbers
 * follow uploadMetricsUpdated live, and its cleanup shows a dry run before a confirmed run.
 */
describe('admin dashboard in a browser', () => {
  let app: TestApp;
  let browser: WatchedBrowser;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    await ensurePagesBuilt();
    app = await startTestApp({
      workers: true,
      env: { SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(SHARED_CLAMD_PORT) },
    });
    origin = new URL(app.url).origin;
    browser = await launchBrowser(origin);
    page = browser.page;
  }, 180_000);

  afterEach(() => {
    expect(browser.pageErrors.splice(0)).toEqual([]);
    expect(browser.foreignRequests.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openDashboard(token: string): Promise<void> {
    browser.consoleErrors.length = 0;
    await page.goto('about:blank');
    await page.goto(`${origin}/admin/#token=${encodeURIComponent(token)}`);
    await page.waitForSelector('html[data-ready="true"]');
  }

  const metric = (id: string) => page.textContent(`[data-metric="${id}"]`);

  it('follows the metrics live: totals, scans, types, failures, queue and uploaders change as uploads happen', async () => {
    await openDashboard(app.token('dash-admin', 'ADMIN'));
    await expect.poll(() => page.textContent('#live-status')).toBe('Live');
    expect(await metric('total')).toBe('0');
    expect(await metric('success-rate')).toBe('100.0 %');
    await browser.screenshot(page, 'admin-empty');

    const uploader = app.token('dash-alice');
    const clean = await uploadFile(app, uploader, {
      fileName: 'notes.txt',
      mimeType: 'text/plain',
      body: Buffer.from('plain notes\n'),
    });
    const infected = await uploadFile(app, uploader, {
      fileName: 'eicar.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    await waitForAsset(app, uploader, clean.assetId, (asset) => asset.scanStatus === 'CLEAN');
    await waitForAsset(app, uploader, infected.assetId, (asset) => asset.scanStatus === 'INFECTED');

    // No reload: the page changes as the server publishes.
    await expect.poll(() => metric('total')).toBe('2');
    await expect.poll(() => metric('scans-infected')).toBe('1');
    await expect.poll(() => metric('scans-clean')).toBe('1');
    await expect.poll(() => metric('success-rate')).toBe('50.0 %');
    await expect.poll(() => page.textContent('#mime-table [data-key="text/plain"] td')).toBe('2');
    // Re-read after metrics events, and polled every few seconds.
    const extras = { timeout: 15_000 };
    await expect.poll(() => page.locator('#failures-table tbody tr[data-key]').count(), extras).toBe(1);
    await expect.poll(() => page.textContent('#uploaders [data-user="dash-alice"] td'), extras).toBe('2');
    expect(await metric('pending')).toBe('0');

    await browser.screenshot(page, 'admin-live');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });

  it('cleanup: the dry run lists what would go and deletes nothing; the real run asks first', async () => {
    // An upload started two days ago and never finished: abandoned.
    const owner = app.token('dash-bob');
    const draft = await initiate(app, owner, { fileName: 'left.txt', fileSize: 5, mimeType: 'text/plain' });
    const db = new Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      await db.query(`update ip_asset set created_at = now() - interval '2 days' where id = $1`, [
        draft.assetId,
      ]);
    } finally {
      await db.end();
    }
    await openDashboard(app.token('dash-admin', 'ADMIN'));

    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.waitForSelector('#cleanup-result [data-dry-run="true"]');
    expect(await page.textContent('#cleanup-result [data-cleanup="abandoned"]')).toBe(
      '1 abandoned upload(s)',
    );
    expect((await app.gql(ASSET, { id: draft.assetId }, owner)).data.asset.status).toBe('DRAFT');
    await browser.screenshot(page, 'admin-cleanup-dry-run');

    // The real run: cancelling the confirmation changes nothing.
    await page.getByRole('button', { name: 'Run cleanup…' }).click();
    await page.waitForSelector('#cleanup-dialog[open]');
    expect(await page.textContent('#cleanup-dialog-text')).toContain('This deletes 1 upload(s)');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await app.gql(ASSET, { id: draft.assetId }, owner)).data.asset.status).toBe('DRAFT');

    await page.getByRole('button', { name: 'Run cleanup…' }).click();
    await page.waitForSelector('#cleanup-dialog[open]');
    await page.getByRole('button', { name: 'Delete them' }).click();
    await page.waitForSelector('#cleanup-result [data-dry-run="false"]');
    expect(await page.textContent('#cleanup-result [data-cleanup="abandoned"]')).toBe(
      '1 abandoned upload(s)',
    );
    expect((await app.gql(ASSET, { id: draft.assetId }, owner)).data.asset.status).toBe('REJECTED');
    await browser.screenshot(page, 'admin-cleanup-done');
  });

  it('a USER token: told plainly that the dashboard needs an admin', async () => {
    await openDashboard(app.token('dash-carol'));
    await page.waitForSelector('#dashboard-error[data-code="FORBIDDEN"]');
    expect(await page.textContent('#dashboard-error')).toContain('needs an ADMIN token');
    expect(await page.textContent('#token-status')).toContain('this page needs an ADMIN token');
  });
});
