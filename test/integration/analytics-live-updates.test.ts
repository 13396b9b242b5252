import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { UploadAnalytics } from '../../src/services/analytics/analytics.service';
import { subscribeToMetricChanges } from '../../src/services/analytics/metrics-change-feed';
import { MetricsPushCoalescer } from '../../src/services/analytics/metrics-push-coalescer';
import { UploadEventType, type UploadEvent } from '../../src/services/analytics/upload-event';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Everything a test opens, closed after it whatever happened.
const disposers: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

async function setup() {
  const prefix = `test:analytics-live:${randomUUID()}:`;
  const redis = new Redis(REDIS_URL);
  const subscriber = new Redis(REDIS_URL);
  disposers.push(
    () => redis.quit(),
    () => subscriber.quit(),
    async () => {
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
        if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
      }
    },
  );
  return { prefix, redis, subscriber, analytics: new UploadAnalytics(redis, { prefix }) };
}

const event = (assetId: string, type = UploadEventType.Initiated): UploadEvent => ({
  type,
  assetId,
  userId: 'user-1',
  mimeType: 'image/png',
  fileSize: 100,
});

describe('live metric updates', () => {
  it('publishes the day of every counted event, and nothing for duplicates', async () => {
    const { prefix, subscriber, analytics } = await setup();
    const days: string[] = [];
    const unsubscribe = await subscribeToMetricChanges(subscriber, prefix, (day) => days.push(day));
    disposers.push(unsubscribe);

    await analytics.track({ ...event('a1'), at: new Date('2031-03-10T10:00:00Z') });
    await analytics.track({ ...event('a1'), at: new Date('2031-03-10T10:00:00Z') });
    await analytics.track({ ...event('a2'), at: new Date('2031-03-11T10:00:00Z') });
    await analytics.rebuildDay(new Date('2031-03-12T00:00:00Z'), []);

    await expect.poll(() => days, { timeout: 1000 }).toEqual(['2031-03-10', '2031-03-11', '2031-03-12']);
  });

  it('pushes fresh metrics within a second of an event, and a few times for a burst', async () => {
    const { prefix, subscriber, analytics } = await setup();
    const pushes: { at: number; totalUploads: number }[] = [];
    const coalescer = new MetricsPushCoalescer(async () => {
      const metrics = await analytics.getMetrics();
      pushes.push({ at: Date.now(), totalUploads: metrics.totalUploads });
    });
    disposers.push(() => coalescer.close());
    disposers.push(await subscribeToMetricChanges(subscriber, prefix, () => coalescer.notify()));

    const started = Date.now();
    await Promise.all(Array.from({ length: 200 }, (_, i) => analytics.track(event(`burst-${i}`))));

    await expect.poll(() => pushes.at(-1)?.totalUploads, { timeout: 2000 }).toBe(200);
    expect(pushes[0]!.at - started).toBeLessThan(1000);
    expect(pushes.length).toBeLessThanOrEqual(5);
  });
});
