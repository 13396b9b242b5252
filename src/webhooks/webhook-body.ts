import type { AssetStatus, ScanStatus } from '../entities/ip-asset.entity';

/** The final states receivers hear about. */
export type WebhookEventType = 'asset.approved' | 'asset.rejected';

/** The body of every webhook, exactly as CONTRACT.md describes it. */
export interface WebhookBody {
  type: WebhookEventType;
  /** When the asset reached this state (not when the try was sent: that is `webhook-timestamp`). */
  timestamp: string;
  data: {
    assetId: string;
    status: AssetStatus;
    scanStatus: ScanStatus;
    ownerId: string;
    fileName: string;
    mimeType: string;
    fileSize: number;
    /** Why it was rejected; null when approved. */
    reason: string | null;
    threats: { name: string; engine: string }[];
  };
}
