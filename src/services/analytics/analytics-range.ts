import { endOfUtcDay, startOfUtcDay, utcDaysBetween } from './analytics-keys';

/** Longest range a metrics query accepts: a leap year. Cost grows with days, so it is capped. */
export const MAX_RANGE_DAYS = 366;
/** topUploaders accepts 1 to this many. */
export const MAX_TOP_UPLOADERS = 100;

/** Which argument was wrong, named as the API names it so it can become `extensions.field`. */
export type AnalyticsInputField = 'start' | 'end' | 'limit' | 'date';

/**
 * A caller asked for something analytics refuses (reversed or over-long range, bad limit).
 * The API layer maps it to BAD_USER_INPUT with `extensions.field`; the message is client-safe.
 */
export class AnalyticsRangeError extends Error {
  override name = 'AnalyticsRangeError';

  constructor(
    message: string,
    readonly field: AnalyticsInputField,
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** A requested range; GraphQL passes absent arguments as null or undefined. */
export interface AnalyticsRange {
  start?: Date | null;
  end?: Date | null;
}

/** A range resolved to whole UTC days, which is the granularity Redis keeps. */
export interface ResolvedRange {
  /** `YYYY-MM-DD`, oldest first. */
  days: string[];
  /** Midnight UTC starting the first day. */
  from: Date;
  /** The end of the last day, or now when now falls inside the range. */
  to: Date;
}

function assertValidDate(value: Date, field: AnalyticsInputField): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new AnalyticsRangeError(`${field} is not a valid date`, field);
  }
}

/**
 * Resolves a requested range to UTC days. `end` defaults to now and `start` to the start of
 * `end`'s day. Figures are per whole day, so `from`/`to` are widened to the day boundaries
 * (and `to` is capped at now) to say truthfully what was counted.
 *
 * @throws AnalyticsRangeError when a date is invalid, start is after end, or the range spans
 *   more than {@link MAX_RANGE_DAYS} days.
 */
export function resolveRange(range: AnalyticsRange | undefined, now: Date): ResolvedRange {
  const end = range?.end ?? now;
  assertValidDate(end, 'end');
  const start = range?.start ?? startOfUtcDay(end);
  assertValidDate(start, 'start');
  if (start.getTime() > end.getTime()) {
    throw new AnalyticsRangeError('start must not be after end', 'start');
  }
  const days = utcDaysBetween(start, end);
  if (days.length > MAX_RANGE_DAYS) {
    throw new AnalyticsRangeError(
      `The range covers ${days.length} days; at most ${MAX_RANGE_DAYS} are allowed`,
      'end',
    );
  }
  const from = startOfUtcDay(start);
  const lastMoment = endOfUtcDay(end);
  const to = now.getTime() >= from.getTime() && now.getTime() < lastMoment.getTime() ? now : lastMoment;
  return { days, from, to };
}

/** @throws AnalyticsRangeError unless `limit` is an integer from 1 to {@link MAX_TOP_UPLOADERS}. */
export function assertTopUploadersLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOP_UPLOADERS) {
    throw new AnalyticsRangeError(`limit must be an integer from 1 to ${MAX_TOP_UPLOADERS}`, 'limit');
  }
}
