import { describe, expect, it } from 'vitest';
import { AssetStatus, ScanStatus, ThumbnailStatus } from '../../src/entities/ip-asset.entity';
import type { AssetEventRow } from '../../src/repositories/asset-event.repository';
import { RejectionReason, UploadEventType } from '../../src/services/analytics/upload-event';
import { analyticsEventsOf, toLiveEvent } from '../../src/services/lifecycle/outbox-consumers';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transitionTableRows } from '../../src/services/lifecycle/transition-table';
import {
  AssetEventType,
  EVENT_DELIVERY,
  TRANSITIONS,
  nextState,
  type LifecycleState,
  type TransitionName,
} from '../../src/services/lifecycle/transitions';

const { DRAFT, PROCESSING, APPROVED, REJECTED } = AssetStatus;
const { PENDING, SCANNING, CLEAN, INFECTED, ERROR } = ScanStatus;
const T = ThumbnailStatus;

const state = (status: AssetStatus, scanStatus: ScanStatus, thumbnailStatus = T.NONE): LifecycleState => ({
  status,
  scanStatus,
  thumbnailStatus,
});

/** Every state an asset row can be in (the product of the three enums). */
const ALL_STATES: LifecycleState[] = Object.values(AssetStatus).flatMap((status) =>
  Object.values(ScanStatus).flatMap((scanStatus) =>
    Object.values(ThumbnailStatus).map((thumbnailStatus) => state(status, scanStatus, thumbnailStatus)),
  ),
);

/**
 * The lifecycle as CONTRACT.md describes it, written out independently of the table: for each
 * transition, which (status, scanStatus, thumbnailStatus) it starts from and what it leads to.
 * `*` matches any value of that field.
 */
type Pattern = [AssetStatus | '*', ScanStatus | '*', ThumbnailStatus | '*'];
const EXPECTED: Record<
  Exclude<TransitionName, 'initiate'>,
  { from: Pattern[]; to: Partial<LifecycleState> }
> = {
  confirm: { from: [[DRAFT, '*', '*']], to: { status: PROCESSING, scanStatus: PENDING } },
  rejectContentMismatch: { from: [[DRAFT, '*', '*']], to: { status: REJECTED } },
  rejectAbandoned: { from: [[DRAFT, '*', '*']], to: { status: REJECTED } },
  cancel: { from: [[DRAFT, '*', '*']], to: { status: REJECTED } },
  startScan: { from: [[PROCESSING, PENDING, '*']], to: { scanStatus: SCANNING } },
  retryScan: { from: [[PROCESSING, SCANNING, '*']], to: { scanStatus: SCANNING } },
  scannedClean: { from: [[PROCESSING, SCANNING, '*']], to: { status: APPROVED, scanStatus: CLEAN } },
  scannedInfected: { from: [[PROCESSING, SCANNING, '*']], to: { status: REJECTED, scanStatus: INFECTED } },
  scanFailed: { from: [[PROCESSING, '*', '*']], to: { status: REJECTED, scanStatus: ERROR } },
  thumbnailDone: { from: [[APPROVED, '*', T.PENDING]], to: { thumbnailStatus: T.DONE } },
  thumbnailFailed: { from: [[APPROVED, '*', T.PENDING]], to: { thumbnailStatus: T.FAILED } },
  rescanStarted: { from: [[APPROVED, CLEAN, '*']], to: {} },
  rescannedClean: { from: [[APPROVED, CLEAN, '*']], to: {} },
  rescannedInfected: { from: [[APPROVED, CLEAN, '*']], to: { status: REJECTED, scanStatus: INFECTED } },
  rescanFailed: { from: [[APPROVED, CLEAN, '*']], to: {} },
  cleanUpRejected: { from: [[REJECTED, '*', '*']], to: {} },
  cleanUpMissingObject: {
    from: [
      [PROCESSING, '*', '*'],
      [APPROVED, '*', '*'],
      [REJECTED, '*', '*'],
    ],
    to: {},
  },
};

const matches = (pattern: Pattern, s: LifecycleState) =>
  (pattern[0] === '*' || pattern[0] === s.status) &&
  (pattern[1] === '*' || pattern[1] === s.scanStatus) &&
  (pattern[2] === '*' || pattern[2] === s.thumbnailStatus);

describe('the transition table', () => {
  it('lists exactly the expected transitions', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual(['initiate', ...Object.keys(EXPECTED)].sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED) as [
    TransitionName,
    (typeof EXPECTED)['confirm'],
  ][]) {
    it(`${name}: allowed from exactly its states, leading to the expected one`, () => {
      let allowed = 0;
      for (const from of ALL_STATES) {
        const next = nextState(name, from);
        if (expected.from.some((pattern) => matches(pattern, from))) {
          allowed++;
          expect(next, `${name} from ${JSON.stringify(from)}`).toEqual({ ...from, ...expected.to });
        } else {
          expect(next, `${name} from ${JSON.stringify(from)}`).toBeNull();
        }
      }
      expect(allowed).toBeGreaterThan(0);
    });
  }

  it('refuses the duplicates and late arrivals the workers see', () => {
    // A repeated confirm, a scan job for a decided asset, a second verdict, a late thumbnail.
    expect(nextState('confirm', state(PROCESSING, PENDING))).toBeNull();
    expect(nextState('confirm', state(REJECTED, PENDING))).toBeNull();
    expect(nextState('startScan', state(APPROVED, CLEAN))).toBeNull();
    expect(nextState('startScan', state(PROCESSING, SCANNING))).toBeNull();
    expect(nextState('scannedClean', state(PROCESSING, PENDING))).toBeNull();
    expect(nextState('scannedClean', state(REJECTED, INFECTED))).toBeNull();
    expect(nextState('scannedInfected', state(APPROVED, CLEAN, T.DONE))).toBeNull();
    expect(nextState('scanFailed', state(APPROVED, CLEAN))).toBeNull();
    expect(nextState('thumbnailDone', state(APPROVED, CLEAN, T.DONE))).toBeNull();
    expect(nextState('thumbnailFailed', state(REJECTED, INFECTED))).toBeNull();
    expect(nextState('rejectAbandoned', state(PROCESSING, PENDING))).toBeNull();
    // An abort after confirm, or a second abort, changes nothing.
    expect(nextState('cancel', state(PROCESSING, PENDING))).toBeNull();
    expect(nextState('cancel', state(REJECTED, PENDING))).toBeNull();
    expect(nextState('cleanUpRejected', state(APPROVED, CLEAN, T.DONE))).toBeNull();
    expect(nextState('cleanUpMissingObject', state(DRAFT, PENDING))).toBeNull();
    // Creation is not a transition from any state.
    for (const from of ALL_STATES) expect(nextState('initiate', from)).toBeNull();
  });

  it('walks a clean image, an infected file and a failed scan end to end', () => {
    const run = (names: TransitionName[], from: LifecycleState) =>
      names.reduce<LifecycleState | null>((s, name) => (s ? nextState(name, s) : null), from);
    const draft = state(DRAFT, PENDING);
    expect(run(['confirm', 'startScan', 'scannedClean'], draft)).toEqual(state(APPROVED, CLEAN));
    expect(
      run(['confirm', 'startScan', 'scannedClean', 'thumbnailDone'], {
        ...draft,
        thumbnailStatus: T.PENDING,
      }),
    ).toEqual(state(APPROVED, CLEAN, T.DONE));
    expect(run(['confirm', 'startScan', 'scannedInfected'], draft)).toEqual(state(REJECTED, INFECTED));
    expect(run(['confirm', 'startScan', 'retryScan', 'scanFailed'], draft)).toEqual(state(REJECTED, ERROR));
    // A verdict only once: a second clean after infected is refused.
    expect(run(['confirm', 'startScan', 'scannedInfected', 'scannedClean'], draft)).toBeNull();
  });

  it('user transitions are the ones a request makes; rejections carry their reason', () => {
    const byUser = Object.entries(TRANSITIONS)
      .filter(([, rule]) => rule.actor === 'user')
      .map(([name]) => name)
      .sort();
    expect(byUser).toEqual(['cancel', 'confirm', 'initiate', 'rejectContentMismatch']);
    expect(TRANSITIONS.cancel.reason).toBe(RejectionReason.UploadCancelled);
    expect(TRANSITIONS.cancel.event).toBe(AssetEventType.Aborted);
    expect(TRANSITIONS.rejectContentMismatch.reason).toBe(RejectionReason.ContentMismatch);
    expect(TRANSITIONS.rejectAbandoned.reason).toBe(RejectionReason.UploadAbandoned);
    expect(TRANSITIONS.scannedInfected.reason).toBe(RejectionReason.VirusDetected);
    expect(TRANSITIONS.scanFailed.reason).toBe(RejectionReason.VirusScanFailed);
  });
});

describe('event delivery', () => {
  const row = (type: AssetEventType, detail: Record<string, unknown> | null = null): AssetEventRow => ({
    id: '7',
    assetId: '00000000-0000-4000-8000-000000000001',
    ownerId: 'alice',
    type,
    status: REJECTED,
    scanStatus: INFECTED,
    stateVersion: 4,
    actor: 'system',
    detail,
    at: new Date('2026-12-01T10:00:00Z'),
    mimeType: 'text/plain',
    fileSize: 68,
    scanResult: null,
    final: true,
    deliveredAt: null,
  });

  it('every event type has a delivery rule', () => {
    expect(Object.keys(EVENT_DELIVERY).sort()).toEqual(Object.values(AssetEventType).sort());
  });

  it('a verdict counts both the scan outcome and the decision, dated by the change', () => {
    const events = analyticsEventsOf(
      row(AssetEventType.ScannedInfected, { reason: RejectionReason.VirusDetected }),
    );
    expect(events.map((event) => [event.type, event.reason])).toEqual([
      [UploadEventType.ScanInfected, undefined],
      [UploadEventType.Rejected, RejectionReason.VirusDetected],
    ]);
    expect(events.every((event) => event.at?.toISOString() === '2026-12-01T10:00:00.000Z')).toBe(true);
    expect(events.every((event) => event.userId === 'alice' && event.fileSize === 68)).toBe(true);
    expect(analyticsEventsOf(row(AssetEventType.ScannedClean)).map((event) => event.type)).toEqual([
      UploadEventType.ScanClean,
      UploadEventType.Approved,
    ]);
    expect(analyticsEventsOf(row(AssetEventType.ScanRetried))).toEqual([]);
    // A cancelled upload counts as failed, under its own reason.
    expect(
      analyticsEventsOf(row(AssetEventType.Aborted, { reason: RejectionReason.UploadCancelled })).map(
        (event) => [event.type, event.reason],
      ),
    ).toEqual([[UploadEventType.Rejected, RejectionReason.UploadCancelled]]);
  });

  it('the live event carries the stateVersion subscribers order by', () => {
    expect(toLiveEvent(row(AssetEventType.ScannedInfected))).toEqual({
      assetId: '00000000-0000-4000-8000-000000000001',
      status: REJECTED,
      scanStatus: INFECTED,
      scanResult: null,
      stateVersion: 4,
      final: true,
      at: '2026-12-01T10:00:00.000Z',
    });
  });
});

describe("the README's transition table", () => {
  it('is the table TRANSITIONS makes (regenerate it with transitionTable() after a change)', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const section = /<!-- transitions:start -->([\s\S]*?)<!-- transitions:end -->/.exec(readme)?.[1] ?? '';
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .slice(2) // header and separator
      .map((line) =>
        line
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(transitionTableRows());
  });
});
