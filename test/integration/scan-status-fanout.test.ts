import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AssetStatus, ScanStatus } from '../../src/entities/ip-asset.entity';
import { assetTopic } from '../../src/pubsub/pubsub';
import type { AssetStateEvent } from '../../src/services/asset-events';
import { collectSubscription, startTestApp, type TestApp } from '../helpers/app';
import { SCAN_STATUS } from '../helpers/operations';
import { initiate } from '../helpers/upload';

type Received = { assetScanStatus: { status: string; scanStatus: string; final: boolean; at: string } };

describe('subscribers of one asset on one replica', () => {
  let app: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    app = await startTestApp();
    redis = new Redis('redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    redis?.disconnect();
    await app?.close();
  });

  const event = (
    assetId: string,
    stateVersion: number,
    changes: Partial<AssetStateEvent>,
  ): AssetStateEvent => ({
    assetId,
    status: AssetStatus.PROCESSING,
    scanStatus: ScanStatus.SCANNING,
    scanResult: null,
    stateVersion,
    final: false,
    at: new Date(Date.UTC(2030, 0, 1, 0, 0, stateVersion)).toISOString(),
    ...changes,
  });

  it('share one Redis subscription, each get every event once, and release it when the last leaves', async () => {
    const token = app.token('watcher');
    const { assetId } = await initiate(app, token, {
      fileName: 'a.txt',
      fileSize: 5,
      mimeType: 'text/plain',
    });
    const channel = `${app.services.config.redis.prefix}:${assetTopic(assetId)}`;
    const subscribers = () => redis.pubsub('NUMSUB', channel).then((reply) => Number(reply[1]));

    const first = app.ws(token);
    const second = app.ws(token);
    const streams = [first, first, second, second].map((client) =>
      collectSubscription<Received>(client, SCAN_STATUS, { assetId }),
    );
    await Promise.all(streams.map((stream) => stream.started));
    expect(await subscribers()).toBe(1);

    await app.services.bus.publish(event(assetId, 2, {}));
    // An older state (a late duplicate) reaches nobody.
    await app.services.bus.publish(event(assetId, 1, { status: AssetStatus.DRAFT }));
    await vi.waitFor(() => expect(streams.every((stream) => stream.events.length === 2)).toBe(true));

    // One connection goes away; the others keep listening on the same subscription.
    await first.dispose();
    await Promise.all(streams.slice(0, 2).map((stream) => stream.done));
    await app.services.bus.publish(
      event(assetId, 3, {
        status: AssetStatus.APPROVED,
        scanStatus: ScanStatus.CLEAN,
        final: true,
        scanResult: {
          engine: 'signature',
          threats: [],
          scannedAt: '2030-01-01T00:00:03.000Z',
          durationMs: 1,
          attempts: 1,
        },
      }),
    );
    const remaining = await Promise.all(streams.slice(2).map((stream) => stream.done));
    for (const { events, error } of remaining) {
      expect(error).toBeUndefined();
      expect(events.map((e) => [e.assetScanStatus.status, e.assetScanStatus.final])).toEqual([
        ['DRAFT', false],
        ['PROCESSING', false],
        ['APPROVED', true],
      ]);
      expect(events[2]!.assetScanStatus.at).toBe('2030-01-01T00:00:03.000Z');
    }
    await vi.waitFor(async () => expect(await subscribers()).toBe(0));
  });
});
