import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectionReason } from '../../src/services/analytics/upload-event';
import { CleanupRepository } from '../../src/repositories/cleanup.repository';
import { CleanupService } from '../../src/services/cleanup/cleanup.service';
import {
  MultipartUploadNotFound,
  type OpenMultipartUpload,
  type StorageAdapter,
} from '../../src/storage/storage.adapter';
import { startTestApp, type TestApp } from '../helpers/app';
import { cutIntoParts, initiateMultipart, partUrls, putPart } from '../helpers/multipart';

const MiB = 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;

async function openUploads(storage: StorageAdapter): Promise<OpenMultipartUpload[]> {
  const all: OpenMultipartUpload[] = [];
  for await (const page of storage.listMultipartUploads('')) all.push(...page);
  return all;
}

describe('the cleanup and multipart uploads (local provider)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A cleanup as it would run two days from now. */
  const cleanupLater = () =>
    new CleanupService(
      new CleanupRepository(app.services.orm.em.getKnex()),
      app.services.storage,
      app.services.lifecycle,
      {
        abandonedAfterHours: 24,
        failedAfterDays: 7,
        quarantineAfterDays: 30,
        now: () => new Date(Date.now() + 2 * DAY_MS),
      },
      app.services.logger,
    );

  it('aborts abandoned multipart uploads (no parts left) and multipart uploads no asset owns', async () => {
    const user = app.token('cleanup-mp');
    const file = Buffer.alloc(6 * MiB, 'a');
    const upload = await initiateMultipart(app, user, {
      fileName: 'left.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: 5 * MiB,
    });
    const parts = cutIntoParts(file, 5 * MiB);
    for (const url of await partUrls(app, user, upload.assetId, [1, 2])) {
      expect((await putPart(url, parts[url.partNumber - 1]!)).status).toBe(200);
    }
    const row = await app.services.assets.findById(upload.assetId);
    const uploadId = row!.multipartUploadId!;
    // A storage upload whose asset never got stored (a replica died between the two).
    const strayKey = `assets/${randomUUID()}/stray.bin`;
    const strayId = await app.services.storage.createMultipartUpload(strayKey, { contentType: 'text/plain' });
    expect((await openUploads(app.services.storage)).map((open) => open.uploadId).sort()).toEqual(
      [uploadId, strayId].sort(),
    );

    const preview = await cleanupLater().run({ dryRun: true });
    expect(preview).toMatchObject({ abandonedCleaned: 1, errors: [] });
    expect(preview.orphans.multipartUploadsWithoutAsset).toBe(1);
    expect(preview.orphans.examples).toContain(strayKey);
    expect(await openUploads(app.services.storage)).toHaveLength(2);

    const result = await cleanupLater().run({ dryRun: false });
    expect(result).toMatchObject({ abandonedCleaned: 1, errors: [] });
    expect(result.orphans.multipartUploadsWithoutAsset).toBe(1);
    expect(await openUploads(app.services.storage)).toEqual([]);
    await expect(app.services.storage.listParts(upload.storageKey, uploadId)).rejects.toBeInstanceOf(
      MultipartUploadNotFound,
    );
    expect(await app.services.assets.findById(upload.assetId)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: RejectionReason.UploadAbandoned,
      multipartUploadId: null,
    });

    // Nothing is left for a second run.
    const again = await cleanupLater().run({ dryRun: false });
    expect(again.abandonedCleaned).toBe(0);
    expect(again.orphans.multipartUploadsWithoutAsset).toBe(0);
  });
});
