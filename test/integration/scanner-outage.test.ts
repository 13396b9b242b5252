import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSubscription, startTestApp, type TestApp } from '../helpers/app';
import { answersPing, ensureClamd, type ClamdHandle } from '../helpers/clamd';
import { SCAN_STATUS } from '../helpers/operations';
import { freePort } from '../helpers/ports';
import { EICAR, waitForAsset } from '../helpers/scan';
import { uploadFile } from '../helpers/upload';

// An engine that cannot be reached says nothing about a file: its outage is waited out. clamd of
// this file's own is stopped for about 20 s under the default retry settings (3 attempts, 5 s
// backoff, SCAN_UNAVAILABLE_RETRY_SECONDS 3600); every upload ends with its real verdict.

const OUTAGE_MS = 20_000;

interface ScanEvent {
  assetScanStatus: { status: string; scanStatus: string; final: boolean };
}

describe('clamd stopped for 20 s', () => {
  let port: number;
  let clamd: ClamdHandle;
  let app: TestApp;

  beforeAll(async () => {
    port = await freePort();
    clamd = await ensureClamd({ port });
    app = await startTestApp({
      workers: true,
      env: { SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(port), SCAN_BACKOFF_MS: '5000' },
    });
  });
  afterAll(async () => {
    await app?.close();
    await clamd?.stop();
  });

  it('scans wait for it (no attempt spent) and end CLEAN / INFECTED once it is back', async () => {
    const user = app.token('outage-user');
    await clamd.stop();
    expect(await answersPing(port)).toBe(false);
    const stoppedAt = Date.now();

    const clean = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        uploadFile(app, user, {
          fileName: `clean-${i}.txt`,
          mimeType: 'text/plain',
          body: Buffer.from(`clean file ${i}\n`.repeat(100)),
        }),
      ),
    );
    const infected = await uploadFile(app, user, {
      fileName: 'eicar.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    const watched = collectSubscription<ScanEvent>(
      app.ws(user),
      SCAN_STATUS,
      { assetId: clean[0]!.assetId },
      OUTAGE_MS + 60_000,
    );
    await watched.started;

    // Well past three attempts with their backoff: nothing may have been decided meanwhile.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    for (const { assetId } of [...clean, infected]) {
      const asset = await waitForAsset(app, user, assetId, () => true);
      expect(asset.status).toBe('PROCESSING');
      expect(asset.downloadUrl).toBeNull();
    }

    clamd = await ensureClamd({ port });
    for (const { assetId } of clean) {
      const asset = await waitForAsset(app, user, assetId, (a) => a.status !== 'PROCESSING', 40_000);
      expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
      expect(asset.scanResult!.attempts).toBe(1);
    }
    const eicar = await waitForAsset(app, user, infected.assetId, (a) => a.status !== 'PROCESSING', 40_000);
    expect(eicar).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED', downloadUrl: null });

    const { events, error } = await watched.done;
    expect(error).toBeUndefined();
    expect(events.at(-1)!.assetScanStatus).toMatchObject({ status: 'APPROVED', final: true });
  }, 120_000);
});
