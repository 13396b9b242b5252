import { utcDay } from './analytics-keys';
import { DailyField, planEventIncrements, type CounterTarget } from './daily-counters';
import { UploadEventType, type RejectionReason } from './upload-event';

/**
 * One asset as the database knows it, for rebuilding a day's counters. Stream every asset with
 * `createdAt`, `confirmedAt`, `approvedAt`, `rejectedAt` or `scannedAt` on the day; rows with
 * none on that day are read and ignored.
 */
export interface DayRow {
  assetId: string;
  /** The uploader (`createdBy`). */
  userId: string;
  mimeType: string;
  fileSize: number;
  createdAt: Date;
  confirmedAt: Date | null;
  approvedAt: Date | null;
  rejectedAt: Date | null;
  rejectionReason: string | null;
  /** `ScanStatus` value: PENDING, SCANNING, CLEAN, INFECTED or ERROR. */
  scanStatus: string;
  /**
   * When the scan finished (`scanResult.scannedAt`). Optional because the row has no column for
   * it; without it the scan outcome is dated by approvedAt / rejectedAt, which the scan decides.
   */
  scannedAt?: Date | null;
}

/** A day's counters rebuilt from rows, ready to be written. */
export interface DayAggregate {
  counters: Map<string, number>;
  mimeTypes: Map<string, number>;
  failures: Map<string, number>;
  uploaderBytes: Map<string, number>;
  uploaderCounts: Map<string, number>;
  rowsRead: number;
  /** Rows that contributed at least one count to the day. */
  rowsCounted: number;
}

const SCAN_OUTCOME_COUNTER: Record<string, UploadEventType> = {
  CLEAN: UploadEventType.ScanClean,
  INFECTED: UploadEventType.ScanInfected,
  ERROR: UploadEventType.ScanError,
};

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function isOn(day: string, at: Date | null | undefined): boolean {
  return at instanceof Date && !Number.isNaN(at.getTime()) && utcDay(at) === day;
}

/** The lifecycle events a row says happened on `day`, each dated by the transition it records. */
function eventsOn(day: string, row: DayRow): UploadEventType[] {
  const types: UploadEventType[] = [];
  if (isOn(day, row.createdAt)) types.push(UploadEventType.Initiated);
  if (isOn(day, row.confirmedAt)) types.push(UploadEventType.Confirmed);
  if (isOn(day, row.approvedAt)) types.push(UploadEventType.Approved);
  if (isOn(day, row.rejectedAt)) types.push(UploadEventType.Rejected);
  const scanOutcome = SCAN_OUTCOME_COUNTER[row.scanStatus];
  if (scanOutcome && isOn(day, row.scannedAt ?? row.approvedAt ?? row.rejectedAt)) types.push(scanOutcome);
  return types;
}

/**
 * Counts what the rows say happened on `day` with the live events' own rules
 * (`planEventIncrements`), so a rebuild cannot drift from tracking: an upload is counted on the
 * day of each of its transitions. Memory grows with distinct users and MIME types, not with rows.
 */
export async function aggregateDayRows(
  day: string,
  rows: AsyncIterable<DayRow> | Iterable<DayRow>,
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

  for await (const row of rows) {
    aggregate.rowsRead += 1;
    const types = eventsOn(day, row);
    if (types.length > 0) aggregate.rowsCounted += 1;
    for (const type of types) {
      const increments = planEventIncrements({
        type,
        assetId: row.assetId,
        userId: row.userId,
        mimeType: row.mimeType,
        fileSize: row.fileSize,
        reason: (row.rejectionReason ?? undefined) as RejectionReason | undefined,
      });
      for (const { target, field, by } of increments) {
        // The revision counts live writes (cache invalidation); a rebuild is one write of its own.
        if (target === 'daily' && field === DailyField.Revision) continue;
        increment(targets[target], field, by);
      }
    }
  }
  return aggregate;
}
