import { AssetStatus } from '../entities/ip-asset.entity';
import type { Logger } from '../logger';
import type { AssetRepository } from '../repositories/asset.repository';
import type { JobQueues } from './queues';

const BATCH = 500;

/**
 * Finds assets that should be moving but are not (confirmed with no live scan job, e.g. Redis
 * lost it or the enqueue after confirm failed; thumbnails never finished) and queues them again.
 * Pages through all of them: after a Redis restart that may be every asset in flight.
 */
export async function runScanWatchdog(
  assets: AssetRepository,
  queues: JobQueues,
  stuckAfterMs: number,
  logger: Logger,
): Promise<{ requeued: number }> {
  const before = new Date(Date.now() - stuckAfterMs);
  let requeued = 0;
  let after: { updatedAt: Date; id: string } | undefined;
  for (;;) {
    const stalled = await assets.findStalled(before, BATCH, after);
    for (const asset of stalled) {
      if (asset.status === AssetStatus.PROCESSING) {
        if ((await queues.requeueScan(asset.id)) === 'queued') requeued++;
      } else if ((await queues.requeueThumbnail(asset.id)) === 'queued') {
        requeued++;
      }
    }
    if (stalled.length < BATCH) break;
    const last = stalled.at(-1)!;
    after = { updatedAt: last.updatedAt, id: last.id };
  }
  if (requeued) logger.warn({ requeued }, 'watchdog re-queued stalled assets');
  return { requeued };
}

/**
 * Runs the watchdog on a timer of this worker process, not as a job scheduled in Redis: it is
 * what repairs Redis losing its jobs, so it must not be lost with them. Every worker runs it;
 * re-queueing is idempotent (job id = asset id). Runs never overlap within a process.
 */
export class ScanWatchdogTimer {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: {
      assets: AssetRepository;
      queues: JobQueues;
      intervalMs: number;
      stuckAfterMs: number;
      logger: Logger;
    },
  ) {
    this.timer = setInterval(() => void this.run(options.stuckAfterMs), options.intervalMs);
    this.timer.unref();
  }

  /**
   * One pass now, after the current one. `stuckAfterMs` 0 takes every asset in flight whose job
   * is gone (after a Redis restart, when nothing queued survived).
   */
  run(stuckAfterMs = this.options.stuckAfterMs): Promise<unknown> {
    const { assets, queues, logger } = this.options;
    this.running = this.running.then(() =>
      runScanWatchdog(assets, queues, stuckAfterMs, logger).catch((error: unknown) =>
        logger.warn({ err: error }, 'scan watchdog run failed; it runs again at the next tick'),
      ),
    );
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
