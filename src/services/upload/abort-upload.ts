import { AssetStatus, type IpAsset } from '../../entities/ip-asset.entity';
import { ERRORS } from '../../errors';
import type { Logger } from '../../logger';
import type { AssetRepository } from '../../repositories/asset.repository';
import type { StorageAdapter } from '../../storage/storage.adapter';
import type { Actor } from '../actor';
import type { AssetLifecycle } from '../lifecycle/asset-lifecycle';
import { RejectionReason } from '../analytics/upload-event';
import { claimDraft } from './confirm-claim';
import { storageKeys } from './file-name';

/** How long an abort waits for a confirm that holds the asset. */
const ABORT_CLAIM_WAIT_MS = 10 * 60_000;

/**
 * `abortUpload`: ends an unconfirmed upload of either kind. Under the asset's row lock (so it
 * never races a confirm), the storage multipart upload is aborted and any uploaded object
 * deleted, then the asset becomes REJECTED "Upload cancelled" through the lifecycle (published,
 * counted, in the audit trail). Idempotent: a cancelled asset is returned as it is.
 */
export class UploadAborter {
  constructor(
    private readonly assets: AssetRepository,
    private readonly storage: StorageAdapter,
    private readonly lifecycle: AssetLifecycle,
    private readonly logger: Logger,
  ) {}

  async abort(actor: Actor, assetId: string): Promise<IpAsset> {
    const asset = await this.assets.findById(assetId);
    if (!asset || asset.createdBy !== actor.userId) throw ERRORS.notFound();
    const claim = await claimDraft(
      this.lifecycle,
      this.assets,
      asset.id,
      async (draft, db) => {
        await this.freeBytes(draft);
        return this.lifecycle.transition('cancel', draft.id, {
          actor,
          detail: { multipart: draft.multipartUploadId ? true : false },
          db,
        });
      },
      { maxWaitMs: ABORT_CLAIM_WAIT_MS },
    );
    const current = claim.claimed ? claim.result : claim.current;
    if (!current) throw ERRORS.notFound();
    if (
      current.status === AssetStatus.REJECTED &&
      current.rejectionReason === RejectionReason.UploadCancelled
    ) {
      if (claim.claimed) this.logger.info({ assetId, userId: actor.userId }, 'upload cancelled');
      return current;
    }
    if (current.status === AssetStatus.DRAFT) throw new Error(`abort of draft ${assetId} changed nothing`);
    throw ERRORS.badInput(
      'assetId',
      'this upload has already been confirmed or rejected; it cannot be cancelled',
    );
  }

  private async freeBytes(draft: IpAsset): Promise<void> {
    if (draft.multipartUploadId) {
      await this.storage.abortMultipartUpload(draft.storageKey, draft.multipartUploadId);
    }
    // A multipart upload's key is the asset's own: an object there was completed by a confirm
    // that failed afterwards, and goes too.
    await this.storage.delete(storageKeys.uploadOf(draft));
  }
}
