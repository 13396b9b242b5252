import { utcDay } from './analytics-keys';
import { DailyField, UNSPECIFIED_REJECTION_REASON, sanitizeBytes } from './daily-counters';
import { UploadEventType } from './upload-event';

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
  day: string;
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

/**
 * Counts what the rows say happened on `day`, exactly as tracking the live events would have:
 * an upload is counted on the day of each of its transitions. Memory grows with distinct users
 * and MIME types, not with rows.
 */
export async function aggregateDayRows(
  day: string,
  rows: AsyncIterable<DayRow> | Iterable<DayRow>,
): Promise<DayAggregate> {
  const aggregate: DayAggregate = {
    day,
    counters: new Map(),
    mimeTypes: new Map(),
    failures: new Map(),
    uploaderBytes: new Map(),
    uploaderCounts: new Map(),
    rowsRead: 0,
    rowsCounted: 0,
  };
  const { counters } = aggregate;

  for await (const row of rows) {
    aggregate.rowsRead += 1;
    let counted = false;

    if (isOn(day, row.createdAt)) {
      increment(counters, UploadEventType.Initiated);
      increment(aggregate.mimeTypes, row.mimeType || 'unknown');
      counted = true;
    }
    if (isOn(day, row.confirmedAt)) {
      const bytes = sanitizeBytes(row.fileSize);
      increment(counters, UploadEventType.Confirmed);
      increment(counters, DailyField.BytesConfirmed, bytes);
      increment(aggregate.uploaderBytes, row.userId, bytes);
      increment(aggregate.uploaderCounts, row.userId);
      counted = true;
    }
    if (isOn(day, row.approvedAt)) {
      increment(counters, UploadEventType.Approved);
      counted = true;
    }
    if (isOn(day, row.rejectedAt)) {
      increment(counters, UploadEventType.Rejected);
      increment(aggregate.failures, row.rejectionReason || UNSPECIFIED_REJECTION_REASON);
      counted = true;
    }
    const scanCounter = SCAN_OUTCOME_COUNTER[row.scanStatus];
    if (scanCounter && isOn(day, row.scannedAt ?? row.approvedAt ?? row.rejectedAt)) {
      increment(counters, scanCounter);
      counted = true;
    }

    if (counted) aggregate.rowsCounted += 1;
  }
  return aggregate;
}
