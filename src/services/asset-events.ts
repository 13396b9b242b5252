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

/** An event as subscribers receive it: the published JSON with its dates as dates again. */
export interface AssetStatusUpdate extends Omit<AssetStateEvent, 'scanResult' | 'at'> {
  scanResult: (Omit<ScanResultData, 'scannedAt'> & { scannedAt: Date }) | null;
  at: Date;
}

/** Made once per event and shared by every subscriber that receives it: treat it as read-only. */
export function toAssetStatusUpdate(event: AssetStateEvent): AssetStatusUpdate {
  return {
    ...event,
    scanResult: event.scanResult
      ? { ...event.scanResult, scannedAt: new Date(event.scanResult.scannedAt) }
      : null,
    at: new Date(event.at),
  };
}

/** Where state changes go; the Redis implementation fans them out to every API replica. */
export interface AssetEventPublisher {
  publish(event: AssetStateEvent): Promise<void>;
}
