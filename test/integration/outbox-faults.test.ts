import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AssetStatus, IpAsset, ScanStatus } from '../../src/entities/ip-asset.entity';
import { utcDay } from '../../src/services/analytics/analytics-keys';
import { OutboxMetricsDocument } from '../generated/graphql';
import { collectSubscription, recordLog, startTestApp, type TestApp } from '../helpers/app';
import { deploymentEnv, startDeployment, type Deployment } from '../helpers/deployment';
import { SCAN_STATUS } from '../helpers/operations';
import { startOwnRedis, type OwnService } from '../helpers/own-services';
import { buildDist } from '../helpers/process';
import { confirm, initiate, putBytes } from '../helpers/upload';

type ScanEvent = { assetScanStatus: { status: string; scanStatus: string; final: boolean } };

const states = (events: ScanEvent[]) =>
  events.map(({ assetScanStatus: e }) => `${e.status}/${e.scanStatus}${e.final ? '!' : ''}`);

describe('a process killed right after a transition commits, before it delivers the event', () => {
  let deployment: Deployment | undefined;
  beforeAll(() => buildDist(), 120_000);
  afterAll(async () => {
    await deployment?.stop();
  });

  it('another process delivers it: the live subscriber gets it, analytics count it once', async () => {
    const env = await deploymentEnv({
      SCANNER_PROVIDER: 'signature',
      SCAN_BACKOFF_MS: '200',
      SCAN_LOCK_DURATION_MS: '2000',
      OUTBOX_SWEEP_INTERVAL_MS: '200',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    deployment = await startDeployment(['api'], env);
    // This worker dies (SIGKILL) the moment its SCAN_STARTED transition has committed.
    const doomed = await deployment.add('worker', { OUTBOX_TEST_KILL_AFTER_COMMIT: 'SCAN_STARTED' });
    const died = new Promise<NodeJS.Signals | null>((resolve) =>
      doomed.child.once('exit', (_code, signal) => resolve(signal)),
    );
    const { client } = deployment;
    const token = client.token('crash-user');
    const body = Buffer.from('committed, never published by its writer\n');
    const upload = await initiate(client, token, {
      fileName: 'c.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(upload, body)).ok).toBe(true);
    const stream = collectSubscription<ScanEvent>(
      client.ws(token),
      SCAN_STATUS,
      { assetId: upload.assetId },
      60_000,
    );
    await stream.started;
    expect((await confirm(client, token, upload.assetId)).errors).toBeUndefined();
    expect(await died).toBe('SIGKILL');

    // The only process left is the API: its relay's sweep is what brings SCANNING to the subscriber.
    await vi.waitFor(() => expect(states(stream.events)).toContain('PROCESSING/SCANNING'), {
      timeout: 15_000,
      interval: 50,
    });
    // A healthy worker takes the stalled job over and finishes the scan.
    await deployment.add('worker');
    const { events, error } = await stream.done;
    expect(error).toBeUndefined();
    expect(states(events)).toEqual([
      'DRAFT/PENDING',
      'PROCESSING/PENDING',
      'PROCESSING/SCANNING',
      'APPROVED/CLEAN!',
    ]);

    const pg = new Client({ connectionString: env.DATABASE_URL });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        `select type, actor, delivered_at is not null as delivered from asset_event where asset_id = $1 order by id`,
        [upload.assetId],
      );
      expect(rows.map((row) => row.type)).toEqual([
        'INITIATED',
        'CONFIRMED',
        'SCAN_STARTED',
        'SCAN_RETRIED',
        'SCANNED_CLEAN',
      ]);
      await vi.waitFor(async () => {
        const { rows: left } = await pg.query(
          `select count(*)::int as n from asset_event where delivered_at is null`,
        );
        expect(left[0].n).toBe(0);
      });
    } finally {
      await pg.end();
    }

    // Counted once each, the scan that was started twice included.
    const admin = client.token('root', 'ADMIN');
    const { data } = await client.gql(OutboxMetricsDocument, {}, admin);
    expect(data!.uploadMetrics).toEqual({
      totalUploads: 1,
      successfulUploads: 1,
      failedUploads: 0,
      virusScans: { total: 1, clean: 1, infected: 0, failed: 0 },
    });
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const daily = await redis.hgetall(`${env.REDIS_PREFIX}:upload:daily:${utcDay(new Date())}`);
      expect(daily).toMatchObject({
        initiated: '1',
        confirmed: '1',
        scan_started: '1',
        scan_clean: '1',
        approved: '1',
      });
    } finally {
      redis.disconnect();
    }
  });
});

describe('Redis stopped for a few seconds during a burst of transitions', () => {
  let redis: OwnService;
  let app: TestApp;
  const log = recordLog('warn');

  beforeAll(async () => {
    // Its own Redis (never the shared 6379), durable like a production one: it comes back with its keys.
    redis = await startOwnRedis({ persist: true });
    app = await startTestApp({ log, env: { REDIS_URL: redis.url, OUTBOX_SWEEP_INTERVAL_MS: '200' } });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.dispose();
  });

  function newAsset(owner: string, i: number): IpAsset {
    const asset = new IpAsset();
    asset.fileName = `burst-${i}.txt`;
    asset.fileSize = 100 + i;
    asset.mimeType = 'text/plain';
    asset.createdBy = owner;
    asset.storageKey = `assets/${asset.id}/burst-${i}.txt`;
    asset.uploadKey = `incoming/${asset.id}`;
    asset.uploadExpiresAt = new Date(Date.now() + 60_000);
    return asset;
  }

  it('afterwards every event has reached its subscriber and analytics, each counted once', async () => {
    const { lifecycle, assetEvents } = app.services;
    const owner = { userId: 'burst-owner', role: 'USER' as const };
    const token = app.token(owner.userId);
    const count = 12;
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push((await lifecycle.create(owner, newAsset(owner.userId, i), {})).id);
    const streams = ids.map((assetId) =>
      collectSubscription<ScanEvent>(app.ws(token), SCAN_STATUS, { assetId }, 60_000),
    );
    await Promise.all(streams.map((stream) => stream.started));
    await app.services.outbox.flush();

    const failures = () =>
      log.entries.filter((entry) => entry.msg === 'outbox delivery failed; will retry').length;
    for (let i = 0; i < count; i++) {
      if (i === 4) await redis.stop();
      const id = ids[i]!;
      await lifecycle.transition('confirm', id, { actor: owner });
      await lifecycle.transition('startScan', id);
      const scanResult = {
        engine: 'signature',
        threats: i % 2 ? [{ engine: 'signature', name: 'Eicar-Test-Signature' }] : [],
        scannedAt: new Date().toISOString(),
        durationMs: 1,
        attempts: 1,
      };
      await lifecycle.transition(i % 2 ? 'scannedInfected' : 'scannedClean', id, { changes: { scanResult } });
      if (i === 7) {
        // Down until the relay has tried (and failed) a few times: a few seconds.
        await vi.waitFor(() => expect(failures()).toBeGreaterThanOrEqual(3), {
          timeout: 30_000,
          interval: 100,
        });
        await redis.start();
      }
    }

    const results = await Promise.all(streams.map((stream) => stream.done));
    results.forEach(({ events, error }, i) => {
      expect(error).toBeUndefined();
      const final = i % 2 ? 'REJECTED/INFECTED!' : 'APPROVED/CLEAN!';
      expect(states(events)).toEqual(['DRAFT/PENDING', 'PROCESSING/PENDING', 'PROCESSING/SCANNING', final]);
    });
    await vi.waitFor(async () => expect(await assetEvents.countUndelivered()).toBe(0), { timeout: 30_000 });

    const { data } = await app.gql(OutboxMetricsDocument, {}, app.token('root', 'ADMIN'));
    expect(data!.uploadMetrics).toEqual({
      totalUploads: count,
      successfulUploads: count / 2,
      failedUploads: count / 2,
      virusScans: { total: count, clean: count / 2, infected: count / 2, failed: 0 },
    });
    expect(data!.uploadFailureBreakdown).toEqual([{ key: 'Virus detected', count: count / 2 }]);
    const daily = await app.services.redis.hgetall(
      `${app.services.config.redis.keyPrefix}upload:daily:${utcDay(new Date())}`,
    );
    expect(daily).toMatchObject({ initiated: '12', confirmed: '12', scan_started: '12' });
    expect(await lifecycle.transition('confirm', ids[0]!, { actor: owner })).toBeNull();
    expect((await app.services.assets.findById(ids[1]!))?.status).toBe(AssetStatus.REJECTED);
    expect((await app.services.assets.findById(ids[0]!))?.scanStatus).toBe(ScanStatus.CLEAN);
  });
});
