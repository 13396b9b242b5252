import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AnalyticsRangeError } from '../../src/services/analytics/analytics-range';
import { defineAnalyticsScripts } from '../../src/services/analytics/analytics-scripts';
import { UploadAnalytics } from '../../src/services/analytics/analytics.service';
import {
  RejectionReason,
  UploadEventType,
  type UploadEvent,
} from '../../src/services/analytics/upload-event';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const FILE_PREFIX = `test:analytics:${randomUUID()}:`;

// Two days in the future of any real data, so a misplaced key could never be mistaken for one.
const DAY_1 = '2031-03-10';
const DAY_0 = '2031-03-09';
const OLD_DAY = '2031-01-29'; // 40 days before DAY_1: inside a year's range, outside top uploaders' 30 days
const NOON_DAY_1 = new Date(`${DAY_1}T12:00:00.000Z`);

type ScanOutcome = 'CLEAN' | 'INFECTED' | 'ERROR';

/** One upload's whole life, from which both the live events and the database row are made. */
interface ScriptedUpload {
  id: string;
  userId: string;
  mimeType: string;
  size: number;
  day: string;
  confirmed: boolean;
  scan?: ScanOutcome;
  outcome?: 'approved' | RejectionReason;
}

const DAY_1_UPLOADS: ScriptedUpload[] = [
  {
    id: 'a1',
    userId: 'alice',
    mimeType: 'image/png',
    size: 1000,
    day: DAY_1,
    confirmed: true,
    scan: 'CLEAN',
    outcome: 'approved',
  },
  {
    id: 'a2',
    userId: 'alice',
    mimeType: 'image/png',
    size: 3000,
    day: DAY_1,
    confirmed: true,
    scan: 'CLEAN',
    outcome: 'approved',
  },
  {
    id: 'a3',
    userId: 'alice',
    mimeType: 'application/pdf',
    size: 2000,
    day: DAY_1,
    confirmed: true,
    scan: 'INFECTED',
    outcome: RejectionReason.VirusDetected,
  },
  {
    id: 'b1',
    userId: 'bob',
    mimeType: 'image/jpeg',
    size: 500,
    day: DAY_1,
    confirmed: true,
    scan: 'ERROR',
    outcome: RejectionReason.VirusScanFailed,
  },
  {
    id: 'b2',
    userId: 'bob',
    mimeType: 'image/png',
    size: 800,
    day: DAY_1,
    confirmed: false,
    outcome: RejectionReason.ContentMismatch,
  },
  {
    id: 'c1',
    userId: 'carol',
    mimeType: 'video/mp4',
    size: 10_000,
    day: DAY_1,
    confirmed: true,
    scan: 'CLEAN',
    outcome: 'approved',
  },
  {
    id: 'c2',
    userId: 'carol',
    mimeType: 'text/plain',
    size: 50,
    day: DAY_1,
    confirmed: false,
    outcome: RejectionReason.UploadAbandoned,
  },
  {
    id: 'd1',
    userId: 'dave',
    mimeType: 'image/png',
    size: 4000,
    day: DAY_1,
    confirmed: true,
    scan: 'INFECTED',
    outcome: RejectionReason.VirusDetected,
  },
  // Still scanning: counts as initiated and confirmed, not yet decided.
  { id: 'd2', userId: 'dave', mimeType: 'image/webp', size: 600, day: DAY_1, confirmed: true },
];
const DAY_0_UPLOADS: ScriptedUpload[] = [
  {
    id: 'e1',
    userId: 'erin',
    mimeType: 'image/gif',
    size: 7000,
    day: DAY_0,
    confirmed: true,
    scan: 'CLEAN',
    outcome: 'approved',
  },
];
const OLD_UPLOADS: ScriptedUpload[] = [
  {
    id: 'z1',
    userId: 'zed',
    mimeType: 'application/zip',
    size: 99_999,
    day: OLD_DAY,
    confirmed: true,
    scan: 'CLEAN',
    outcome: 'approved',
  },
];

const at = (day: string, time: string) => new Date(`${day}T${time}Z`);

function eventsFor(upload: ScriptedUpload): UploadEvent[] {
  const base = {
    assetId: upload.id,
    userId: upload.userId,
    mimeType: upload.mimeType,
    fileSize: upload.size,
  };
  const events: UploadEvent[] = [
    { ...base, type: UploadEventType.Initiated, at: at(upload.day, '09:00:00') },
  ];
  if (upload.confirmed) {
    events.push({ ...base, type: UploadEventType.Confirmed, at: at(upload.day, '09:01:00') });
    events.push({ ...base, type: UploadEventType.ScanStarted, at: at(upload.day, '09:02:00') });
  }
  if (upload.scan) {
    const type = {
      CLEAN: UploadEventType.ScanClean,
      INFECTED: UploadEventType.ScanInfected,
      ERROR: UploadEventType.ScanError,
    }[upload.scan];
    events.push({ ...base, type, at: at(upload.day, '09:03:00') });
  }
  if (upload.outcome === 'approved') {
    events.push({ ...base, type: UploadEventType.Approved, at: at(upload.day, '09:04:00') });
    if (upload.mimeType.startsWith('image/')) {
      events.push({ ...base, type: UploadEventType.ThumbnailDone, at: at(upload.day, '09:05:00') });
    }
  } else if (upload.outcome) {
    events.push({
      ...base,
      type: UploadEventType.Rejected,
      reason: upload.outcome,
      at: at(upload.day, '09:04:00'),
    });
  }
  return events;
}

async function* streamEvents(events: UploadEvent[]): AsyncIterable<UploadEvent> {
  for (const event of events) yield event;
}

/** Figures the DAY_1 script must produce, written out by hand. */
const DAY_1_METRICS = {
  totalUploads: 9,
  successfulUploads: 3,
  failedUploads: 5,
  successRate: 37.5,
  averageFileSize: 21_100 / 7,
  totalStorageUsed: 21_100,
  byMimeType: [
    { key: 'image/png', count: 4 },
    { key: 'application/pdf', count: 1 },
    { key: 'image/jpeg', count: 1 },
    { key: 'image/webp', count: 1 },
    { key: 'text/plain', count: 1 },
    { key: 'video/mp4', count: 1 },
  ],
  byStatus: [
    { key: 'DRAFT', count: 9 },
    { key: 'PROCESSING', count: 7 },
    { key: 'APPROVED', count: 3 },
    { key: 'REJECTED', count: 5 },
  ],
  virusScans: { total: 6, clean: 3, infected: 2, failed: 1 },
};

const DAY_1_FAILURES = [
  { key: 'Virus detected', count: 2 },
  { key: 'Content mismatch', count: 1 },
  { key: 'Upload abandoned', count: 1 },
  { key: 'Virus scan failed', count: 1 },
];

let redis: Redis;

function newAnalytics(overrides: { now?: () => Date } = {}) {
  const prefix = `${FILE_PREFIX}${randomUUID()}:`;
  const logger = { warn: vi.fn(), error: vi.fn() };
  const analytics = new UploadAnalytics(redis, { prefix, logger, now: overrides.now ?? (() => NOON_DAY_1) });
  return { analytics, prefix, logger };
}

async function play(analytics: UploadAnalytics, uploads: ScriptedUpload[]): Promise<void> {
  for (const upload of uploads) {
    for (const event of eventsFor(upload)) await analytics.track(event);
  }
}

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
});

afterAll(async () => {
  const leftovers = await keysUnder(FILE_PREFIX);
  if (leftovers.length > 0) await redis.del(...leftovers);
  await redis.quit();
});

describe('UploadAnalytics tracking and metrics', () => {
  it('reports exactly what a scripted day of uploads did', async () => {
    const { analytics, logger } = newAnalytics();
    await play(analytics, DAY_1_UPLOADS);

    const metrics = await analytics.getMetrics();
    expect(metrics).toEqual({
      ...DAY_1_METRICS,
      from: new Date(`${DAY_1}T00:00:00.000Z`),
      to: NOON_DAY_1,
    });
    expect(await analytics.getFailureBreakdown()).toEqual(DAY_1_FAILURES);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('does not count a repeated event for the same asset and type', async () => {
    const { analytics } = newAnalytics();
    await play(analytics, DAY_1_UPLOADS);
    const before = await analytics.getMetrics();

    // A retried job or duplicate delivery replays events, even with a different time.
    await play(analytics, DAY_1_UPLOADS.slice(0, 3));
    const [firstConfirm] = eventsFor(DAY_1_UPLOADS[0]!).filter((e) => e.type === UploadEventType.Confirmed);
    expect(await analytics.recordEvent({ ...firstConfirm!, at: at(DAY_0, '10:00:00') })).toBe(false);
    expect(
      await analytics.recordEvent({ ...firstConfirm!, assetId: 'new-asset', at: at(DAY_1, '10:00:00') }),
    ).toBe(true);

    const after = await analytics.getMetrics();
    expect(after.totalUploads).toBe(before.totalUploads);
    expect(after.successfulUploads).toBe(before.successfulUploads);
    expect(after.byStatus.find((s) => s.key === 'PROCESSING')!.count).toBe(8);
    expect(after.totalStorageUsed).toBe(before.totalStorageUsed + 1000);
    expect(
      await analytics.getMetrics({ start: at(DAY_0, '00:00:00'), end: at(DAY_0, '23:00:00') }),
    ).toMatchObject({
      totalUploads: 0,
      totalStorageUsed: 0,
    });
  });

  it('adds up several days and keeps days apart', async () => {
    const { analytics } = newAnalytics();
    await play(analytics, [...DAY_1_UPLOADS, ...DAY_0_UPLOADS, ...OLD_UPLOADS]);

    const day0 = await analytics.getMetrics({ start: at(DAY_0, '00:00:00'), end: at(DAY_0, '23:59:59') });
    expect(day0).toMatchObject({
      totalUploads: 1,
      successfulUploads: 1,
      failedUploads: 0,
      successRate: 100,
      averageFileSize: 7000,
      totalStorageUsed: 7000,
      byMimeType: [{ key: 'image/gif', count: 1 }],
      virusScans: { total: 1, clean: 1, infected: 0, failed: 0 },
      from: new Date(`${DAY_0}T00:00:00.000Z`),
      to: new Date(`${DAY_0}T23:59:59.999Z`),
    });

    const both = await analytics.getMetrics({ start: at(DAY_0, '15:00:00'), end: at(DAY_1, '08:00:00') });
    expect(both).toMatchObject({
      totalUploads: 10,
      successfulUploads: 4,
      failedUploads: 5,
      successRate: (4 / 9) * 100,
      averageFileSize: 28_100 / 8,
      totalStorageUsed: 28_100,
      virusScans: { total: 7, clean: 4, infected: 2, failed: 1 },
      from: new Date(`${DAY_0}T00:00:00.000Z`),
      to: NOON_DAY_1, // now falls inside the last day
    });
    expect(both.byMimeType[0]).toEqual({ key: 'image/png', count: 4 });
    expect(both.byMimeType).toContainEqual({ key: 'image/gif', count: 1 });

    const year = await analytics.getMetrics({ start: at('2030-03-10', '12:00:00'), end: NOON_DAY_1 });
    expect(year.totalUploads).toBe(11);
    expect(year.totalStorageUsed).toBe(128_099);
    expect(
      await analytics.getFailureBreakdown({ start: at(DAY_0, '00:00:00'), end: at(DAY_0, '01:00:00') }),
    ).toEqual([]);
    expect(await analytics.getFailureBreakdown({ start: at(OLD_DAY, '00:00:00'), end: NOON_DAY_1 })).toEqual(
      DAY_1_FAILURES,
    );
  });

  it('answers an empty range with zeros and a 100% success rate', async () => {
    const { analytics } = newAnalytics();
    await play(analytics, DAY_1_UPLOADS);
    const empty = await analytics.getMetrics({
      start: new Date('2030-01-01T00:00:00Z'),
      end: new Date('2030-01-05T00:00:00Z'),
    });
    expect(empty).toEqual({
      totalUploads: 0,
      successfulUploads: 0,
      failedUploads: 0,
      successRate: 100,
      averageFileSize: 0,
      totalStorageUsed: 0,
      byMimeType: [],
      byStatus: [
        { key: 'DRAFT', count: 0 },
        { key: 'PROCESSING', count: 0 },
        { key: 'APPROVED', count: 0 },
        { key: 'REJECTED', count: 0 },
      ],
      virusScans: { total: 0, clean: 0, infected: 0, failed: 0 },
      from: new Date('2030-01-01T00:00:00.000Z'),
      to: new Date('2030-01-05T23:59:59.999Z'),
    });
  });

  it('ranks top uploaders by bytes confirmed over the last 30 days', async () => {
    const { analytics } = newAnalytics();
    await play(analytics, [...DAY_1_UPLOADS, ...DAY_0_UPLOADS, ...OLD_UPLOADS]);

    expect(await analytics.getTopUploaders()).toEqual([
      { userId: 'carol', uploads: 1, totalBytes: 10_000 },
      { userId: 'erin', uploads: 1, totalBytes: 7000 },
      { userId: 'alice', uploads: 3, totalBytes: 6000 },
      { userId: 'dave', uploads: 2, totalBytes: 4600 },
      { userId: 'bob', uploads: 1, totalBytes: 500 },
    ]);
    expect((await analytics.getTopUploaders(2)).map((u) => u.userId)).toEqual(['carol', 'erin']);
    // zed's upload is 40 days old: outside the window.
    expect((await analytics.getTopUploaders(100)).some((u) => u.userId === 'zed')).toBe(false);
    // The scratch keys of the union never outlive the script.
    expect(
      await keysUnder(`${FILE_PREFIX}`).then((keys) => keys.filter((k) => k.includes(':upload:tmp:'))),
    ).toEqual([]);
  });

  it('serves today from a cache that every new event invalidates at once', async () => {
    let now = NOON_DAY_1;
    const { analytics, prefix } = newAnalytics({ now: () => now });
    await play(analytics, DAY_1_UPLOADS);
    const cacheKey = `${prefix}upload:metrics:${DAY_1}`;

    expect(await redis.exists(cacheKey)).toBe(0);
    const first = await analytics.getMetrics();
    expect(await redis.exists(cacheKey)).toBe(1);
    const ttl = await redis.ttl(cacheKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);

    now = new Date(NOON_DAY_1.getTime() + 60_000);
    const cached = await analytics.getMetrics();
    expect(cached).toEqual({ ...first, to: now });

    await analytics.track({
      type: UploadEventType.Initiated,
      assetId: 'late',
      userId: 'alice',
      mimeType: 'image/png',
      fileSize: 10,
      at: now,
    });
    expect(await redis.exists(cacheKey)).toBe(0);
    const fresh = await analytics.getMetrics();
    expect(fresh.totalUploads).toBe(first.totalUploads + 1);

    expect(await analytics.clearCache()).toBe(1);
    expect(await redis.exists(cacheKey)).toBe(0);
  });

  it('never caches figures computed before a newer event', async () => {
    const { prefix } = newAnalytics();
    const scripts = defineAnalyticsScripts(redis);
    const daily = `${prefix}upload:daily:${DAY_1}`;
    const cache = `${prefix}upload:metrics:${DAY_1}`;
    await redis.hset(daily, 'revision', 7);

    expect(await scripts.cacheIfCurrent([cache, daily], ['6', '{"stale":true}', 300])).toBe(0);
    expect(await redis.exists(cache)).toBe(0);
    expect(await scripts.cacheIfCurrent([cache, daily], ['7', '{"fresh":true}', 300])).toBe(1);
    expect(await redis.get(cache)).toBe('{"fresh":true}');
  });

  it('dates an event whose date arrived as a JSON string by that date', async () => {
    const { analytics } = newAnalytics();
    const fromJson = JSON.parse(JSON.stringify({ ...eventsFor(DAY_0_UPLOADS[0]!)[0]! })) as UploadEvent;
    expect(await analytics.recordEvent(fromJson)).toBe(true);
    const day0 = await analytics.getMetrics({ start: at(DAY_0, '00:00:00'), end: at(DAY_0, '00:00:00') });
    expect(day0.totalUploads).toBe(1);
  });

  it('writes the documented keys with their expiries', async () => {
    const { analytics, prefix } = newAnalytics();
    await play(analytics, DAY_1_UPLOADS.slice(0, 1));

    const keys = (await keysUnder(prefix)).map((key) => key.slice(prefix.length)).sort();
    expect(keys).toEqual(
      [
        `upload:daily:${DAY_1}`,
        `upload:mimeTypes:${DAY_1}`,
        `upload:uploaders:${DAY_1}`,
        `upload:uploaderCounts:${DAY_1}`,
        ...['initiated', 'confirmed', 'scan_started', 'scan_clean', 'approved', 'thumbnail_done'].map(
          (type) => `upload:event:a1:${type}`,
        ),
      ].sort(),
    );
    const dailyTtl = await redis.ttl(`${prefix}upload:daily:${DAY_1}`);
    expect(dailyTtl).toBeGreaterThan(399 * 86_400);
    expect(dailyTtl).toBeLessThanOrEqual(400 * 86_400);
    const markerTtl = await redis.ttl(`${prefix}upload:event:a1:initiated`);
    expect(markerTtl).toBeGreaterThan(86_000);
    expect(markerTtl).toBeLessThanOrEqual(86_400);
    expect(await redis.hgetall(`${prefix}upload:daily:${DAY_1}`)).toEqual({
      initiated: '1',
      confirmed: '1',
      bytes_confirmed: '1000',
      scan_started: '1',
      scan_clean: '1',
      approved: '1',
      thumbnail_done: '1',
      revision: '6',
    });
  });
});

describe('UploadAnalytics.rebuildDay', () => {
  const day1Events = () => [...DAY_1_UPLOADS, ...DAY_0_UPLOADS].flatMap(eventsFor);

  it("makes the day equal the trail's events, replacing whatever was counted", async () => {
    const { analytics, prefix } = newAnalytics();
    await play(analytics, [...DAY_1_UPLOADS, ...DAY_0_UPLOADS]);
    // Counts the database does not back: a lost marker's double count and an asset that never existed.
    await redis.hincrby(`${prefix}upload:daily:${DAY_1}`, 'approved', 5);
    await play(analytics, [
      {
        id: 'ghost',
        userId: 'ghost',
        mimeType: 'image/png',
        size: 1_000_000,
        day: DAY_1,
        confirmed: true,
        scan: 'INFECTED',
        outcome: RejectionReason.VirusDetected,
      },
    ]);
    expect((await analytics.getMetrics()).successfulUploads).toBe(8);
    await analytics.getMetrics(); // leaves a cached summary that the rebuild must drop

    const result = await analytics.rebuildDay(at(DAY_1, '18:00:00'), streamEvents(day1Events()));

    // Every event of both days is read; DAY_0's six (e1) are left out.
    expect(result).toEqual({ day: DAY_1, rowsRead: 45, rowsCounted: 39 });
    expect(await analytics.getMetrics()).toEqual({
      ...DAY_1_METRICS,
      from: new Date(`${DAY_1}T00:00:00.000Z`),
      to: NOON_DAY_1,
    });
    expect(await analytics.getFailureBreakdown()).toEqual(DAY_1_FAILURES);
    expect((await analytics.getTopUploaders()).map((u) => u.userId)).toEqual([
      'carol',
      'erin',
      'alice',
      'dave',
      'bob',
    ]);
    // The other day is untouched; every counter is the trail's, the ghost's scan included no more.
    expect(
      (await analytics.getMetrics({ start: at(DAY_0, '00:00:00'), end: at(DAY_0, '01:00:00') })).totalUploads,
    ).toBe(1);
    const daily = await redis.hgetall(`${prefix}upload:daily:${DAY_1}`);
    expect(daily.thumbnail_done).toBe('2');
    expect(daily.scan_started).toBe('7'); // 8 counted live, the ghost's among them
    expect(await redis.ttl(`${prefix}upload:daily:${DAY_1}`)).toBeGreaterThan(399 * 86_400);
    expect((await keysUnder(prefix)).filter((key) => key.includes(':upload:tmp:'))).toEqual([]);
  });

  it('gives the same figures as tracking the live events', async () => {
    const live = newAnalytics();
    await play(live.analytics, DAY_1_UPLOADS);
    const rebuilt = newAnalytics();
    await rebuilt.analytics.rebuildDay(at(DAY_1, '00:00:00'), day1Events());

    expect(await rebuilt.analytics.getMetrics()).toEqual(await live.analytics.getMetrics());
    expect(await rebuilt.analytics.getFailureBreakdown()).toEqual(await live.analytics.getFailureBreakdown());
    expect(await rebuilt.analytics.getTopUploaders()).toEqual(await live.analytics.getTopUploaders());
  });

  it('is repeatable, and empties a day the database has no uploads for', async () => {
    const { analytics, prefix } = newAnalytics();
    await analytics.rebuildDay(at(DAY_1, '00:00:00'), day1Events());
    await analytics.rebuildDay(at(DAY_1, '00:00:00'), day1Events());
    expect(await analytics.getMetrics()).toMatchObject({ totalUploads: 9, successfulUploads: 3 });

    await analytics.rebuildDay(at(DAY_1, '00:00:00'), []);
    expect(await analytics.getMetrics()).toMatchObject({
      totalUploads: 0,
      totalStorageUsed: 0,
      byMimeType: [],
    });
    expect(await analytics.getTopUploaders()).toEqual([]);
    expect(await redis.exists(`${prefix}upload:uploaders:${DAY_1}`)).toBe(0);
  });

  it('dates each transition by its own timestamp', async () => {
    const { analytics } = newAnalytics();
    // Initiated just before midnight, confirmed, scanned and approved just after it.
    const times: Record<string, Date> = {
      [UploadEventType.Initiated]: at(DAY_0, '23:59:00'),
      [UploadEventType.Confirmed]: at(DAY_1, '00:01:00'),
    };
    const events = eventsFor(DAY_0_UPLOADS[0]!)
      .filter((event) => event.type !== UploadEventType.ThumbnailDone)
      .map((event) => ({ ...event, at: times[event.type] ?? at(DAY_1, '00:03:00') }));
    await analytics.rebuildDay(at(DAY_0, '00:00:00'), events);
    await analytics.rebuildDay(at(DAY_1, '00:00:00'), events);

    expect(
      await analytics.getMetrics({ start: at(DAY_0, '00:00:00'), end: at(DAY_0, '00:00:00') }),
    ).toMatchObject({
      totalUploads: 1,
      successfulUploads: 0,
      totalStorageUsed: 0,
    });
    expect(await analytics.getMetrics()).toMatchObject({
      totalUploads: 0,
      successfulUploads: 1,
      totalStorageUsed: 7000,
      virusScans: { total: 1, clean: 1, infected: 0, failed: 0 },
    });
  });
});

describe('UploadAnalytics input checks', () => {
  it('refuses reversed, invalid and over-long ranges with AnalyticsRangeError', async () => {
    const { analytics } = newAnalytics();
    const expectRangeError = async (promise: Promise<unknown>, field: string) => {
      const error = await promise.then(
        () => expect.fail('expected an AnalyticsRangeError'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AnalyticsRangeError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: 'AnalyticsRangeError', field });
    };

    await expectRangeError(
      analytics.getMetrics({ start: at(DAY_1, '10:00:00'), end: at(DAY_1, '09:00:00') }),
      'start',
    );
    await expectRangeError(
      analytics.getMetrics({ start: new Date('2030-03-09T00:00:00Z'), end: NOON_DAY_1 }),
      'end',
    );
    await expectRangeError(analytics.getMetrics({ start: new Date('not a date') }), 'start');
    await expectRangeError(
      analytics.getFailureBreakdown({ start: NOON_DAY_1, end: at(DAY_0, '00:00:00') }),
      'start',
    );
    await expectRangeError(analytics.clearCache({ start: new Date('2029-01-01T00:00:00Z') }), 'end');
    await expectRangeError(analytics.getTopUploaders(0), 'limit');
    await expectRangeError(analytics.getTopUploaders(101), 'limit');
    await expectRangeError(analytics.getTopUploaders(2.5), 'limit');
    await expectRangeError(analytics.rebuildDay(new Date(Number.NaN), []), 'date');

    // 366 days is the limit, not past it.
    await expect(
      analytics.getMetrics({ start: new Date('2030-03-10T00:00:00Z'), end: NOON_DAY_1 }),
    ).resolves.toMatchObject({
      totalUploads: 0,
    });
  });

  it('never throws from track, whatever goes wrong', async () => {
    const unreachable = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const stalled = new Redis({ port: 1, retryStrategy: () => 200, maxRetriesPerRequest: null });
    for (const client of [unreachable, stalled]) client.on('error', () => undefined);
    try {
      const logger = { warn: vi.fn(), error: vi.fn() };
      const event = {
        type: UploadEventType.Initiated,
        assetId: 'x',
        userId: 'u',
        mimeType: 'image/png',
        fileSize: 1,
      };

      await expect(
        new UploadAnalytics(unreachable, { prefix: FILE_PREFIX, logger }).track(event),
      ).resolves.toBeUndefined();

      const started = Date.now();
      const slow = new UploadAnalytics(stalled, { prefix: FILE_PREFIX, logger, trackTimeoutMs: 100 });
      await expect(slow.track(event)).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(1000);

      expect(logger.warn).toHaveBeenCalledTimes(2);
      expect(logger.warn.mock.calls[0]![0]).toMatchObject({ assetId: 'x', eventType: 'initiated' });

      const { analytics, logger: realLogger } = newAnalytics();
      await expect(
        analytics.track({ ...event, type: 'nonsense' as UploadEventType }),
      ).resolves.toBeUndefined();
      expect(realLogger.warn).toHaveBeenCalledTimes(1);
    } finally {
      unreachable.disconnect();
      stalled.disconnect();
    }
  });
});
