import { AssetStatus, ScanStatus, ThumbnailStatus } from '../../entities/ip-asset.entity';
import { RejectionReason, UploadEventType } from '../analytics/upload-event';

/**
 * What an audit/outbox event says happened (`AssetEvent.type` in the API). One transition
 * records exactly one event.
 */
export enum AssetEventType {
  Initiated = 'INITIATED',
  Confirmed = 'CONFIRMED',
  ScanStarted = 'SCAN_STARTED',
  /** A retry, or a job taken over from a dead worker: the asset was SCANNING already. */
  ScanRetried = 'SCAN_RETRIED',
  ScannedClean = 'SCANNED_CLEAN',
  ScannedInfected = 'SCANNED_INFECTED',
  ScanError = 'SCAN_ERROR',
  Rejected = 'REJECTED',
  ThumbnailDone = 'THUMBNAIL_DONE',
  ThumbnailFailed = 'THUMBNAIL_FAILED',
  CleanedUp = 'CLEANED_UP',
  /** The owner cancelled an unconfirmed upload (abortUpload). */
  Aborted = 'ABORTED',
  /** A rescan that could not decide after its retries; the asset stays as it was (APPROVED). */
  RescanFailed = 'RESCAN_FAILED',
}

/** How the relay delivers each event type. */
export interface EventDelivery {
  /** Published to `assetScanStatus` subscribers. */
  live: boolean;
  /**
   * Analytics events it counts (each (asset, type) once). A `rejected` count takes its reason
   * from the event's `detail.reason`.
   */
  counts: readonly UploadEventType[];
}

/** Every event type, what reaches subscribers and what analytics counts. */
export const EVENT_DELIVERY: Readonly<Record<AssetEventType, EventDelivery>> = {
  [AssetEventType.Initiated]: { live: false, counts: [UploadEventType.Initiated] },
  [AssetEventType.Confirmed]: { live: true, counts: [UploadEventType.Confirmed] },
  [AssetEventType.ScanStarted]: { live: true, counts: [UploadEventType.ScanStarted] },
  [AssetEventType.ScanRetried]: { live: false, counts: [] },
  [AssetEventType.ScannedClean]: {
    live: true,
    counts: [UploadEventType.ScanClean, UploadEventType.Approved],
  },
  [AssetEventType.ScannedInfected]: {
    live: true,
    counts: [UploadEventType.ScanInfected, UploadEventType.Rejected],
  },
  [AssetEventType.ScanError]: { live: true, counts: [UploadEventType.ScanError, UploadEventType.Rejected] },
  [AssetEventType.Rejected]: { live: true, counts: [UploadEventType.Rejected] },
  [AssetEventType.ThumbnailDone]: { live: true, counts: [UploadEventType.ThumbnailDone] },
  [AssetEventType.ThumbnailFailed]: { live: true, counts: [UploadEventType.ThumbnailFailed] },
  [AssetEventType.CleanedUp]: { live: false, counts: [UploadEventType.CleanedUp] },
  [AssetEventType.Aborted]: { live: true, counts: [UploadEventType.Rejected] },
  [AssetEventType.RescanFailed]: { live: false, counts: [] },
};

/** The states a transition may start from; a field left out matches any value. */
export interface FromStates {
  status?: readonly AssetStatus[];
  scanStatus?: readonly ScanStatus[];
  thumbnailStatus?: readonly ThumbnailStatus[];
}

/** What a transition sets; a field left out keeps its value. */
export interface ToState {
  status?: AssetStatus;
  scanStatus?: ScanStatus;
  thumbnailStatus?: ThumbnailStatus;
}

/** One allowed transition of the asset lifecycle. */
export interface TransitionRule {
  /** The event it records. */
  event: AssetEventType;
  /** `user`: caused by the asset's owner (the actor is their id); `system`: a worker or schedule. */
  actor: 'user' | 'system';
  /** `create` for the transition that makes the asset. */
  from: FromStates | 'create';
  to: ToState;
  /** Written to `rejectionReason` and `detail.reason`. */
  reason?: RejectionReason;
  /** The row is deleted (the event outlives it). */
  deletes?: true;
}

const { DRAFT, PROCESSING, APPROVED, REJECTED } = AssetStatus;
const { PENDING, SCANNING, CLEAN, INFECTED, ERROR } = ScanStatus;

/**
 * The asset lifecycle, the only place it is written down. A transition applies only while the
 * asset is in one of its `from` states; otherwise it does nothing (a duplicate, a late job, or
 * another actor got there first). `AssetLifecycle.transition` performs one.
 */
// prettier-ignore
export const TRANSITIONS = {
  initiate: { event: AssetEventType.Initiated, actor: 'user', from: 'create', to: { status: DRAFT, scanStatus: PENDING } },
  confirm: { event: AssetEventType.Confirmed, actor: 'user', from: { status: [DRAFT] }, to: { status: PROCESSING, scanStatus: PENDING } },
  rejectContentMismatch: { event: AssetEventType.Rejected, actor: 'user', from: { status: [DRAFT] }, to: { status: REJECTED }, reason: RejectionReason.ContentMismatch },
  cancel: { event: AssetEventType.Aborted, actor: 'user', from: { status: [DRAFT] }, to: { status: REJECTED }, reason: RejectionReason.UploadCancelled },
  rejectAbandoned: { event: AssetEventType.Rejected, actor: 'system', from: { status: [DRAFT] }, to: { status: REJECTED }, reason: RejectionReason.UploadAbandoned },
  startScan: { event: AssetEventType.ScanStarted, actor: 'system', from: { status: [PROCESSING], scanStatus: [PENDING] }, to: { scanStatus: SCANNING } },
  retryScan: { event: AssetEventType.ScanRetried, actor: 'system', from: { status: [PROCESSING], scanStatus: [SCANNING] }, to: { scanStatus: SCANNING } },
  scannedClean: { event: AssetEventType.ScannedClean, actor: 'system', from: { status: [PROCESSING], scanStatus: [SCANNING] }, to: { status: APPROVED, scanStatus: CLEAN } },
  scannedInfected: { event: AssetEventType.ScannedInfected, actor: 'system', from: { status: [PROCESSING], scanStatus: [SCANNING] }, to: { status: REJECTED, scanStatus: INFECTED }, reason: RejectionReason.VirusDetected },
  scanFailed: { event: AssetEventType.ScanError, actor: 'system', from: { status: [PROCESSING] }, to: { status: REJECTED, scanStatus: ERROR }, reason: RejectionReason.VirusScanFailed },
  thumbnailDone: { event: AssetEventType.ThumbnailDone, actor: 'system', from: { status: [APPROVED], thumbnailStatus: [ThumbnailStatus.PENDING] }, to: { thumbnailStatus: ThumbnailStatus.DONE } },
  thumbnailFailed: { event: AssetEventType.ThumbnailFailed, actor: 'system', from: { status: [APPROVED], thumbnailStatus: [ThumbnailStatus.PENDING] }, to: { thumbnailStatus: ThumbnailStatus.FAILED } },
  // Rescans (detail.rescan: true) of an approved asset: it stays APPROVED / CLEAN, and downloadable,
  // while it is scanned again; only a detection changes it, exactly like a first-scan detection.
  rescanStarted: { event: AssetEventType.ScanStarted, actor: 'system', from: { status: [APPROVED], scanStatus: [CLEAN] }, to: {} },
  rescannedClean: { event: AssetEventType.ScannedClean, actor: 'system', from: { status: [APPROVED], scanStatus: [CLEAN] }, to: {} },
  rescannedInfected: { event: AssetEventType.ScannedInfected, actor: 'system', from: { status: [APPROVED], scanStatus: [CLEAN] }, to: { status: REJECTED, scanStatus: INFECTED }, reason: RejectionReason.VirusDetected },
  rescanFailed: { event: AssetEventType.RescanFailed, actor: 'system', from: { status: [APPROVED], scanStatus: [CLEAN] }, to: {} },
  cleanUpRejected: { event: AssetEventType.CleanedUp, actor: 'system', from: { status: [REJECTED] }, to: {}, deletes: true },
  cleanUpMissingObject: { event: AssetEventType.CleanedUp, actor: 'system', from: { status: [PROCESSING, APPROVED, REJECTED] }, to: {}, deletes: true },
} as const satisfies Record<string, TransitionRule>;

export type TransitionName = keyof typeof TRANSITIONS;

/** The part of an asset's state that decides which transitions apply. */
export interface LifecycleState {
  status: AssetStatus;
  scanStatus: ScanStatus;
  thumbnailStatus: ThumbnailStatus;
}

/** True when `rule` may start from `state` (the same test the conditional UPDATE makes). */
export function canStartFrom(rule: TransitionRule, state: LifecycleState): boolean {
  if (rule.from === 'create') return false;
  const { status, scanStatus, thumbnailStatus } = rule.from;
  return (
    (!status || status.includes(state.status)) &&
    (!scanStatus || scanStatus.includes(state.scanStatus)) &&
    (!thumbnailStatus || thumbnailStatus.includes(state.thumbnailStatus))
  );
}

/**
 * The state after `name` applied to `state`, or null when the transition is not allowed from
 * it. Pure: the table's meaning, testable without a database.
 */
export function nextState(name: TransitionName, state: LifecycleState): LifecycleState | null {
  const rule: TransitionRule = TRANSITIONS[name];
  if (!canStartFrom(rule, state)) return null;
  return { ...state, ...rule.to };
}
