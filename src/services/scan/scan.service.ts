import {
  AssetStatus,
  ScanStatus,
  ThumbnailStatus,
  type IpAsset,
  type ScanResultData,
} from '../../entities/ip-asset.entity';
import type { Logger } from '../../logger';
import type { AssetRepository } from '../../repositories/asset.repository';
import type { Scanner, ScanVerdict } from '../../scanners/scanner';
import type { StorageAdapter } from '../../storage/storage.adapter';
import { RejectionReason, UploadEventType } from '../analytics/upload-event';
import type { LifecycleEvents } from '../lifecycle-events';
import { storageKeys } from '../upload/file-name';
import { canMakeThumbnail } from './thumbnail.service';

/** Thrown for an attempt that could not decide; the queue retries it with backoff. */
export class ScanAttemptFailed extends Error {
  override name = 'ScanAttemptFailed';
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export interface ScanAttempt {
  /** 1-based number of this attempt. */
  number: number;
  /** When this attempt fails, the asset is rejected instead of retried. */
  isLast: boolean;
  signal?: AbortSignal;
}

/** What the scan job reports: skipped (already decided or gone), or the verdict it recorded. */
export type ScanOutcome = { kind: 'skipped' } | { kind: 'decided'; scanStatus: ScanStatus };

/** Told about every scan attempt, whatever its result (Prometheus, in production). */
export interface ScanObserver {
  attempted(engine: string, outcome: ScanVerdict['outcome'], durationMs: number): void;
}

/** Decides whether a thumbnail is needed and queues it. */
export interface ThumbnailScheduler {
  enqueueThumbnail(assetId: string): Promise<void>;
}

/**
 * The second half of the lifecycle: PROCESSING → SCANNING → CLEAN (APPROVED) | INFECTED
 * (REJECTED, object quarantined) | ERROR (REJECTED, after the last attempt). Each step is a
 * conditional transition, so a duplicate or late job for a decided asset does nothing.
 */
export class ScanService {
  constructor(
    private readonly assets: AssetRepository,
    private readonly storage: StorageAdapter,
    private readonly scanner: Scanner,
    private readonly lifecycle: LifecycleEvents,
    private readonly thumbnails: ThumbnailScheduler,
    private readonly logger: Logger,
    private readonly observer?: ScanObserver,
  ) {}

  async scan(assetId: string, attempt: ScanAttempt): Promise<ScanOutcome> {
    const claim = await this.claim(assetId, attempt.number);
    if (!claim) return { kind: 'skipped' };
    const { asset: scanning, resumed } = claim;

    const startedAt = Date.now();
    const scanned = this.scanObject(scanning, attempt.signal);
    // Announced while the bytes are already on their way to the scanner.
    if (!resumed) {
      await this.lifecycle.published(scanning);
      this.lifecycle.track(UploadEventType.ScanStarted, scanning);
    }
    const verdict = await scanned;
    const durationMs = Date.now() - startedAt;
    this.observer?.attempted(verdict.engine, verdict.outcome, durationMs);
    const result = (threats: ScanResultData['threats'], error?: string): ScanResultData => ({
      engine: verdict.engine,
      engineVersion: verdict.engineVersion ?? null,
      signatures: verdict.signatures ?? null,
      threats,
      scannedAt: new Date().toISOString(),
      durationMs,
      attempts: attempt.number,
      error: error ?? null,
    });

    switch (verdict.outcome) {
      case 'clean':
        await this.approve(scanning, result([]));
        break;
      case 'infected':
        await this.quarantine(
          scanning,
          result(verdict.threats.map((name) => threatOf(name, verdict.engine))),
        );
        break;
      case 'error':
        // Logged once, by the job (a retry) or by recordScanError (the last attempt).
        if (!attempt.isLast) throw new ScanAttemptFailed(verdict.reason);
        await this.recordScanError(assetId, result([], verdict.reason));
        return { kind: 'decided', scanStatus: ScanStatus.ERROR };
    }
    return {
      kind: 'decided',
      scanStatus: verdict.outcome === 'clean' ? ScanStatus.CLEAN : ScanStatus.INFECTED,
    };
  }

  /**
   * Marks the asset SCANNING for this attempt, in the same statement that reads it. Null when it
   * is not waiting for a scan (decided, gone, or never confirmed). `resumed`: a retry or a job
   * taken over from a dead worker, whose SCANNING was announced already.
   */
  private async claim(
    assetId: string,
    attemptNumber: number,
  ): Promise<{ asset: IpAsset; resumed: boolean } | null> {
    const changes = { scanStatus: ScanStatus.SCANNING, scanAttempts: attemptNumber };
    const waiting = { status: [AssetStatus.PROCESSING], scanStatus: [ScanStatus.PENDING] };
    const fresh = await this.assets.transition(assetId, waiting, changes);
    if (fresh) return { asset: fresh, resumed: false };
    const started = { status: [AssetStatus.PROCESSING], scanStatus: [ScanStatus.SCANNING] };
    const resumed = await this.assets.transition(assetId, started, changes);
    return resumed ? { asset: resumed, resumed: true } : null;
  }

  /** Never rejects: a scanner or storage failure is an `error` verdict, retried like any other. */
  private async scanObject(asset: IpAsset, signal?: AbortSignal): Promise<ScanVerdict> {
    try {
      return await this.scanner.scan(
        { assetId: asset.id, size: asset.fileSize, open: () => this.storage.getStream(asset.storageKey) },
        signal,
      );
    } catch (error) {
      return {
        outcome: 'error',
        engine: this.scanner.engine,
        reason: `could not read the object: ${(error as Error).message}`,
      };
    }
  }

  /**
   * Rejects an asset whose scan can no longer succeed (last attempt failed, or the job itself
   * was given up, e.g. stalled too often). Does nothing if the asset was decided meanwhile.
   */
  async recordScanError(assetId: string, scanResult: ScanResultData): Promise<void> {
    const rejected = await this.assets.transition(
      assetId,
      { status: [AssetStatus.PROCESSING] },
      {
        status: AssetStatus.REJECTED,
        scanStatus: ScanStatus.ERROR,
        scanResult,
        rejectionReason: RejectionReason.VirusScanFailed,
        rejectedAt: new Date(),
      },
    );
    if (!rejected) return;
    this.logger.error(
      { assetId, engine: scanResult.engine, reason: scanResult.error },
      'scan failed for good; asset rejected',
    );
    await this.lifecycle.published(rejected);
    this.lifecycle.track(UploadEventType.ScanError, rejected);
    this.lifecycle.track(UploadEventType.Rejected, rejected, RejectionReason.VirusScanFailed);
  }

  private async approve(asset: IpAsset, scanResult: ScanResultData): Promise<void> {
    const wantsThumbnail = canMakeThumbnail(asset.mimeType);
    const approved = await this.assets.transition(
      asset.id,
      { status: [AssetStatus.PROCESSING], scanStatus: [ScanStatus.SCANNING] },
      {
        status: AssetStatus.APPROVED,
        scanStatus: ScanStatus.CLEAN,
        scanResult,
        approvedAt: new Date(),
        thumbnailStatus: wantsThumbnail ? ThumbnailStatus.PENDING : ThumbnailStatus.NONE,
      },
    );
    if (!approved) return;
    this.logger.info(
      { assetId: asset.id, engine: scanResult.engine, durationMs: scanResult.durationMs },
      'scan clean',
    );
    await this.lifecycle.published(approved);
    this.lifecycle.track(UploadEventType.ScanClean, approved);
    this.lifecycle.track(UploadEventType.Approved, approved);
    if (wantsThumbnail) await this.thumbnails.enqueueThumbnail(asset.id);
  }

  private async quarantine(asset: IpAsset, scanResult: ScanResultData): Promise<void> {
    const quarantineKey = storageKeys.quarantine(asset.storageKey);
    await this.storage.move(asset.storageKey, quarantineKey);
    const rejected = await this.assets.transition(
      asset.id,
      { status: [AssetStatus.PROCESSING], scanStatus: [ScanStatus.SCANNING] },
      {
        status: AssetStatus.REJECTED,
        scanStatus: ScanStatus.INFECTED,
        scanResult,
        storageKey: quarantineKey,
        quarantinedAt: new Date(),
        rejectionReason: RejectionReason.VirusDetected,
        rejectedAt: new Date(),
      },
    );
    if (!rejected) return;
    this.logger.warn(
      {
        security: true,
        event: 'infected_file',
        assetId: asset.id,
        userId: asset.createdBy,
        engine: scanResult.engine,
        threats: scanResult.threats.map((threat) => threat.name),
      },
      'infected file quarantined',
    );
    await this.lifecycle.published(rejected);
    this.lifecycle.track(UploadEventType.ScanInfected, rejected);
    this.lifecycle.track(UploadEventType.Rejected, rejected, RejectionReason.VirusDetected);
  }
}

/** Multi-engine verdicts name threats `engine:Name`; a single engine's are bare names. */
function threatOf(name: string, engine: string): { name: string; engine: string } {
  const tagged = /^([a-z]+):(.+)$/.exec(name);
  return tagged && engine.split('+').includes(tagged[1])
    ? { engine: tagged[1], name: tagged[2] }
    : { engine, name };
}
