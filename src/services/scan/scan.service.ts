import {
  ScanStatus,
  ThumbnailStatus,
  type IpAsset,
  type ScanResultData,
} from '../../entities/ip-asset.entity';
import { dependencyOutage } from '../../dependency-outage';
import type { Logger } from '../../logger';
import type { Scanner, ScanVerdict } from '../../scanners/scanner';
import { StorageObjectNotFound, type StorageAdapter } from '../../storage/storage.adapter';
import type { AssetLifecycle, EventDetail, TransitionChanges } from '../lifecycle/asset-lifecycle';
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

/**
 * The engine (or the storage holding the object) could not be reached: nothing was learnt about
 * the file. The job waits and tries again without spending an attempt (see virus-scan.job.ts).
 */
export class ScannerUnavailable extends Error {
  override name = 'ScannerUnavailable';
  constructor(
    message: string,
    /** How long the engine asked us to wait, when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export interface ScanAttempt {
  /** 1-based number of this attempt. */
  number: number;
  /** When this attempt fails, the asset is rejected instead of retried. */
  isLast: boolean;
  /**
   * An unreachable engine throws ScannerUnavailable instead of counting as a failed attempt.
   * Off once the outage has lasted past SCAN_UNAVAILABLE_RETRY_SECONDS: then it counts.
   */
  waitForEngine?: boolean;
  /** This attempt resumes one that was put off while its engine was unreachable (already started). */
  resumed?: boolean;
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
    private readonly storage: StorageAdapter,
    private readonly scanner: Scanner,
    private readonly lifecycle: AssetLifecycle,
    private readonly thumbnails: ThumbnailScheduler,
    private readonly logger: Logger,
    private readonly observer?: ScanObserver,
  ) {}

  async scan(assetId: string, attempt: ScanAttempt): Promise<ScanOutcome> {
    const scanning = await this.claim(assetId, attempt.number);
    if (!scanning) return { kind: 'skipped' };

    const startedAt = Date.now();
    const verdict = await this.scanObject(scanning, attempt.signal);
    const durationMs = Date.now() - startedAt;
    this.observer?.attempted(verdict.engine, verdict.outcome, durationMs);
    const result = scanResultOf(verdict, durationMs, attempt.number);

    switch (verdict.outcome) {
      case 'clean':
        await this.approve(scanning, result);
        break;
      case 'infected':
        await this.quarantine(scanning, result);
        break;
      case 'error':
        if (verdict.unavailable && attempt.waitForEngine)
          throw new ScannerUnavailable(verdict.reason, verdict.retryAfterMs);
        // Logged once, by the job (a retry) or by recordScanError (the last attempt).
        if (!attempt.isLast) throw new ScanAttemptFailed(verdict.reason);
        await this.recordScanError(assetId, result);
        return { kind: 'decided', scanStatus: ScanStatus.ERROR };
    }
    return {
      kind: 'decided',
      scanStatus: verdict.outcome === 'clean' ? ScanStatus.CLEAN : ScanStatus.INFECTED,
    };
  }

  /**
   * Marks the asset SCANNING for this attempt, in the same statement that reads it. Null when it
   * is not waiting for a scan (decided, gone, or never confirmed). A retry, or a job taken over
   * from a dead worker, finds it SCANNING already and records SCAN_RETRIED instead.
   */
  private async claim(assetId: string, attemptNumber: number): Promise<IpAsset | null> {
    const input = { changes: { scanAttempts: attemptNumber }, detail: { attempt: attemptNumber } };
    return (
      (await this.lifecycle.transition('startScan', assetId, input)) ??
      (await this.lifecycle.transition('retryScan', assetId, input))
    );
  }

  /** Never rejects: a scanner or storage failure is an `error` verdict, retried like any other. */
  async scanObject(asset: IpAsset, signal?: AbortSignal): Promise<ScanVerdict> {
    try {
      return await this.scanner.scan(
        { assetId: asset.id, size: asset.fileSize, open: () => this.openForScan(asset) },
        signal,
      );
    } catch (error) {
      return {
        outcome: 'error',
        engine: this.scanner.engine,
        reason: `could not read the object: ${(error as Error).message}`,
        // Storage being down says nothing about the file either; a missing object does.
        ...(dependencyOutage(error) ? { unavailable: true } : {}),
      };
    }
  }

  /**
   * The asset's object; or its quarantined copy, when an earlier attempt found it infected and
   * moved it but could not record that (the database went away in between): the same bytes.
   */
  private async openForScan(asset: IpAsset) {
    try {
      return await this.storage.getStream(asset.storageKey);
    } catch (error) {
      if (!(error instanceof StorageObjectNotFound)) throw error;
      const quarantined = storageKeys.quarantine(asset.storageKey);
      if (!(await this.storage.head(quarantined))) throw error;
      return this.storage.getStream(quarantined);
    }
  }

  /**
   * Rejects an asset whose scan can no longer succeed (last attempt failed, or the job itself
   * was given up, e.g. stalled too often). Does nothing if the asset was decided meanwhile.
   */
  async recordScanError(assetId: string, scanResult: ScanResultData): Promise<void> {
    const rejected = await this.lifecycle.transition('scanFailed', assetId, {
      changes: { scanResult },
      detail: verdictDetail(scanResult),
    });
    if (!rejected) return;
    this.logger.error(
      { assetId, engine: scanResult.engine, reason: scanResult.error },
      'scan failed for good; asset rejected',
    );
  }

  private async approve(asset: IpAsset, scanResult: ScanResultData): Promise<void> {
    const wantsThumbnail = canMakeThumbnail(asset.mimeType);
    const approved = await this.lifecycle.transition('scannedClean', asset.id, {
      changes: {
        scanResult,
        thumbnailStatus: wantsThumbnail ? ThumbnailStatus.PENDING : ThumbnailStatus.NONE,
      },
      detail: verdictDetail(scanResult),
    });
    if (!approved) return;
    this.logger.info(
      { assetId: asset.id, engine: scanResult.engine, durationMs: scanResult.durationMs },
      'scan clean',
    );
    if (wantsThumbnail) await this.thumbnails.enqueueThumbnail(asset.id);
  }

  /**
   * Moves the object under `quarantine/` and rejects the asset, with a security log line. A
   * rescan's detection comes here too (`rescannedInfected`, its thumbnail dropped), so it is
   * quarantined exactly like a first-scan one. Resolves to the rejected asset, or null when the
   * asset had moved on meanwhile.
   */
  async quarantine(
    asset: IpAsset,
    scanResult: ScanResultData,
    how: {
      transition: 'scannedInfected' | 'rescannedInfected';
      changes?: TransitionChanges;
      detail?: EventDetail;
    } = {
      transition: 'scannedInfected',
    },
  ): Promise<IpAsset | null> {
    const quarantineKey = storageKeys.quarantine(asset.storageKey);
    try {
      await this.storage.move(asset.storageKey, quarantineKey);
    } catch (error) {
      // Moved by an earlier attempt that could not record the verdict: record it now.
      if (!(error instanceof StorageObjectNotFound) || !(await this.storage.head(quarantineKey))) throw error;
    }
    const rejected = await this.lifecycle.transition(how.transition, asset.id, {
      changes: { ...how.changes, scanResult, storageKey: quarantineKey, quarantinedAt: new Date() },
      detail: { ...how.detail, ...verdictDetail(scanResult) },
    });
    if (!rejected) return null;
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
    return rejected;
  }
}

/** The scanResult a verdict records: each threat with the engine that found it, the error of an undecided scan. */
export function scanResultOf(verdict: ScanVerdict, durationMs: number, attempts: number): ScanResultData {
  return {
    engine: verdict.engine,
    engineVersion: verdict.engineVersion ?? null,
    signatures: verdict.signatures ?? null,
    threats:
      verdict.outcome === 'infected' ? verdict.threats.map(({ engine, name }) => ({ engine, name })) : [],
    scannedAt: new Date().toISOString(),
    durationMs,
    attempts,
    error: verdict.outcome === 'error' ? verdict.reason : null,
  };
}

/** What the audit trail keeps of a verdict: engine, version, threats, timing; never file contents. */
export function verdictDetail(result: ScanResultData): Record<string, unknown> {
  return {
    engine: result.engine,
    engineVersion: result.engineVersion ?? null,
    ...(result.signatures ? { signatures: result.signatures } : {}),
    threats: result.threats,
    durationMs: result.durationMs,
    attempts: result.attempts,
    ...(result.error ? { error: result.error } : {}),
  };
}
