import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceJob } from '../../src/jobs/queues';
import { collectSubscription, recordLog, startTestApp, type TestApp } from '../helpers/app';
import { startOwnRedis, type OwnService } from '../helpers/own-services';
import { SCAN_STATUS } from '../helpers/operations';
import { waitForAsset } from '../helpers/scan';
import { uploadFile } from '../helpers/upload';

// Redis here keeps nothing on disk: a restart loses every queued job and every schedule, and
// pub/sub subscribers miss what was published while they were away. None of it may stall an
// asset or a subscription for good. A Redis of this file's own is restarted.

interface ScanEvent {
  assetScanStatus: { status: string; scanStatus: string; final: boolean };
}

let redis: OwnService;
beforeAll(async () => {
  redis = await startOwnRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

describe('a Redis restart with scan jobs queued', () => {
  let app: TestApp;
  const log = recordLog('info');
  beforeAll(async () => {
    app = await startTestApp({ workers: true, log, env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('re-queues every asset in flight at once, and the schedules exist again', async () => {
    const user = app.token('restart-user');
    const [scanWorker] = app.workers!.workers;
    // Nothing is scanned until after the restart: the jobs sit in Redis when it goes.
    await scanWorker!.pause(true);
    const uploads = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        uploadFile(app, user, {
          fileName: `queued-${i}.txt`,
          mimeType: 'text/plain',
          body: Buffer.from(`queued ${i}`),
        }),
      ),
    );
    const queued = await app.services.queues.scan.getJobCounts('waiting', 'prioritized');
    // A fetch already under way when the worker paused may have taken one.
    expect(queued.waiting! + queued.prioritized!).toBeGreaterThanOrEqual(10);
    expect(await app.services.queues.cleanup.getJobScheduler(MaintenanceJob.Cleanup)).toBeDefined();

    await redis.stop();
    await redis.start();
    scanWorker!.resume();

    for (const { assetId } of uploads) {
      const asset = await waitForAsset(app, user, assetId, (a) => a.status !== 'PROCESSING', 30_000);
      expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
    }
    expect(await app.services.queues.cleanup.getJobScheduler(MaintenanceJob.Cleanup)).toBeDefined();
    expect(log.entries.some((entry) => entry.msg === 'job schedules re-established')).toBe(true);
  }, 60_000);
});

describe('a subscriber whose pub/sub connection dropped', () => {
  let app: TestApp;
  beforeAll(async () => {
    // No workers: the test moves the asset itself, at the moment the subscriber is away.
    app = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('re-reads the asset when it is back and gets the final event it missed', async () => {
    const user = app.token('feed-user');
    const { assetId } = await uploadFile(app, user, {
      fileName: 'watched.txt',
      mimeType: 'text/plain',
      body: Buffer.from('watched'),
    });
    const feed = collectSubscription<ScanEvent>(app.ws(user), SCAN_STATUS, { assetId }, 20_000);
    await feed.started;

    const admin = new Redis(redis.url);
    try {
      // Only subscriber connections: commands and publishes keep working, as when a replica's
      // subscriber connection is the one that broke.
      await admin.client('KILL', 'TYPE', 'pubsub');
      const { lifecycle } = app.services;
      expect(await lifecycle.transition('startScan', assetId)).not.toBeNull();
      expect(await lifecycle.transition('scannedClean', assetId)).not.toBeNull();
    } finally {
      admin.disconnect();
    }

    const { events, error } = await feed.done;
    expect(error).toBeUndefined();
    expect(events[0]!.assetScanStatus).toMatchObject({ status: 'PROCESSING' });
    expect(events.at(-1)!.assetScanStatus).toMatchObject({ status: 'APPROVED', final: true });
  });
});
