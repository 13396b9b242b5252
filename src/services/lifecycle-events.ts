import type { IpAsset } from '../entities/ip-asset.entity';
import type { Logger } from '../logger';
import type { RejectionReason, UploadEventSink, UploadEventType } from './analytics/upload-event';
import { toAssetStateEvent, type AssetEventPublisher } from './asset-events';

/**
 * Where every state change of an asset is announced: to live subscribers (pub/sub) and to
 * analytics. Neither may fail the change itself, which is already committed.
 */
export class LifecycleEvents {
  constructor(
    private readonly publisher: AssetEventPublisher,
    private readonly analytics: UploadEventSink,
    private readonly logger: Logger,
  ) {}

  /** Publishes the asset's new state; resolves once sent, so events keep their order. */
  async published(asset: IpAsset): Promise<void> {
    await this.publisher
      .publish(toAssetStateEvent(asset))
      .catch((error) =>
        this.logger.warn({ err: error, assetId: asset.id }, 'could not publish state change'),
      );
  }

  /** Counts a lifecycle event; fire and forget (the sink never throws). */
  track(type: UploadEventType, asset: IpAsset, reason?: RejectionReason): void {
    void this.analytics.track({
      type,
      assetId: asset.id,
      userId: asset.createdBy,
      mimeType: asset.mimeType,
      fileSize: asset.fileSize,
      reason,
    });
  }
}
