import { Client } from 'pg';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { AssetDocument } from '../helpers/operations';
import { EICAR, waitForAsset } from '../helpers/scan';
import { initiate, uploadFile } from '../helpers/upload';

/**
 * The admin dashboard (/admin/) in Debian's Chromium against the whole service: its numbers
 * follow uploadMetricsUpdated live, and its cleanup shows a dry run before a confirmed run.
 */
describe('admin dashboard in a browser', () => {
  const suite = browserSuite();
  const openDashboard = (token: string) => suite.openSignedIn('/admin/', token);

  /** One attribute of every element a locator matches, in document order. */
  const attributes = async (locator: Locator, name: string) =>
    Promise.all((await locator.all()).map((element) => element.getAttribute(name)));

  const metric = (id: string) => suite.page.textContent(`[data-metric="${id}"]`);

  it('follows the metrics live: totals, scans, types, failures, queue and uploaders change as uploads happen', async () => {
    const { app, browser, page } = suite;
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
    // The security feed (audit trail) names the detection; its button opens the asset's trail.
    const detection = page.locator(
      `#security-events tr[data-event="SCANNED_INFECTED"][data-asset-id="${infected.assetId}"]`,
    );
    await expect.poll(() => detection.count(), extras).toBe(1);
    expect(await detection.locator('td.detail').textContent()).toMatch(/Eicar/);
    expect(await page.locator(`#security-events tr[data-asset-id="${clean.assetId}"]`).count()).toBe(0);
    await detection.getByRole('button', { name: /Show the trail/ }).click();
    await page.waitForSelector(`#asset-result[data-asset-id="${infected.assetId}"]`);
    expect(await page.textContent('[data-fact="threats"]')).toMatch(/Eicar/);

    await browser.screenshot(page, 'admin-live');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });

  it('cleanup: the dry run lists what would go and deletes nothing; the real run asks first', async () => {
    const { app, browser, page } = suite;
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
    expect((await app.gql(AssetDocument, { id: draft.assetId }, owner)).data!.asset!.status).toBe('DRAFT');
    await browser.screenshot(page, 'admin-cleanup-dry-run');

    // The real run: cancelling the confirmation changes nothing.
    await page.getByRole('button', { name: 'Run cleanup…' }).click();
    await page.waitForSelector('#cleanup-dialog[open]');
    expect(await page.textContent('#cleanup-dialog-text')).toContain('This deletes 1 upload(s)');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await app.gql(AssetDocument, { id: draft.assetId }, owner)).data!.asset!.status).toBe('DRAFT');

    await page.getByRole('button', { name: 'Run cleanup…' }).click();
    await page.waitForSelector('#cleanup-dialog[open]');
    await page.getByRole('button', { name: 'Delete them' }).click();
    await page.waitForSelector('#cleanup-result [data-dry-run="false"]');
    expect(await page.textContent('#cleanup-result [data-cleanup="abandoned"]')).toBe(
      '1 abandoned upload(s)',
    );
    expect((await app.gql(AssetDocument, { id: draft.assetId }, owner)).data!.asset!.status).toBe('REJECTED');
    await browser.screenshot(page, 'admin-cleanup-done');
  });

  it('an asset: its audit trail by id, a rescan that adds to it, and links to the queue board and /metrics', async () => {
    const { app, browser, page } = suite;
    const owner = app.token('dash-dora');
    const clean = await uploadFile(app, owner, {
      fileName: 'report.txt',
      mimeType: 'text/plain',
      body: Buffer.from('quarterly report\n'),
    });
    await waitForAsset(app, owner, clean.assetId, (asset) => asset.scanStatus === 'CLEAN');
    await openDashboard(app.token('dash-admin', 'ADMIN'));

    // Keyboard only: type the id, press Enter.
    await page.getByLabel('Asset id').fill(clean.assetId);
    await page.getByLabel('Asset id').press('Enter');
    await page.waitForSelector(`#asset-result[data-asset-id="${clean.assetId}"]`);
    expect(await page.textContent('[data-fact="owner"]')).toBe('dash-dora');
    expect(await page.textContent('[data-fact="state"]')).toBe('APPROVED / CLEAN');
    const trail = () => attributes(page.locator('#asset-trail tbody tr'), 'data-event');
    const before = await trail();
    expect(before).toEqual(
      expect.arrayContaining(['INITIATED', 'CONFIRMED', 'SCAN_STARTED', 'SCANNED_CLEAN']),
    );

    await page.getByRole('button', { name: 'Scan again' }).click();
    await expect
      .poll(() => page.textContent('#asset-status'), { timeout: 30_000 })
      .toBe('Scanned again: still clean.');
    const after = await trail();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual(['SCAN_STARTED', 'SCANNED_CLEAN']);
    expect(await page.locator('#asset-trail tbody tr').last().textContent()).toContain('rescan (admin)');
    await browser.screenshot(page, 'admin-asset-rescan');

    // An id nobody knows: said plainly.
    await page.getByLabel('Asset id').fill('00000000-0000-4000-8000-000000000000');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect
      .poll(() => page.textContent('#asset-status'))
      .toBe('No asset with this id, and no trail of one.');

    const links = await attributes(page.locator('main a'), 'href');
    expect(links).toEqual(expect.arrayContaining(['/admin/queues', '/metrics']));
    expect((await fetch(`${suite.origin}/metrics`)).status).toBe(200);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });

  it('a USER token: told plainly that the dashboard needs an admin', async () => {
    const { app, page } = suite;
    await openDashboard(app.token('dash-carol'));
    await page.waitForSelector('#dashboard-error[data-code="FORBIDDEN"]');
    expect(await page.textContent('#dashboard-error')).toContain('needs an ADMIN token');
    expect(await page.textContent('#token-status')).toContain('this page needs an ADMIN token');
  });
});
