import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AdminMetricsDocument,
  FailureBreakdownDocument,
  QueueDepthDocument,
  RebuildMetricsDocument,
  TopTwoUploadersDocument,
  TriggerCleanupDocument,
} from '../generated/graphql';
import { collectSubscription, startTestApp, type TestApp } from '../helpers/app';
import { EICAR, waitForAsset } from '../helpers/scan';
import { SCAN_STATUS } from '../helpers/operations';
import { confirm, initiate, PNG_1x1, putBytes, uploadFile } from '../helpers/upload';
import { AnalyticsKeys } from '../../src/services/analytics/analytics-keys';
import { UploadEventType } from '../../src/services/analytics/upload-event';

describe('admin analytics, queue depth, cleanup and observability after a scripted mix of uploads', () => {
  let app: TestApp;
  let admin: string;
  let user: string;
  const expected = { initiated: 0, approved: 0, rejected: 0 };
  const bytesBy: Record<string, number> = {};
  let abandonedId = '';

  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { SCANNER_PROVIDER: 'signature' } });
    admin = app.token('boss', 'ADMIN');
    user = app.token('plain-user');

    const clean = async (who: string, body: Buffer, mimeType: string, fileName: string) => {
      const token = app.token(who);
      const { assetId } = await uploadFile(app, token, { fileName, mimeType, body });
      await waitForAsset(
        app,
        token,
        assetId,
        (a) => a.status === 'APPROVED' && (mimeType !== 'image/png' || a.thumbnailUrl !== null),
      );
      expected.initiated++;
      expected.approved++;
      bytesBy[who] = (bytesBy[who] ?? 0) + body.length;
    };
    await clean('alice', Buffer.from('a'.repeat(1000)), 'text/plain', 'a.txt');
    await clean('alice', PNG_1x1, 'image/png', 'p.png');
    await clean('bob', Buffer.from('b'.repeat(300)), 'text/csv', 'b.csv');

    const infected = await uploadFile(app, app.token('mallory'), {
      fileName: 'e.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    await waitForAsset(app, app.token('mallory'), infected.assetId, (a) => a.status === 'REJECTED');
    bytesBy.mallory = EICAR.length;
    expected.initiated++;
    expected.rejected++;

    const mismatched = await initiate(app, app.token('bob'), {
      fileName: 'fake.png',
      fileSize: 9,
      mimeType: 'image/png',
    });
    await putBytes(mismatched, Buffer.from('not a png'));
    await confirm(app, app.token('bob'), mismatched.assetId);
    expected.initiated++;
    expected.rejected++;

    // An upload started but never sent, back-dated past the abandonment threshold.
    const abandoned = await initiate(app, app.token('carol'), {
      fileName: 'never.txt',
      fileSize: 5,
      mimeType: 'text/plain',
    });
    abandonedId = abandoned.assetId;
    await app.services.orm.em
      .fork()
      .getConnection()
      .execute(`update ip_asset set created_at = now() - interval '2 days' where id = ?`, [
        abandoned.assetId,
      ]);
    expected.initiated++;
    // And one still in progress, which cleanup must leave alone.
    await initiate(app, app.token('carol'), { fileName: 'soon.txt', fileSize: 5, mimeType: 'text/plain' });
    expected.initiated++;
  }, 60_000);
  afterAll(() => app?.close());

  it('a dry-run cleanup reports the abandoned upload and changes nothing', async () => {
    const result = await app.gql(TriggerCleanupDocument, {}, admin);
    expect(result.data!.triggerUploadCleanup).toEqual({
      dryRun: true,
      abandonedCleaned: 1,
      failedCleaned: 0,
      infectedCleaned: 0,
      storageFreedBytes: 0,
      errors: [],
    });
    const depth = await app.gql(QueueDepthDocument, {}, admin);
    expect(depth.data!.uploadQueueDepth).toEqual({ pending: 2, scanning: 0, processing: 0 });
  });

  it('the real cleanup rejects the abandoned upload; every figure then equals what the script did', async () => {
    const watcher = collectSubscription<{ assetScanStatus: { status: string; final: boolean } }>(
      app.ws(app.token('carol')),
      SCAN_STATUS,
      { assetId: abandonedId },
    );
    await watcher.started;
    const cleanup = await fetch(`${app.url.replace('/graphql', '')}/api/admin/uploads/cleanup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: false }),
    });
    expect(cleanup.status).toBe(200);
    expect(await cleanup.json()).toMatchObject({ dryRun: false, abandonedCleaned: 1 });
    expected.rejected++;
    const watched = await watcher.done;
    expect(watched.events.map((e) => [e.assetScanStatus.status, e.assetScanStatus.final])).toEqual([
      ['DRAFT', false],
      ['REJECTED', true],
    ]);

    const { data } = await app.gql(AdminMetricsDocument, {}, admin);
    const metrics = data!.uploadMetrics;
    expect(metrics).toMatchObject({
      totalUploads: expected.initiated,
      successfulUploads: expected.approved,
      failedUploads: expected.rejected,
      successRate: (expected.approved / (expected.approved + expected.rejected)) * 100,
      virusScans: { total: 4, clean: 3, infected: 1, failed: 0 },
    });
    // The mismatched upload never confirmed, so its bytes are not counted as stored.
    const confirmedBytes = Object.values(bytesBy).reduce((a, b) => a + b, 0);
    expect(metrics.totalStorageUsed).toBe(confirmedBytes);
    expect(metrics.byMimeType).toEqual(
      expect.arrayContaining([
        { key: 'text/plain', count: 4 },
        { key: 'image/png', count: 2 },
        { key: 'text/csv', count: 1 },
      ]),
    );

    const breakdown = await app.gql(FailureBreakdownDocument, {}, admin);
    expect(breakdown.data!.uploadFailureBreakdown).toEqual(
      expect.arrayContaining([
        { key: 'Virus detected', count: 1 },
        { key: 'Content mismatch', count: 1 },
        { key: 'Upload abandoned', count: 1 },
      ]),
    );
    expect(breakdown.data!.uploadFailureBreakdown).toHaveLength(3);

    const top = await app.gql(TopTwoUploadersDocument, {}, admin);
    expect(top.data!.topUploaders).toEqual([
      { userId: 'alice', uploads: 2, totalBytes: bytesBy.alice },
      { userId: 'bob', uploads: 1, totalBytes: bytesBy.bob },
    ]);

    const depth = await app.gql(QueueDepthDocument, {}, admin);
    expect(depth.data!.uploadQueueDepth).toEqual({ pending: 1, scanning: 0, processing: 0 });

    // The REST twins answer the same.
    const base = app.url.replace('/graphql', '');
    const rest = await (
      await fetch(`${base}/api/admin/analytics/uploads`, { headers: { authorization: `Bearer ${admin}` } })
    ).json();
    expect(rest).toMatchObject({
      totalUploads: expected.initiated,
      successfulUploads: expected.approved,
      failedUploads: expected.rejected,
    });
    const queue = await (
      await fetch(`${base}/api/admin/analytics/uploads/queue`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json();
    expect(queue).toEqual({ pending: 1, scanning: 0, processing: 0 });
  });

  it('a date range works and a reversed one is BAD_USER_INPUT', async () => {
    const today = new Date();
    const ranged = await app.gql(
      AdminMetricsDocument,
      { start: new Date(today.getTime() - 86_400_000).toISOString(), end: today.toISOString() },
      admin,
    );
    expect(ranged.data!.uploadMetrics.totalUploads).toBe(expected.initiated);
    const reversed = await app.gql(
      AdminMetricsDocument,
      { start: today.toISOString(), end: new Date(0).toISOString() },
      admin,
    );
    expect(reversed.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: expect.any(String),
    });
    const rest = await fetch(
      `${app.url.replace('/graphql', '')}/api/admin/analytics/uploads?start=yesterday`,
      {
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    expect(rest.status).toBe(400);
  });

  it('users get FORBIDDEN / 403; no token gets 401', async () => {
    for (const query of [
      AdminMetricsDocument.toString(),
      '{ uploadQueueDepth { pending } }',
      '{ uploadFailureBreakdown { key } }',
      '{ topUploaders { userId } }',
    ]) {
      expect((await app.gql(query, {}, user)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(
      (await app.gql('mutation { triggerUploadCleanup { dryRun } }', {}, user)).errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
    const base = app.url.replace('/graphql', '');
    for (const [method, path] of [
      ['GET', '/api/admin/analytics/uploads'],
      ['GET', '/api/admin/analytics/uploads/queue'],
      ['POST', '/api/admin/uploads/cleanup'],
      ['GET', '/admin/queues'],
    ]) {
      expect((await fetch(`${base}${path}`, { method })).status).toBe(401);
      expect(
        (await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${user}` } })).status,
      ).toBe(403);
    }
    const board = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${admin}` } });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('<html');
  });

  it('uploadMetricsUpdated pushes within a second, and 1,000 events in a second give only a handful of pushes', async () => {
    const denied = await collectSubscription(
      app.ws(user),
      'subscription { uploadMetricsUpdated { totalUploads } }',
      {},
      3000,
    ).done;
    expect(JSON.stringify(denied.error)).toContain('FORBIDDEN');

    const sub = collectSubscription<{ uploadMetricsUpdated: { totalUploads: number } }>(
      app.ws(admin),
      'subscription { uploadMetricsUpdated { totalUploads } }',
      {},
      10_000,
    );
    // The feed is live once this replica listens on the change channel; a fixed pause would race.
    const channel = new AnalyticsKeys(`${app.services.config.redis.prefix}:`).metricsChangedChannel();
    const listeners = async () => Number((await app.services.redis.pubsub('NUMSUB', channel))[1]);
    await vi.waitFor(async () => expect(await listeners()).toBeGreaterThan(0), {
      timeout: 5_000,
      interval: 10,
    });
    const startedAt = Date.now();
    await initiate(app, app.token('dan'), { fileName: 'x.txt', fileSize: 1, mimeType: 'text/plain' });
    await sub.started;
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(sub.events[0].uploadMetricsUpdated.totalUploads).toBe(expected.initiated + 1);

    const before = sub.events.length;
    const burst = Array.from({ length: 1000 }, (_, i) =>
      app.services.analytics.track({
        type: UploadEventType.Initiated,
        assetId: `burst-${i}`,
        userId: 'burst',
        mimeType: 'text/plain',
        fileSize: 1,
      }),
    );
    await Promise.all(burst);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const pushes = sub.events.length - before;
    expect(pushes).toBeGreaterThanOrEqual(1);
    expect(pushes).toBeLessThanOrEqual(8);
    expect(sub.events.at(-1)!.uploadMetricsUpdated.totalUploads).toBe(expected.initiated + 1001);
  });

  it('after Redis loses the counters, rebuilding the day makes the figures match the database again', async () => {
    const prefix = `${app.services.config.redis.prefix}:upload:`;
    const keys = await app.services.redis.keys(`${prefix}*`);
    await app.services.redis.del(...keys);
    const lost = await app.gql(AdminMetricsDocument, {}, admin);
    expect(lost.data!.uploadMetrics.totalUploads).toBe(0);

    const rebuilt = await app.gql(RebuildMetricsDocument, { date: new Date().toISOString() }, admin);
    expect(rebuilt.errors).toBeUndefined();
    // What happened today, as the audit trail recorded it (the back-dated abandoned upload's row
    // says two days ago, but it was initiated, and abandoned, today).
    const [facts] = await app.services.orm.em.fork().getConnection().execute(`
      select
        count(*) filter (where type = 'INITIATED')::int as initiated,
        count(*) filter (where status = 'APPROVED' and type = 'SCANNED_CLEAN')::int as approved,
        count(*) filter (where status = 'REJECTED' and type in ('REJECTED', 'SCANNED_INFECTED', 'SCAN_ERROR'))::int as rejected,
        coalesce(sum(file_size) filter (where type = 'CONFIRMED'), 0)::float as bytes
      from asset_event where at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'`);
    expect(facts.initiated).toBe(expected.initiated + 1); // + dan's, from the live-updates test
    const { data } = await app.gql(AdminMetricsDocument, {}, admin);
    expect(data!.uploadMetrics).toMatchObject({
      totalUploads: facts.initiated,
      successfulUploads: facts.approved,
      failedUploads: facts.rejected,
      totalStorageUsed: facts.bytes,
    });
    expect(facts).toMatchObject({ approved: expected.approved, rejected: expected.rejected });
    expect(rebuilt.data!.rebuildUploadMetrics.rowsCounted).toBe(rebuilt.data!.rebuildUploadMetrics.rowsRead);
  });

  it('/metrics, /healthz and /readyz answer without a token', async () => {
    const base = app.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'ok', storage: 'ok' } });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/uploads_total\{outcome="approved"\} 3/);
    expect(text).toMatch(/upload_infected_files_total 1/);
    expect(text).toMatch(/upload_queue_depth\{state="pending"\} \d+/);
    expect(text).toMatch(/upload_scan_duration_seconds_count\{engine="signature"\} 4/);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\}/,
    );
    expect(text).toMatch(/process_resident_memory_bytes/);
  });
});
