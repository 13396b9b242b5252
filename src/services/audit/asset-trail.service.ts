import { ERRORS } from '../../errors';
import type { AssetEventRow } from '../../repositories/asset-event.repository';
import type { Actor } from '../actor';

/** Reads an asset's trail, oldest first (the asset_event repository fits). */
export interface AssetTrailReader {
  listForAsset(assetId: string): Promise<AssetEventRow[]>;
  latestOfTypes(types: readonly string[], limit: number): Promise<AssetEventRow[]>;
}

/** What the admin's security feed shows: detections, failed scans and rescans, refusals. */
export const SECURITY_EVENT_TYPES = ['SCANNED_INFECTED', 'SCAN_ERROR', 'RESCAN_FAILED', 'REJECTED'] as const;
/** The most a security feed read returns. */
export const SECURITY_FEED_MAX = 100;

/** Who owns an asset that still exists (the asset repository fits). */
export interface AssetOwnerLookup {
  findById(assetId: string): Promise<{ createdBy: string } | null>;
}

/**
 * The audit trail as clients see it (`assetEvents`). Owners read the trail of an asset that
 * still exists; admins also read it after the cleanup deleted the row, until retention prunes
 * it. Anything else looks exactly like a missing asset.
 */
export class AssetTrailService {
  constructor(
    private readonly assets: AssetOwnerLookup,
    private readonly events: AssetTrailReader,
  ) {}

  async eventsOf(actor: Actor, assetId: string): Promise<AssetEventRow[]> {
    if (actor.role !== 'ADMIN') {
      const asset = await this.assets.findById(assetId);
      if (!asset || asset.createdBy !== actor.userId) throw ERRORS.notFound();
    }
    const events = await this.events.listForAsset(assetId);
    if (events.length === 0) throw ERRORS.notFound();
    return events;
  }

  /** Admin. The newest security events across all assets, newest first. */
  async latestSecurityEvents(actor: Actor, limit: number): Promise<AssetEventRow[]> {
    if (actor.role !== 'ADMIN') throw ERRORS.forbidden();
    return this.events.latestOfTypes(SECURITY_EVENT_TYPES, Math.min(Math.max(limit, 1), SECURITY_FEED_MAX));
  }
}
