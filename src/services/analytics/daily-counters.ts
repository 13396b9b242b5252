import { UploadEventType, type UploadEvent } from './upload-event';
import type { CountByKey, UploadMetrics } from './analytics.types';

/**
 * Fields of the daily hash beside the event-type counters (which are named by
 * {@link UploadEventType} values, e.g. `initiated`, `scan_clean`).
 */
export const DailyField = {
  /** Sum of confirmed sizes. */
  BytesConfirmed: 'bytes_confirmed',
  /**
   * Bumped by every counted event and by rebuilds; the cached summary is only written back when
   * it is unchanged, so a slow reader can never cache figures older than the latest event.
   */
  Revision: 'revision',
} as const;

/** Failure-breakdown key for a rejection that carried no reason. */
export const UNSPECIFIED_REJECTION_REASON = 'Unspecified';

/**
 * Counters the audit trail cannot reproduce; a rebuild carries them over. Every event type is in
 * the trail, so only the cache revision is left.
 */
export const COUNTERS_NOT_IN_DATABASE: readonly string[] = [DailyField.Revision];

const EVENT_TYPES = new Set<string>(Object.values(UploadEventType));

/** True when `type` is one of the known event types (callers may be untyped JavaScript). */
export function isUploadEventType(type: unknown): type is UploadEventType {
  return typeof type === 'string' && EVENT_TYPES.has(type);
}

/** Bytes as a non-negative safe integer; anything else counts as 0 rather than corrupting sums. */
export function sanitizeBytes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return 0;
  const bytes = Math.trunc(value);
  return Number.isSafeInteger(bytes) ? bytes : 0;
}

/** Which per-day structure an increment targets. */
export type CounterTarget = 'daily' | 'mimeTypes' | 'failures' | 'uploaders' | 'uploaderCounts';

/** One counter change: HINCRBY for hashes, ZINCRBY for the uploader sorted sets. */
export interface CounterIncrement {
  target: CounterTarget;
  field: string;
  by: number;
}

/** The structures that are sorted sets; the rest are hashes. */
export const SORTED_SET_TARGETS: ReadonlySet<CounterTarget> = new Set(['uploaders', 'uploaderCounts']);

/**
 * What one (first-seen) event adds to its day's counters. Pure, so the meaning of every figure
 * is decided here and tested without Redis.
 */
export function planEventIncrements(event: UploadEvent): CounterIncrement[] {
  const increments: CounterIncrement[] = [
    { target: 'daily', field: event.type, by: 1 },
    { target: 'daily', field: DailyField.Revision, by: 1 },
  ];
  switch (event.type) {
    case UploadEventType.Initiated:
      increments.push({ target: 'mimeTypes', field: event.mimeType || 'unknown', by: 1 });
      break;
    case UploadEventType.Confirmed: {
      const bytes = sanitizeBytes(event.fileSize);
      increments.push(
        { target: 'daily', field: DailyField.BytesConfirmed, by: bytes },
        { target: 'uploaders', field: event.userId, by: bytes },
        { target: 'uploaderCounts', field: event.userId, by: 1 },
      );
      break;
    }
    case UploadEventType.Rejected:
      increments.push({ target: 'failures', field: event.reason || UNSPECIFIED_REJECTION_REASON, by: 1 });
      break;
    default:
      break;
  }
  return increments;
}

/** One day's hashes as numbers. */
export interface DaySnapshot {
  counters: Record<string, number>;
  mimeTypes: Record<string, number>;
  failures: Record<string, number>;
}

/** HGETALL's strings as numbers; unparsable values (never written by this code) count as 0. */
export function parseCounterHash(hash: Record<string, string> | null | undefined): Record<string, number> {
  const parsed: Record<string, number> = {};
  for (const [field, raw] of Object.entries(hash ?? {})) {
    const value = Number(raw);
    parsed[field] = Number.isFinite(value) ? value : 0;
  }
  return parsed;
}

function addInto(total: Map<string, number>, counts: Record<string, number>): void {
  for (const [key, count] of Object.entries(counts)) {
    total.set(key, (total.get(key) ?? 0) + count);
  }
}

/** Most first, then by key, so equal counts come back in a stable order. */
export function sortedCounts(counts: Map<string, number>): CountByKey[] {
  return [...counts]
    .filter(([, count]) => count > 0)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Failure breakdown over several days: rejection reason → count, most first. */
export function sumFailures(days: readonly Pick<DaySnapshot, 'failures'>[]): CountByKey[] {
  const total = new Map<string, number>();
  for (const day of days) addInto(total, day.failures);
  return sortedCounts(total);
}

/** Adds up daily snapshots into the figures CONTRACT.md defines. */
export function summarizeDays(days: readonly DaySnapshot[], from: Date, to: Date): UploadMetrics {
  const counters = new Map<string, number>();
  const mimeTypes = new Map<string, number>();
  for (const day of days) {
    addInto(counters, day.counters);
    addInto(mimeTypes, day.mimeTypes);
  }
  const count = (field: string) => counters.get(field) ?? 0;

  const initiated = count(UploadEventType.Initiated);
  const confirmed = count(UploadEventType.Confirmed);
  const approved = count(UploadEventType.Approved);
  const rejected = count(UploadEventType.Rejected);
  const bytesConfirmed = count(DailyField.BytesConfirmed);
  const clean = count(UploadEventType.ScanClean);
  const infected = count(UploadEventType.ScanInfected);
  const scanErrors = count(UploadEventType.ScanError);
  const decided = approved + rejected;

  return {
    totalUploads: initiated,
    successfulUploads: approved,
    failedUploads: rejected,
    successRate: decided === 0 ? 100 : (approved / decided) * 100,
    averageFileSize: confirmed === 0 ? 0 : bytesConfirmed / confirmed,
    totalStorageUsed: bytesConfirmed,
    byMimeType: sortedCounts(mimeTypes),
    byStatus: [
      { key: 'DRAFT', count: initiated },
      { key: 'PROCESSING', count: confirmed },
      { key: 'APPROVED', count: approved },
      { key: 'REJECTED', count: rejected },
    ],
    virusScans: { total: clean + infected + scanErrors, clean, infected, failed: scanErrors },
    from,
    to,
  };
}
