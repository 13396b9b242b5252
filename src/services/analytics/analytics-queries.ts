import type { RedisClient } from '../../pubsub/redis-client';
import type { AnalyticsKeys } from './analytics-keys';
import { parseCounterHash, type DaySnapshot } from './daily-counters';
import type { UploaderStat } from './analytics.types';

type ExecResult = [error: Error | null, value: unknown][] | null;

/** The values of an exec(), throwing the first command error. */
export function unwrap(results: ExecResult): unknown[] {
  if (!results) throw new Error('Redis transaction was aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * Reads the days' hashes in one MULTI (one round trip, one consistent snapshot): cost grows with
 * the number of days, never with the number of uploads.
 */
export async function readDaySnapshots(
  redis: RedisClient,
  keys: AnalyticsKeys,
  days: readonly string[],
): Promise<DaySnapshot[]> {
  const transaction = redis.multi();
  for (const day of days) {
    transaction.hgetall(keys.daily(day)).hgetall(keys.mimeTypes(day)).hgetall(keys.failures(day));
  }
  const values = unwrap(await transaction.exec());
  return days.map((_, i) => ({
    counters: parseCounterHash(values[3 * i] as Record<string, string>),
    mimeTypes: parseCounterHash(values[3 * i + 1] as Record<string, string>),
    failures: parseCounterHash(values[3 * i + 2] as Record<string, string>),
  }));
}

/** Like {@link readDaySnapshots} for the failure hashes only. */
export async function readFailureSnapshots(
  redis: RedisClient,
  keys: AnalyticsKeys,
  days: readonly string[],
): Promise<Pick<DaySnapshot, 'failures'>[]> {
  const transaction = redis.multi();
  for (const day of days) transaction.hgetall(keys.failures(day));
  const values = unwrap(await transaction.exec());
  return values.map((value) => ({ failures: parseCounterHash(value as Record<string, string>) }));
}

/** The top-uploaders script's flat [userId, bytes, uploads, ...] reply as objects. */
export function parseTopUploaders(flat: readonly string[]): UploaderStat[] {
  const stats: UploaderStat[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    stats.push({ userId: flat[i]!, totalBytes: Number(flat[i + 1]), uploads: Number(flat[i + 2]) });
  }
  return stats;
}
