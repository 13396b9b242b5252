import { createHash } from 'node:crypto';
import {
  AssetStatus,
  type IpAsset,
  type ScanResultData,
  type ScanStatus,
} from '../../entities/ip-asset.entity';
import type { WebhookBody, WebhookEventType } from '../../webhooks/webhook-body';

/** One change of one asset, as far as webhooks care. */
export interface FinalStateChange {
  assetId: string;
  status: AssetStatus;
  scanStatus: ScanStatus;
  scanResult: ScanResultData | null;
  /** Identifies the change: a webhook for the same change always has the same webhook-id. */
  stateVersion: number;
  at: string;
  /** Why it was rejected, as the event recorded it; the row's reason otherwise. */
  reason?: string | null;
}

/**
 * The body for a final state change, with the asset's fixed facts (name, owner, type, size,
 * reason) from its row; null for a state receivers are not told about.
 */
export function webhookBodyFor(
  change: FinalStateChange,
  asset: Pick<IpAsset, 'createdBy' | 'fileName' | 'mimeType' | 'fileSize' | 'rejectionReason'>,
): WebhookBody | null {
  const type = eventTypeOf(change.status);
  if (!type) return null;
  return {
    type,
    timestamp: change.at,
    data: {
      assetId: change.assetId,
      status: change.status,
      scanStatus: change.scanStatus,
      ownerId: asset.createdBy,
      fileName: asset.fileName,
      mimeType: asset.mimeType,
      fileSize: asset.fileSize,
      reason:
        change.status === AssetStatus.REJECTED ? (change.reason ?? asset.rejectionReason ?? null) : null,
      threats: (change.scanResult?.threats ?? []).map(({ name, engine }) => ({ name, engine })),
    },
  };
}

function eventTypeOf(status: AssetStatus): WebhookEventType | null {
  if (status === AssetStatus.APPROVED) return 'asset.approved';
  if (status === AssetStatus.REJECTED) return 'asset.rejected';
  return null;
}

/**
 * `webhook-id`: the same for every try of one change to one endpoint, different otherwise, so
 * receivers de-duplicate on it. It is also the job id, so a repeated dispatch queues nothing new.
 */
export function webhookIdFor(
  change: Pick<FinalStateChange, 'assetId' | 'stateVersion'>,
  endpointId: string,
): string {
  const digest = createHash('sha256')
    .update(`${change.assetId}/${change.stateVersion}/${endpointId}`)
    .digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}
