import type { Job } from 'bullmq';
import type { Logger } from '../logger';
import type { RescanService } from '../services/scan/rescan.service';
import type { ScanService } from '../services/scan/scan.service';
import type { JobPayloads, QueueName } from './queues';

type ScanJob = Job<JobPayloads[typeof QueueName.VirusScan]>;

/**
 * The `asset-virus-scan` processor: one attempt at deciding one asset, or at scanning an
 * approved one again (a `rescan` job, queued at a lower priority).
 */
export function virusScanProcessor(scans: ScanService, rescans: RescanService, logger: Logger) {
  return async (job: ScanJob, _token?: string, signal?: AbortSignal): Promise<string> => {
    const attempts = job.opts.attempts ?? 1;
    const attempt = { number: job.attemptsMade + 1, isLast: job.attemptsMade + 1 >= attempts, signal };
    const log = logger.child({ jobId: job.id, assetId: job.data.assetId, attempt: attempt.number });
    try {
      const { assetId, rescan } = job.data;
      const outcome = rescan
        ? await rescans.rescan(assetId, rescan, attempt)
        : await scans.scan(assetId, attempt);
      if (outcome.kind === 'skipped') {
        log.debug('asset already decided or gone; nothing to do');
        return 'skipped';
      }
      return outcome.scanStatus;
    } catch (error) {
      log.warn({ err: error }, 'scan attempt failed; will retry');
      throw error;
    }
  };
}

/**
 * Called when BullMQ gives a scan job up for good (its attempts spent, or stalled too often):
 * the asset must not stay PROCESSING, so it is rejected with the last error. A given-up rescan
 * leaves its asset approved and records that it failed.
 */
export async function onScanJobGivenUp(
  scans: ScanService,
  rescans: RescanService,
  job: ScanJob | undefined,
  error: Error,
): Promise<void> {
  if (!job) return;
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade < attempts && !/stalled/i.test(error.message)) return;
  const result = {
    engine: 'scanner',
    threats: [],
    scannedAt: new Date().toISOString(),
    durationMs: 0,
    attempts: job.attemptsMade,
    error: error.message,
  };
  if (job.data.rescan) await rescans.recordRescanError(job.data.assetId, result, job.data.rescan);
  else await scans.recordScanError(job.data.assetId, result);
}
