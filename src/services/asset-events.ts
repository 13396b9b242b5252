import {
  AssetStatus,
  ThumbnailStatus,
  type IpAsset,
  type ScanResultData,
  type ScanStatus,
} from '../entities/ip-asset.entity';

/** One state change of an asset, as published to subscribers (JSON over Redis, so dates are strings). */
export interface AssetStateEvent {
  assetId: string;
  status: AssetStatus;
  scanStatus: ScanStatus;
  scanResult: ScanResultData | null;
  stateVersion: number;
  /** True when nothing more will happen to this asset. */
  final: boolean;
  at: string;
}

/**
 * An asset is done when it is rejected, or approved with its thumbnail settled (made, failed,
 * or not needed), so subscribers get the thumbnail with the last event.
 */
function isFinalState(asset: Pick<IpAsset, 'status' | 'thumbnailStatus'>): boolean {
  if (asset.status === AssetStatus.REJECTED) return true;
  return asset.status === AssetStatus.APPROVED && asset.thumbnailStatus !== ThumbnailStatus.PENDING;
}

export function toAssetStateEvent(asset: IpAsset): AssetStateEvent {
  return {
    assetId: asset.id,
    status: asset.status,
    scanStatus: asset.scanStatus,
    scanResult: asset.scanResult ?? null,
    stateVersion: asset.stateVersion,
    final: isFinalState(asset),
    at: asset.updatedAt.toISOString(),
  };
}

/** Where state changes go; the Redis implementation fans them out to every API replica. */
export interface AssetEventPublisher {
  publish(event: AssetStateEvent): Promise<void>;
}
