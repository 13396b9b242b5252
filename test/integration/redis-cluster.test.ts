import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClusterMetricsDocument } from '../generated/graphql';
import { collectSubscription, startTestApp, type TestApp } from '../helpers/app';
import { SCAN_STATUS } from '../helpers/operations';
import { startRedisCluster, type RunningRedisCluster } from '../helpers/redis-cluster';
import { EICAR, waitForAsset } from '../helpers/scan';
import { confirm, initiate, putBytes } from '../helpers/upload';

type ScanEvent = { assetScanStatus: { status: string; scanStatus: string; final: boolean } };

describe('on a Redis Cluster (three masters of its own)', () => {
  let cluster: RunningRedisCluster;
  let app: TestApp;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    // The rate limit on, so its keys go through the cluster too.
    app = await startTestApp({
      workers: true,
      env: { REDIS_URL: cluster.url, RATE_LIMIT_PER_MINUTE: '1000', SCANNER_PROVIDER: 'signature' },
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  });

  it('uploads, scans, streams the status live and counts the analytics', async () => {
    const token = app.token('cluster-user');
    const body = Buffer.from('hello from a cluster\n');
    const upload = await initiate(app, token, {
      fileName: 'hello.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(upload, body)).status).toBeLessThan(300);
    const live = collectSubscription<ScanEvent>(
      app.ws(token),
      SCAN_STATUS,
      { assetId: upload.assetId },
      30_000,
    );
    await live.started;
    expect((await confirm(app, token, upload.assetId)).errors).toBeUndefined();
    const { events, error } = await live.done;
    expect(error).toBeUndefined();
    expect(events.map((event) => event.assetScanStatus.scanStatus)).toEqual([
      'PENDING',
      'PENDING',
      'SCANNING',
      'CLEAN',
    ]);
    expect(events.at(-1)!.assetScanStatus).toMatchObject({ status: 'APPROVED', final: true });

    const infected = await initiate(app, token, {
      fileName: 'eicar.txt',
      fileSize: EICAR.length,
      mimeType: 'text/plain',
    });
    await putBytes(infected, EICAR);
    await confirm(app, token, infected.assetId);
    expect(
      await waitForAsset(app, token, infected.assetId, (asset) => asset.status !== 'PROCESSING'),
    ).toMatchObject({
      status: 'REJECTED',
      scanStatus: 'INFECTED',
    });

    const admin = app.token('cluster-admin', 'ADMIN');
    await vi.waitFor(async () => {
      const { data } = await app.gql(ClusterMetricsDocument, {}, admin);
      expect(data!.uploadMetrics).toMatchObject({
        totalUploads: 2,
        successfulUploads: 1,
        failedUploads: 1,
        virusScans: { total: 2, clean: 1, infected: 1 },
      });
    });
  });

  it("keeps each subsystem's keys in one hash slot: analytics, limits, signatures under {prefix}, queues under {prefix:bull}", async () => {
    const prefix = app.services.config.redis.prefix;
    const client = new Cluster(cluster.nodes, { lazyConnect: true });
    try {
      await client.connect();
      const keys = (await Promise.all(client.nodes('master').map((node) => node.keys(`*${prefix}*`)))).flat();
      expect(keys.length).toBeGreaterThan(0);
      expect(
        keys.filter((key) => !key.startsWith(`{${prefix}}:`) && !key.startsWith(`{${prefix}:bull}:`)),
      ).toEqual([]);
      expect(keys.some((key) => key.startsWith(`{${prefix}}:upload:daily:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`{${prefix}:bull}:asset-virus-scan:`))).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});
