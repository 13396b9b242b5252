import { randomUUID } from 'node:crypto';

/** Idempotency markers live long enough to absorb retries and duplicate deliveries. */
export const EVENT_MARKER_TTL_SECONDS = 24 * 60 * 60;
/** Daily counters outlive a year so year-over-year ranges (at most 366 days) still answer. */
export const DAILY_TTL_SECONDS = 400 * 24 * 60 * 60;
/** Today's summary is cached briefly; every tracked event for the day deletes it anyway. */
export const METRICS_CACHE_TTL_SECONDS = 5 * 60;
/** Temporary keys (rebuilds) expire on their own if the process dies before cleaning up. */
export const TEMP_KEY_TTL_SECONDS = 60 * 60;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC calendar day of `date` as `YYYY-MM-DD`, the suffix of every daily key. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Midnight UTC at the start of `date`'s day. */
export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** The last millisecond of `date`'s UTC day. */
export function endOfUtcDay(date: Date): Date {
  return new Date(startOfUtcDay(date).getTime() + DAY_MS - 1);
}

/** Every UTC day from `start`'s to `end`'s, inclusive, oldest first. Empty when start is after end. */
export function utcDaysBetween(start: Date, end: Date): string[] {
  const days: string[] = [];
  const last = startOfUtcDay(end).getTime();
  for (let t = startOfUtcDay(start).getTime(); t <= last; t += DAY_MS) {
    days.push(utcDay(new Date(t)));
  }
  return days;
}

/** The `count` UTC days ending with `end`'s day, oldest first. */
export function lastUtcDays(end: Date, count: number): string[] {
  return utcDaysBetween(new Date(startOfUtcDay(end).getTime() - (count - 1) * DAY_MS), end);
}

/**
 * Every Redis key analytics uses, in one place, so the layout is documented once and tests can
 * find (and delete) everything under a prefix.
 */
export class AnalyticsKeys {
  constructor(readonly prefix: string) {}

  /** SET NX marker: the first event of a type for an asset counts, repeats do not. */
  eventMarker(assetId: string, eventType: string): string {
    return `${this.prefix}upload:event:${assetId}:${eventType}`;
  }

  /** Hash: event-type counters plus `bytes_confirmed` and `revision`. */
  daily(day: string): string {
    return `${this.prefix}upload:daily:${day}`;
  }

  /** Hash: MIME type → uploads initiated. */
  mimeTypes(day: string): string {
    return `${this.prefix}upload:mimeTypes:${day}`;
  }

  /** Hash: rejection reason → uploads rejected. */
  failures(day: string): string {
    return `${this.prefix}upload:failures:${day}`;
  }

  /** Sorted set: userId → bytes confirmed. */
  uploaders(day: string): string {
    return `${this.prefix}upload:uploaders:${day}`;
  }

  /** Sorted set: userId → uploads confirmed. */
  uploaderCounts(day: string): string {
    return `${this.prefix}upload:uploaderCounts:${day}`;
  }

  /** String: the day's UploadMetrics as JSON. */
  metricsCache(day: string): string {
    return `${this.prefix}upload:metrics:${day}`;
  }

  /** Pub/sub channel: a counted event's day is published here, for live metric pushes. */
  metricsChangedChannel(): string {
    return `${this.prefix}upload:metrics:changed`;
  }

  /** A fresh, unguessable key for work in progress; never read by queries. */
  temp(purpose: string): string {
    return `${this.prefix}upload:tmp:${purpose}:${randomUUID()}`;
  }
}
