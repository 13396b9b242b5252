import { utcDay } from './analytics-keys';
import { DailyField, planEventIncrements, type CounterTarget } from './daily-counters';
import type { UploadEvent } from './upload-event';

/** A day's counters rebuilt from the audit trail, ready to be written. */
export interface DayAggregate {
  counters: Map<string, number>;
  mimeTypes: Map<string, number>;
  failures: Map<string, number>;
  uploaderBytes: Map<string, number>;
  uploaderCounts: Map<string, number>;
  /** Upload events read. */
  rowsRead: number;
  /** Of those, the ones dated on the day (and so counted). */
  rowsCounted: number;
}

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function isOn(day: string, at: Date | undefined): boolean {
  return at instanceof Date && !Number.isNaN(at.getTime()) && utcDay(at) === day;
}

/**
 * Counts the upload events of `day` with the live events' own rules (`planEventIncrements`),
 * so a rebuild cannot drift from tracking: each event on the day of the change it records.
 * The events are what the audit trail's rows count (`analyticsEventsOf`), where each (asset,
 * event type) occurs at most once, as the live counting takes it. Memory grows with distinct
 * users and MIME types, not with events.
 */
export async function aggregateDayEvents(
  day: string,
  events: AsyncIterable<UploadEvent> | Iterable<UploadEvent>,
): Promise<DayAggregate> {
  const aggregate: DayAggregate = {
    counters: new Map(),
    mimeTypes: new Map(),
    failures: new Map(),
    uploaderBytes: new Map(),
    uploaderCounts: new Map(),
    rowsRead: 0,
    rowsCounted: 0,
  };
  const targets: Record<CounterTarget, Map<string, number>> = {
    daily: aggregate.counters,
    mimeTypes: aggregate.mimeTypes,
    failures: aggregate.failures,
    uploaders: aggregate.uploaderBytes,
    uploaderCounts: aggregate.uploaderCounts,
  };

  for await (const event of events) {
    aggregate.rowsRead += 1;
    if (!isOn(day, event.at)) continue;
    aggregate.rowsCounted += 1;
    for (const { target, field, by } of planEventIncrements(event)) {
      // The revision counts live writes (cache invalidation); a rebuild is one write of its own.
      if (target === 'daily' && field === DailyField.Revision) continue;
      increment(targets[target], field, by);
    }
  }
  return aggregate;
}
