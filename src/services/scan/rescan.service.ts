import {
  AssetStatus,
  ScanStatus,
  ThumbnailStatus,
  type IpAsset,
  type ScanResultData,
} from '../../entities/ip-asset.entity';
import type { Logger } from '../../logger';
import type { StorageAdapter } from '../../storage/storage.adapter';
import type { AssetLifecycle } from '../lifecycle/asset-lifecycle';
import {
  ScanAttemptFailed,
  ScannerUnavailable,
  scanResultOf,
  verdictDetail,
  type ScanAttempt,
  type ScanObserver,
  type ScanService,
} from './scan.service';

/** Why a rescan runs; recorded in its events' detail. */
export interface RescanCause {
  trigger: 'admin' | 'signature-update';
  requestedBy?: string;
}

/** What the rescan job reports. */
export type RescanOutcome = { kind: 'skipped' } | { kind: 'decided'; scanStatus: ScanStatus | 'UNDECIDED' };

/**
 * Scans an approved asset again with the current engines. The asset stays APPROVED / CLEAN and
 * downloadable while it runs (fail-closed is for new bytes, not a file already served); a clean
 * verdict only refreshes its scanResult; a detection quarantines it exactly like a first-scan one
 * (REJECTED, object under quarantine/, thumbnail removed, security log; subscribers and webhooks
 * follow from the event). The trail records SCAN_STARTED and the verdict with `detail.rescan`.
 */
export class RescanService {
  constructor(
    private readonly assets: { findById(id: string): Promise<IpAsset | null> },
    private readonly lifecycle: AssetLifecycle,
    private readonly scans: ScanService,
    private readonly storage: StorageAdapter,
    private readonly logger: Logger,
    private readonly observer?: ScanObserver,
  ) {}

  async rescan(assetId: string, cause: RescanCause, attempt: ScanAttempt): Promise<RescanOutcome> {
    const detail = {
      rescan: true,
      trigger: cause.trigger,
      ...(cause.requestedBy ? { requestedBy: cause.requestedBy } : {}),
    };
    // The first attempt records SCAN_STARTED (and finds out whether the asset is still approved);
    // retries, and the first attempt resumed after an engine outage, only check, so the trail
    // holds one start per rescan.
    const asset =
      attempt.number === 1 && !attempt.resumed
        ? await this.lifecycle.transition('rescanStarted', assetId, { detail: { ...detail, attempt: 1 } })
        : await this.stillApproved(assetId);
    if (!asset) return { kind: 'skipped' };

    const startedAt = Date.now();
    const verdict = await this.scans.scanObject(asset, attempt.signal);
    const durationMs = Date.now() - startedAt;
    this.observer?.attempted(verdict.engine, verdict.outcome, durationMs);
    const result = scanResultOf(verdict, durationMs, attempt.number);

    switch (verdict.outcome) {
      case 'clean': {
        const clean = await this.lifecycle.transition('rescannedClean', assetId, {
          changes: { scanResult: result },
          detail: { ...detail, ...verdictDetail(result) },
        });
        if (clean)
          this.logger.info({ assetId, engine: result.engine, trigger: cause.trigger }, 'rescan clean');
        return clean ? { kind: 'decided', scanStatus: ScanStatus.CLEAN } : { kind: 'skipped' };
      }
      case 'infected':
        return (await this.quarantine(asset, result, detail))
          ? { kind: 'decided', scanStatus: ScanStatus.INFECTED }
          : { kind: 'skipped' };
      case 'error':
        if (verdict.unavailable && attempt.waitForEngine)
          throw new ScannerUnavailable(verdict.reason, verdict.retryAfterMs);
        if (!attempt.isLast) throw new ScanAttemptFailed(verdict.reason);
        await this.recordRescanError(assetId, result, cause);
        return { kind: 'decided', scanStatus: 'UNDECIDED' };
    }
  }

  /**
   * A rescan that could not decide after its retries (or whose job was given up): the asset stays
   * APPROVED, as it was before the rescan, and the trail says the rescan failed.
   */
  async recordRescanError(assetId: string, scanResult: ScanResultData, cause: RescanCause): Promise<void> {
    const recorded = await this.lifecycle.transition('rescanFailed', assetId, {
      detail: { rescan: true, trigger: cause.trigger, ...verdictDetail(scanResult) },
    });
    if (recorded) {
      this.logger.warn(
        { assetId, engine: scanResult.engine, reason: scanResult.error },
        'rescan failed; asset stays approved',
      );
    }
  }

  private async quarantine(
    asset: IpAsset,
    result: ScanResultData,
    detail: Record<string, unknown>,
  ): Promise<boolean> {
    const rejected = await this.scans.quarantine(asset, result, {
      transition: 'rescannedInfected',
      changes: { thumbnailKey: null, thumbnailStatus: ThumbnailStatus.NONE },
      detail,
    });
    if (!rejected) return false;
    // After the transition, so a thumbnail is never missing from an asset still approved.
    if (asset.thumbnailKey) {
      await this.storage
        .delete(asset.thumbnailKey)
        .catch((err: unknown) =>
          this.logger.warn(
            { err, assetId: asset.id },
            'could not delete the thumbnail of a quarantined asset',
          ),
        );
    }
    return true;
  }

  private async stillApproved(assetId: string): Promise<IpAsset | null> {
    const asset = await this.assets.findById(assetId);
    return asset && asset.status === AssetStatus.APPROVED && asset.scanStatus === ScanStatus.CLEAN
      ? asset
      : null;
  }
}
