import type { IpAsset } from '../../entities/ip-asset.entity';
import { ERRORS } from '../../errors';
import type { AssetRepository } from '../../repositories/asset.repository';
import type { Actor } from '../actor';
import type { AssetLifecycle, EventDetail } from '../lifecycle/asset-lifecycle';

/**
 * `UPLOAD_USER_QUOTA_BYTES`: a user's bytes (assets not REJECTED, which includes the declared
 * size of unconfirmed uploads) may not pass the quota. The check and the insert of the new DRAFT
 * run in one transaction holding the user's advisory lock, so concurrent initiates on any number
 * of replicas are counted one after another and none overshoots. 0 means no quota.
 */
export class UploadQuota {
  constructor(
    private readonly assets: AssetRepository,
    private readonly lifecycle: AssetLifecycle,
    private readonly quotaBytes: number,
  ) {}

  /**
   * Throws QUOTA_EXCEEDED when `bytes` clearly do not fit, before anything is created in storage
   * (a multipart upload); {@link createWithinQuota} still decides under the lock.
   */
  async assertRoom(actor: Actor, bytes: number): Promise<void> {
    if (this.quotaBytes <= 0) return;
    const used = await this.assets.ownerBytes(actor.userId);
    if (used + bytes > this.quotaBytes)
      throw ERRORS.quotaExceeded(Math.max(this.quotaBytes - used, 0), this.quotaBytes);
  }

  /** Stores `asset` (DRAFT) with its INITIATED event, or throws QUOTA_EXCEEDED. */
  async createWithinQuota(actor: Actor, asset: IpAsset, detail: EventDetail): Promise<IpAsset> {
    if (this.quotaBytes <= 0) return this.lifecycle.create(actor, asset, detail);
    return this.lifecycle.transaction(async (db) => {
      const used = await this.assets.lockOwnerBytes(actor.userId, db);
      if (used + asset.fileSize > this.quotaBytes) {
        throw ERRORS.quotaExceeded(Math.max(this.quotaBytes - used, 0), this.quotaBytes);
      }
      return this.lifecycle.create(actor, asset, detail, db);
    });
  }
}
