import { describe, expect, it } from 'vitest';
import {
  endOfUtcDay,
  lastUtcDays,
  startOfUtcDay,
  utcDay,
  utcDaysBetween,
} from '../../src/services/analytics/analytics-keys';
import {
  AnalyticsRangeError,
  MAX_RANGE_DAYS,
  assertTopUploadersLimit,
  resolveRange,
} from '../../src/services/analytics/analytics-range';

const now = new Date('2031-03-10T12:34:56.789Z');

describe('UTC day helpers', () => {
  it('name days in UTC whatever the local time zone', () => {
    expect(utcDay(new Date('2031-03-10T23:59:59.999Z'))).toBe('2031-03-10');
    expect(utcDay(new Date('2031-03-11T00:00:00.000Z'))).toBe('2031-03-11');
    expect(startOfUtcDay(now).toISOString()).toBe('2031-03-10T00:00:00.000Z');
    expect(endOfUtcDay(now).toISOString()).toBe('2031-03-10T23:59:59.999Z');
  });

  it('list days inclusively across month ends and leap days', () => {
    expect(utcDaysBetween(new Date('2032-02-28T22:00:00Z'), new Date('2032-03-01T01:00:00Z'))).toEqual([
      '2032-02-28',
      '2032-02-29',
      '2032-03-01',
    ]);
    expect(utcDaysBetween(now, now)).toEqual(['2031-03-10']);
    expect(utcDaysBetween(now, new Date('2031-03-09T00:00:00Z'))).toEqual([]);
  });

  it('list the last n days ending today', () => {
    const days = lastUtcDays(now, 30);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2031-02-09');
    expect(days.at(-1)).toBe('2031-03-10');
  });
});

describe('resolveRange', () => {
  it('defaults to today so far', () => {
    expect(resolveRange(undefined, now)).toEqual({
      days: ['2031-03-10'],
      from: new Date('2031-03-10T00:00:00.000Z'),
      to: now,
    });
    expect(resolveRange({ start: null, end: null }, now).days).toEqual(['2031-03-10']);
  });

  it('widens to whole days and caps the end at now', () => {
    const past = resolveRange(
      { start: new Date('2031-03-01T10:00:00Z'), end: new Date('2031-03-02T10:00:00Z') },
      now,
    );
    expect(past).toEqual({
      days: ['2031-03-01', '2031-03-02'],
      from: new Date('2031-03-01T00:00:00.000Z'),
      to: new Date('2031-03-02T23:59:59.999Z'),
    });
    expect(resolveRange({ start: new Date('2031-03-09T10:00:00Z') }, now).to).toEqual(now);
    expect(resolveRange({ end: new Date('2031-03-05T10:00:00Z') }, now).days).toEqual(['2031-03-05']);
  });

  it(`accepts ${MAX_RANGE_DAYS} days and refuses more`, () => {
    expect(resolveRange({ start: new Date('2030-03-10T00:00:00Z'), end: now }, now).days).toHaveLength(366);
    expect(() => resolveRange({ start: new Date('2030-03-09T23:59:59Z'), end: now }, now)).toThrow(
      /367 days; at most 366/,
    );
  });

  it('refuses reversed ranges and invalid dates, naming the field', () => {
    const attempt = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error;
      }
      throw new Error('expected a throw');
    };
    const reversed = attempt(() => resolveRange({ start: now, end: new Date('2031-03-01T00:00:00Z') }, now));
    expect(reversed).toBeInstanceOf(AnalyticsRangeError);
    expect(reversed).toMatchObject({
      name: 'AnalyticsRangeError',
      field: 'start',
      message: 'start must not be after end',
    });
    expect(attempt(() => resolveRange({ end: new Date('nope') }, now))).toMatchObject({ field: 'end' });
    expect(attempt(() => resolveRange({ start: new Date('nope') }, now))).toMatchObject({ field: 'start' });
  });

  it('checks the top-uploaders limit', () => {
    for (const limit of [1, 10, 100]) expect(() => assertTopUploadersLimit(limit)).not.toThrow();
    for (const limit of [0, -1, 101, 1.5, Number.NaN]) {
      expect(() => assertTopUploadersLimit(limit)).toThrow(AnalyticsRangeError);
    }
  });
});
