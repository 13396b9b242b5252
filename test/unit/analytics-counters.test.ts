import { describe, expect, it } from 'vitest';
import {
  DailyField,
  UNSPECIFIED_REJECTION_REASON,
  planEventIncrements,
  sanitizeBytes,
  sumFailures,
  summarizeDays,
} from '../../src/services/analytics/daily-counters';
import { aggregateDayEvents } from '../../src/services/analytics/day-rebuild';
import { AssetStatus, ScanStatus } from '../../src/entities/ip-asset.entity';
import type { AssetEventRow } from '../../src/repositories/asset-event.repository';
import { analyticsEventsOf } from '../../src/services/lifecycle/outbox-consumers';
import {
  RejectionReason,
  UploadEventType,
  type UploadEvent,
} from '../../src/services/analytics/upload-event';

const base: UploadEvent = {
  type: UploadEventType.Initiated,
  assetId: 'a1',
  userId: 'alice',
  mimeType: 'image/png',
  fileSize: 1234,
};

describe('planEventIncrements', () => {
  it('counts an initiated upload per MIME type', () => {
    expect(planEventIncrements(base)).toEqual([
      { target: 'daily', field: 'initiated', by: 1 },
      { target: 'daily', field: DailyField.Revision, by: 1 },
      { target: 'mimeTypes', field: 'image/png', by: 1 },
    ]);
  });

  it('adds confirmed bytes to the day and to the uploader', () => {
    expect(planEventIncrements({ ...base, type: UploadEventType.Confirmed })).toEqual([
      { target: 'daily', field: 'confirmed', by: 1 },
      { target: 'daily', field: DailyField.Revision, by: 1 },
      { target: 'daily', field: 'bytes_confirmed', by: 1234 },
      { target: 'uploaders', field: 'alice', by: 1234 },
      { target: 'uploaderCounts', field: 'alice', by: 1 },
    ]);
  });

  it('counts rejections by reason, and reasonless ones as unspecified', () => {
    const withReason = planEventIncrements({
      ...base,
      type: UploadEventType.Rejected,
      reason: RejectionReason.VirusDetected,
    });
    expect(withReason).toContainEqual({ target: 'failures', field: 'Virus detected', by: 1 });
    expect(planEventIncrements({ ...base, type: UploadEventType.Rejected })).toContainEqual({
      target: 'failures',
      field: UNSPECIFIED_REJECTION_REASON,
      by: 1,
    });
  });

  it('counts other events by type only', () => {
    for (const type of [
      UploadEventType.ScanClean,
      UploadEventType.ThumbnailFailed,
      UploadEventType.CleanedUp,
    ]) {
      expect(planEventIncrements({ ...base, type })).toEqual([
        { target: 'daily', field: type, by: 1 },
        { target: 'daily', field: DailyField.Revision, by: 1 },
      ]);
    }
  });

  it('never lets a bad size corrupt the byte sums', () => {
    expect(sanitizeBytes(10.9)).toBe(10);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '5'])
      expect(sanitizeBytes(bad)).toBe(0);
  });
});

describe('summarizeDays', () => {
  const from = new Date('2031-03-09T00:00:00Z');
  const to = new Date('2031-03-10T23:59:59.999Z');

  it('adds days up with the contract meanings', () => {
    const metrics = summarizeDays(
      [
        {
          counters: {
            initiated: 4,
            confirmed: 3,
            bytes_confirmed: 600,
            approved: 2,
            rejected: 1,
            scan_clean: 2,
            scan_error: 1,
            revision: 13,
          },
          mimeTypes: { 'image/png': 3, 'application/pdf': 1 },
          failures: { 'Virus scan failed': 1 },
        },
        {
          counters: { initiated: 1, confirmed: 1, bytes_confirmed: 400, rejected: 1, scan_infected: 1 },
          mimeTypes: { 'application/pdf': 1 },
          failures: { 'Virus detected': 1 },
        },
      ],
      from,
      to,
    );
    expect(metrics).toEqual({
      totalUploads: 5,
      successfulUploads: 2,
      failedUploads: 2,
      successRate: 50,
      averageFileSize: 250,
      totalStorageUsed: 1000,
      byMimeType: [
        { key: 'image/png', count: 3 },
        { key: 'application/pdf', count: 2 },
      ],
      byStatus: [
        { key: 'DRAFT', count: 5 },
        { key: 'PROCESSING', count: 4 },
        { key: 'APPROVED', count: 2 },
        { key: 'REJECTED', count: 2 },
      ],
      virusScans: { total: 4, clean: 2, infected: 1, failed: 1 },
      from,
      to,
    });
  });

  it('reports 100% success and no average when nothing happened', () => {
    expect(summarizeDays([], from, to)).toMatchObject({
      successRate: 100,
      averageFileSize: 0,
      totalUploads: 0,
    });
  });

  it('sorts failures most first, then by reason', () => {
    expect(
      sumFailures([
        { failures: { 'Virus scan failed': 1, 'Upload abandoned': 1 } },
        { failures: { 'Virus detected': 2, 'Content mismatch': 0 } },
      ]),
    ).toEqual([
      { key: 'Virus detected', count: 2 },
      { key: 'Upload abandoned', count: 1 },
      { key: 'Virus scan failed', count: 1 },
    ]);
  });
});

describe('aggregateDayEvents, fed by the audit trail', () => {
  let id = 0;
  const event = (
    assetId: string,
    type: string,
    at: string,
    state: [AssetStatus, ScanStatus],
    more: Partial<AssetEventRow> = {},
  ): AssetEventRow => ({
    id: String(++id),
    assetId,
    ownerId: assetId === 'a4' ? 'bob' : 'alice',
    type,
    status: state[0],
    scanStatus: state[1],
    stateVersion: id,
    actor: 'system',
    detail: null,
    at: new Date(at),
    mimeType: 'image/png',
    fileSize: 500,
    scanResult: null,
    final: false,
    deliveredAt: null,
    ...more,
  });
  const { DRAFT, PROCESSING, APPROVED, REJECTED } = AssetStatus;
  const { PENDING, SCANNING, CLEAN, INFECTED } = ScanStatus;
  const trail = [
    event('a1', 'INITIATED', '2031-03-09T23:59:00Z', [DRAFT, PENDING]),
    event('a1', 'CONFIRMED', '2031-03-10T00:01:00Z', [PROCESSING, PENDING]),
    event('a1', 'SCAN_STARTED', '2031-03-10T00:01:30Z', [PROCESSING, SCANNING]),
    event('a1', 'SCANNED_CLEAN', '2031-03-10T00:02:00Z', [APPROVED, CLEAN]),
    event('a1', 'THUMBNAIL_DONE', '2031-03-10T00:02:10Z', [APPROVED, CLEAN]),
    // A rescan that finds nothing counts nothing.
    event('a1', 'SCAN_STARTED', '2031-03-10T12:00:00Z', [APPROVED, CLEAN], { detail: { rescan: true } }),
    event('a1', 'SCANNED_CLEAN', '2031-03-10T12:00:01Z', [APPROVED, CLEAN], { detail: { rescan: true } }),
    event('a2', 'INITIATED', '2031-03-10T09:00:00Z', [DRAFT, PENDING]),
    event('a2', 'REJECTED', '2031-03-10T10:00:00Z', [REJECTED, PENDING], {
      detail: { reason: RejectionReason.ContentMismatch },
    }),
    event('a3', 'INITIATED', '2031-03-08T00:00:00Z', [DRAFT, PENDING]),
    event('a4', 'INITIATED', '2031-03-10T09:00:00Z', [DRAFT, PENDING]),
    event('a4', 'CONFIRMED', '2031-03-10T09:01:00Z', [PROCESSING, PENDING]),
    event('a4', 'SCAN_STARTED', '2031-03-10T09:01:01Z', [PROCESSING, SCANNING]),
    event('a4', 'SCAN_RETRIED', '2031-03-10T09:02:01Z', [PROCESSING, SCANNING]),
    event('a4', 'SCANNED_INFECTED', '2031-03-10T23:59:59Z', [REJECTED, INFECTED], {
      detail: { reason: RejectionReason.VirusDetected },
    }),
    // The cleanup deleted a4's row the next day; its events still count, each on its own day.
    event('a4', 'CLEANED_UP', '2031-03-11T00:00:01Z', [REJECTED, INFECTED]),
  ];

  it('counts each transition on the day it happened, as the live counting does', async () => {
    const aggregate = await aggregateDayEvents('2031-03-10', trail.flatMap(analyticsEventsOf));
    expect(Object.fromEntries(aggregate.counters)).toEqual({
      initiated: 2,
      confirmed: 2,
      bytes_confirmed: 1000,
      scan_started: 2,
      scan_clean: 1,
      approved: 1,
      thumbnail_done: 1,
      scan_infected: 1,
      rejected: 2,
    });
    expect(Object.fromEntries(aggregate.mimeTypes)).toEqual({ 'image/png': 2 });
    expect(Object.fromEntries(aggregate.failures)).toEqual({ 'Content mismatch': 1, 'Virus detected': 1 });
    expect(Object.fromEntries(aggregate.uploaderBytes)).toEqual({ alice: 500, bob: 500 });
    expect(Object.fromEntries(aggregate.uploaderCounts)).toEqual({ alice: 1, bob: 1 });
    expect(aggregate).toMatchObject({ rowsRead: 15, rowsCounted: 12 });

    const next = await aggregateDayEvents('2031-03-11', trail.flatMap(analyticsEventsOf));
    expect(Object.fromEntries(next.counters)).toEqual({ cleaned_up: 1 });
  });
});
