import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { EICAR, waitForAsset } from '../helpers/scan';
import { uploadFile } from '../helpers/upload';

/** GET /api/admin/audit/security-events: the newest detections, failed scans and refusals, from the audit trail. */
describe('security events feed', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await startTestApp({ workers: true });
    base = new URL(app.url).origin;
  });
  afterAll(() => app?.close());

  const feed = (token: string, query = '') =>
    fetch(`${base}/api/admin/audit/security-events${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });

  it('lists a detection newest first, with its threat; a clean upload is not in it', async () => {
    const owner = app.token('feed-alice');
    const clean = await uploadFile(app, owner, {
      fileName: 'ok.txt',
      mimeType: 'text/plain',
      body: Buffer.from('fine\n'),
    });
    const infected = await uploadFile(app, owner, {
      fileName: 'bad.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    await waitForAsset(app, owner, clean.assetId, (asset) => asset.scanStatus === 'CLEAN');
    await waitForAsset(app, owner, infected.assetId, (asset) => asset.scanStatus === 'INFECTED');

    const response = await feed(app.token('feed-admin', 'ADMIN'), '?limit=5');
    expect(response.status).toBe(200);
    const events = (await response.json()) as {
      assetId: string;
      ownerId: string;
      type: string;
      detail: unknown;
    }[];
    expect(events[0]).toMatchObject({
      assetId: infected.assetId,
      ownerId: 'feed-alice',
      type: 'SCANNED_INFECTED',
    });
    expect(JSON.stringify(events[0].detail)).toMatch(/eicar/i);
    expect(events.some((event) => event.assetId === clean.assetId)).toBe(false);
  });

  it('is for admins only, and says which parameter is wrong', async () => {
    expect((await feed(app.token('feed-bob'))).status).toBe(403);
    const bad = await feed(app.token('feed-admin', 'ADMIN'), '?limit=0');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'limit' } });
  });
});
