import { AssetStatus } from '../entities/ip-asset.entity';
import type { Logger } from '../logger';
import type { AssetRepository } from '../repositories/asset.repository';
import type { JobQueues } from './queues';

const BATCH = 500;

/**
 * Finds assets that should be moving but are not (confirmed with no live scan job, e.g. Redis
 * lost it or the enqueue after confirm failed; thumbnails never finished) and queues them again.
 */
export async function runScanWatchdog(
  assets: AssetRepository,
  queues: JobQueues,
  stuckAfterMs: number,
  logger: Logger,
): Promise<{ requeued: number }> {
  const stalled = await assets.findStalled(new Date(Date.now() - stuckAfterMs), BATCH);
  let requeued = 0;
  for (const asset of stalled) {
    if (asset.status === AssetStatus.PROCESSING) {
      if ((await queues.requeueScan(asset.id)) === 'queued') requeued++;
    } else if ((await queues.requeueThumbnail(asset.id)) === 'queued') {
      requeued++;
    }
  }
  if (requeued) logger.warn({ requeued }, 'watchdog re-queued stalled assets');
  return { requeued };
}
