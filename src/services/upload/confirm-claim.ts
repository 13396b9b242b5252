import { setTimeout as sleep } from 'node:timers/promises';
import { AssetStatus, type IpAsset } from '../../entities/ip-asset.entity';
import { AssetRowLocked, type AssetRepository, type Db } from '../../repositories/asset.repository';
import type { AssetLifecycle } from '../lifecycle/asset-lifecycle';

/** What {@link claimDraft} hands back. */
export type Claim<T> =
  /** This caller held the row while `work` ran; its writes committed with `result`. */
  | { claimed: true; result: T }
  /** The asset is no DRAFT (any more), or is gone: `current` is the answer everyone gets. */
  | { claimed: false; current: IpAsset | null };

export interface ClaimOptions {
  /** Give up waiting for another holder after this long (then `current` is still the DRAFT). */
  maxWaitMs: number;
  /** First pause between looks at a row another caller holds; doubles up to 200 ms. */
  firstPauseMs?: number;
}

/**
 * Runs `work` on a DRAFT asset while holding its row lock, in one transaction of the state
 * machine, so that of many concurrent callers on any number of replicas exactly one touches
 * storage and makes the transition, and the rest get the asset as that one left it. The lock is
 * taken without waiting; a caller that finds it held releases its connection and looks again a
 * little later, until the holder has settled the asset (or given up, then it tries the lock itself).
 * `work` must do its database writes through the `db` it is given.
 */
export async function claimDraft<T>(
  lifecycle: AssetLifecycle,
  assets: AssetRepository,
  assetId: string,
  work: (draft: IpAsset, db: Db) => Promise<T>,
  options: ClaimOptions,
): Promise<Claim<T>> {
  const deadline = Date.now() + options.maxWaitMs;
  let pauseMs = options.firstPauseMs ?? 10;
  for (;;) {
    try {
      return await lifecycle.transaction(async (db): Promise<Claim<T>> => {
        const draft = await assets.lockForUpdate(assetId, db);
        if (!draft || draft.status !== AssetStatus.DRAFT) return { claimed: false, current: draft };
        return { claimed: true, result: await work(draft, db) };
      });
    } catch (error) {
      if (!(error instanceof AssetRowLocked)) throw error;
    }
    const current = await assets.findById(assetId);
    if (!current || current.status !== AssetStatus.DRAFT || Date.now() >= deadline) {
      return { claimed: false, current };
    }
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 2, 200);
  }
}
