import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorkers } from '../../src/jobs/workers';
import { storageKeys } from '../../src/services/upload/file-name';
import { startTestApp, type TestApp } from '../helpers/app';
import { EICAR, waitForAsset } from '../helpers/scan';
import { uploadFile } from '../helpers/upload';

// An attempt that found the file infected moves it under quarantine/ and then records the
// verdict; if the database goes away in between, the next attempt finds no object at the
// asset's key. It must still end INFECTED (scanning the quarantined copy), never ERROR.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: false });
});
afterAll(async () => {
  await app?.close();
});

it('a retry after the move but before the verdict was recorded ends INFECTED', async () => {
  const user = app.token('quarantine-user');
  const { assetId, asset } = await uploadFile(app, user, {
    fileName: 'eicar.txt',
    mimeType: 'text/plain',
    body: EICAR,
  });
  // What the interrupted attempt left behind: the object already quarantined, the row unchanged.
  const { storage } = app.services;
  await storage.move(asset.storageKey, storageKeys.quarantine(asset.storageKey));

  const workers = await startWorkers(app.services);
  try {
    const final = await waitForAsset(app, user, assetId, (a) => a.status !== 'PROCESSING');
    expect(final).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED', downloadUrl: null });
    expect(final.storageKey).toBe(storageKeys.quarantine(asset.storageKey));
    expect(await storage.head(final.storageKey)).not.toBeNull();
  } finally {
    await workers.close();
  }
});
