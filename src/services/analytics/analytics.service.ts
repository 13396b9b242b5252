import type { RedisClient } from '../../pubsub/redis-client';
import {
  AnalyticsKeys,
  DAILY_TTL_SECONDS,
  EVENT_MARKER_TTL_SECONDS,
  METRICS_CACHE_TTL_SECONDS,
  TEMP_KEY_TTL_SECONDS,
  lastUtcDays,
  startOfUtcDay,
  utcDay,
} from './analytics-keys';
import { parseTopUploaders, readDaySnapshots, readFailureSnapshots, unwrap } from './analytics-queries';
import {
  AnalyticsRangeError,
  assertTopUploadersLimit,
  resolveRange,
  type AnalyticsRange,
} from './analytics-range';
import { defineAnalyticsScripts, type AnalyticsScripts } from './analytics-scripts';
import type { CountByKey, UploaderStat, UploadMetrics } from './analytics.types';
import {
  COUNTERS_NOT_IN_DATABASE,
  DailyField,
  SORTED_SET_TARGETS,
  isUploadEventType,
  planEventIncrements,
  sumFailures,
  summarizeDays,
  type CounterTarget,
} from './daily-counters';
import { aggregateDayEvents, type DayAggregate } from './day-rebuild';
import type { UploadEvent, UploadEventSink } from './upload-event';
import { withTimeout } from '../../with-timeout';

/** The logging this service needs; a pino logger fits. */
export interface AnalyticsLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options for {@link UploadAnalytics}. */
export interface UploadAnalyticsOptions {
  /** Prepended to every key and channel, e.g. `upl:`; tests use a random one to isolate themselves. */
  prefix: string;
  /** Where failed tracking is reported, since `track` never throws. */
  logger?: AnalyticsLogger;
  /**
   * The clock, for "today" and event times without `at`.
   * @default () => new Date()
   */
  now?: () => Date;
  /**
   * How long `track` waits for Redis before giving up (and logging), so an unreachable Redis
   * delays no request by more than this. The write may still land later; it is idempotent.
   * @default 2000
   */
  trackTimeoutMs?: number;
}

/** What {@link UploadAnalytics.rebuildDay} did. */
export interface RebuildDayResult {
  day: string;
  /** Upload events read from the audit trail. */
  rowsRead: number;
  /** Of those, the ones dated on the day (and so counted). */
  rowsCounted: number;
}

/** topUploaders looks back this many days, today included (CONTRACT.md "Metrics"). */
export const TOP_UPLOADERS_DAYS = 30;
/** topUploaders' limit when none is given (api-contract.graphql). */
export const DEFAULT_TOP_UPLOADERS = 10;

const ZADD_CHUNK = 500;

function parseCachedMetrics(json: string | null): UploadMetrics | undefined {
  if (!json) return undefined;
  try {
    const parsed = JSON.parse(json) as UploadMetrics & { from: string; to: string };
    if (typeof parsed.totalUploads !== 'number' || !Array.isArray(parsed.byMimeType)) return undefined;
    return { ...parsed, from: new Date(parsed.from), to: new Date(parsed.to) };
  } catch {
    return undefined;
  }
}

/**
 * Upload analytics in Redis: per-day counters written by {@link track} in one atomic script per
 * event, read back for any range of days. Counts are idempotent per asset and event type (for
 * 24 hours), and can be rebuilt from the database one day at a time.
 */
export class UploadAnalytics implements UploadEventSink {
  private readonly keys: AnalyticsKeys;
  private readonly scripts: AnalyticsScripts;
  private readonly now: () => Date;
  private readonly logger?: AnalyticsLogger;
  private readonly trackTimeoutMs: number;

  constructor(
    private readonly redis: RedisClient,
    options: UploadAnalyticsOptions,
  ) {
    this.keys = new AnalyticsKeys(options.prefix);
    this.scripts = defineAnalyticsScripts(redis);
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
    this.trackTimeoutMs = options.trackTimeoutMs ?? 2000;
  }

  /**
   * Counts an event. Never throws and never waits longer than `trackTimeoutMs`: analytics must
   * not fail or stall the request that caused the event, so problems are logged instead.
   */
  async track(event: UploadEvent): Promise<void> {
    try {
      await withTimeout(this.recordEvent(event), this.trackTimeoutMs, 'Upload analytics write');
    } catch (err) {
      this.logger?.warn(
        { err, assetId: event?.assetId, eventType: event?.type },
        'Upload analytics event not recorded',
      );
    }
  }

  /**
   * Counts an event like {@link track} but reports the outcome: true when counted, false when
   * this asset already had an event of this type (a duplicate, ignored).
   * @throws on Redis errors and on events that are not upload events.
   */
  async recordEvent(event: UploadEvent): Promise<boolean> {
    if (!isUploadEventType(event.type)) {
      throw new TypeError(`Unknown upload event type: ${String(event.type)}`);
    }
    if (!event.assetId) throw new TypeError('Upload event without assetId');
    // Events that crossed a queue or pub/sub as JSON carry their date as a string.
    const at = event.at == null ? this.now() : new Date(event.at);
    if (Number.isNaN(at.getTime())) throw new TypeError('Upload event with an invalid date');
    const day = utcDay(at);

    const increments = planEventIncrements(event);
    const targets: CounterTarget[] = [...new Set(increments.map((increment) => increment.target))];
    // Lua indexes KEYS from 1, and the marker and the cache come first.
    const keyIndex = (target: CounterTarget) => targets.indexOf(target) + 3;
    const keys = [
      this.keys.eventMarker(event.assetId, event.type),
      this.keys.metricsCache(day),
      ...targets.map((target) => this.counterKey(target, day)),
    ];
    const args = [
      EVENT_MARKER_TTL_SECONDS,
      DAILY_TTL_SECONDS,
      this.keys.metricsChangedChannel(),
      day,
      ...increments.flatMap((increment) => [
        keyIndex(increment.target),
        SORTED_SET_TARGETS.has(increment.target) ? 'z' : 'h',
        increment.field,
        increment.by,
      ]),
    ];
    return (await this.scripts.trackEvent(keys, args)) === 1;
  }

  /**
   * Upload figures for whole UTC days from `start`'s to `end`'s (see `resolveRange` for
   * defaults). Without a range: today so far, from a 5-minute cache that every event for today
   * invalidates, so it is never behind.
   * @throws AnalyticsRangeError for reversed, invalid or over-long ranges.
   */
  async getMetrics(range?: AnalyticsRange): Promise<UploadMetrics> {
    const now = this.now();
    if (range?.start == null && range?.end == null) return this.getTodayMetrics(now);
    const { days, from, to } = resolveRange(range, now);
    return summarizeDays(await readDaySnapshots(this.redis, this.keys, days), from, to);
  }

  /**
   * Rejections per reason (e.g. 'Virus detected') over the range, most first; today without one.
   * @throws AnalyticsRangeError as {@link getMetrics}.
   */
  async getFailureBreakdown(range?: AnalyticsRange): Promise<CountByKey[]> {
    const { days } = resolveRange(range, this.now());
    return sumFailures(await readFailureSnapshots(this.redis, this.keys, days));
  }

  /**
   * The users who confirmed the most bytes over the last 30 days (today included), most first.
   * @param limit how many, 1 to 100; @default 10
   * @throws AnalyticsRangeError unless 1 ≤ limit ≤ 100.
   */
  async getTopUploaders(limit?: number | null): Promise<UploaderStat[]> {
    // GraphQL passes an explicit null through; it means the default like an absent argument.
    limit ??= DEFAULT_TOP_UPLOADERS;
    assertTopUploadersLimit(limit);
    const days = lastUtcDays(this.now(), TOP_UPLOADERS_DAYS);
    const keys = [
      this.keys.temp('top-bytes'),
      this.keys.temp('top-counts'),
      ...days.map((day) => this.keys.uploaders(day)),
      ...days.map((day) => this.keys.uploaderCounts(day)),
    ];
    return parseTopUploaders(await this.scripts.topUploaders(keys, [days.length, limit]));
  }

  /**
   * Drops cached summaries for the range's days (today without one). Returns how many existed.
   * @throws AnalyticsRangeError as {@link getMetrics}.
   */
  async clearCache(range?: AnalyticsRange): Promise<number> {
    const { days } = resolveRange(range, this.now());
    return this.redis.del(...days.map((day) => this.keys.metricsCache(day)));
  }

  /**
   * Replaces `date`'s UTC day of counters with what `events` say happened on it: the upload
   * events the audit trail records (see `AdminService.rebuildDay`), so assets the cleanup has
   * deleted since still count. Events dated on other days are read and ignored. The new
   * counters are written to temporary keys and swapped in by one atomic script, so readers see
   * the old day or the new one, never a mix.
   *
   * Events tracked for that day while the trail is being read are lost if the read missed
   * them; rebuild past days, or accept that window for today.
   * @throws AnalyticsRangeError for an invalid date; Redis errors as they come.
   */
  async rebuildDay(
    date: Date,
    events: AsyncIterable<UploadEvent> | Iterable<UploadEvent>,
  ): Promise<RebuildDayResult> {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw new AnalyticsRangeError('date is not a valid date', 'date');
    }
    const day = utcDay(date);
    const aggregate = await aggregateDayEvents(day, events);
    const rebuilt = {
      daily: this.keys.temp(`rebuild-daily-${day}`),
      mimeTypes: this.keys.temp(`rebuild-mimeTypes-${day}`),
      failures: this.keys.temp(`rebuild-failures-${day}`),
      uploaders: this.keys.temp(`rebuild-uploaders-${day}`),
      uploaderCounts: this.keys.temp(`rebuild-uploaderCounts-${day}`),
    } satisfies Record<CounterTarget, string>;

    try {
      await this.writeRebuiltKeys(aggregate, rebuilt);
      const targets = Object.keys(rebuilt) as CounterTarget[]; // daily first, as the script expects
      await this.scripts.commitRebuild(
        [
          ...targets.flatMap((target) => [this.counterKey(target, day), rebuilt[target]]),
          this.keys.metricsCache(day),
        ],
        [DAILY_TTL_SECONDS, this.keys.metricsChangedChannel(), day, ...COUNTERS_NOT_IN_DATABASE],
      );
    } catch (err) {
      await this.redis.del(...Object.values(rebuilt)).catch(() => undefined);
      throw err;
    }
    return { day, rowsRead: aggregate.rowsRead, rowsCounted: aggregate.rowsCounted };
  }

  private counterKey(target: CounterTarget, day: string): string {
    return this.keys[target](day);
  }

  private async getTodayMetrics(now: Date): Promise<UploadMetrics> {
    const day = utcDay(now);
    const cacheKey = this.keys.metricsCache(day);
    const cached = parseCachedMetrics(await this.redis.get(cacheKey));
    // The cache is deleted by every event, so figures cached earlier are still today's so far.
    if (cached) return { ...cached, to: now };

    const [snapshot] = await readDaySnapshots(this.redis, this.keys, [day]);
    const metrics = summarizeDays([snapshot!], startOfUtcDay(now), now);
    const revision = snapshot!.counters[DailyField.Revision] ?? 0;
    try {
      await this.scripts.cacheIfCurrent(
        [cacheKey, this.keys.daily(day)],
        [String(revision), JSON.stringify(metrics), METRICS_CACHE_TTL_SECONDS],
      );
    } catch (err) {
      this.logger?.warn({ err, day }, 'Upload metrics not cached');
    }
    return metrics;
  }

  private async writeRebuiltKeys(
    aggregate: DayAggregate,
    rebuilt: Record<CounterTarget, string>,
  ): Promise<void> {
    const pipeline = this.redis.pipeline();
    const hashes: [string, Map<string, number>][] = [
      [rebuilt.daily, aggregate.counters],
      [rebuilt.mimeTypes, aggregate.mimeTypes],
      [rebuilt.failures, aggregate.failures],
    ];
    for (const [key, counts] of hashes) {
      if (counts.size > 0) pipeline.hset(key, Object.fromEntries(counts));
    }
    const sortedSets: [string, Map<string, number>][] = [
      [rebuilt.uploaders, aggregate.uploaderBytes],
      [rebuilt.uploaderCounts, aggregate.uploaderCounts],
    ];
    for (const [key, scores] of sortedSets) {
      const entries = [...scores];
      for (let i = 0; i < entries.length; i += ZADD_CHUNK) {
        pipeline.zadd(key, ...entries.slice(i, i + ZADD_CHUNK).flatMap(([member, score]) => [score, member]));
      }
    }
    for (const key of Object.values(rebuilt)) pipeline.expire(key, TEMP_KEY_TTL_SECONDS);

    unwrap(await pipeline.exec());
  }
}

// One import point for the API layer: the errors it maps and the shapes it returns.
export { AnalyticsRangeError, type AnalyticsRange } from './analytics-range';
export type { CountByKey, UploaderStat, UploadMetrics, VirusScanStats } from './analytics.types';
