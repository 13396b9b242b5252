import { DelayedError, type Job } from 'bullmq';
import type { Logger } from '../logger';
import type { RescanService } from '../services/scan/rescan.service';
import { ScannerUnavailable, type ScanService } from '../services/scan/scan.service';
import { withTimeout } from '../with-timeout';
import type { JobPayloads, QueueName } from './queues';

type ScanJob = Job<JobPayloads[typeof QueueName.VirusScan]>;

/** Probes of an unreachable engine: after 1 s, doubling to every 15 s, so a healed engine is used soon. */
const PROBE_FIRST_DELAY_MS = 1000;
const PROBE_MAX_DELAY_MS = 15_000;
const PROBE_TIMEOUT_MS = 5000;

/** How the processor waits for an engine that cannot be reached. */
export interface EngineWait {
  /** Resolves when the engine answers (Scanner.ping). */
  probe(): Promise<unknown>;
  /**
   * SCAN_UNAVAILABLE_RETRY_SECONDS: after an outage this long, failures count as attempts again
   * (0: at once, as any failure).
   */
  horizonMs: number;
}

/**
 * The `asset-virus-scan` processor: one attempt at deciding one asset, or at scanning an
 * approved one again (a `rescan` job, queued at a lower priority).
 *
 * An engine that cannot be reached is no verdict: the job is delayed (no attempt spent) and,
 * before it claims the asset again, probes the engine, until it answers or the outage has
 * lasted `horizonMs`.
 */
export function virusScanProcessor(
  scans: ScanService,
  rescans: RescanService,
  logger: Logger,
  wait: EngineWait,
) {
  return async (job: ScanJob, token?: string, signal?: AbortSignal): Promise<string> => {
    const attempts = job.opts.attempts ?? 1;
    const since = job.data.engineUnavailableSince;
    const waitForEngine = wait.horizonMs > 0 && (since === undefined || Date.now() - since < wait.horizonMs);
    const attempt = {
      number: job.attemptsMade + 1,
      isLast: job.attemptsMade + 1 >= attempts,
      waitForEngine,
      // Put off without spending an attempt, so attemptsMade alone cannot tell.
      resumed: since !== undefined,
      signal,
    };
    const log = logger.child({ jobId: job.id, assetId: job.data.assetId, attempt: attempt.number });
    if (since !== undefined && waitForEngine) {
      const answers = await withTimeout(wait.probe(), PROBE_TIMEOUT_MS, 'scanner probe').then(
        () => true,
        () => false,
      );
      if (!answers) return delayForEngine(job, token, log);
    }
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
      if (error instanceof ScannerUnavailable) return delayForEngine(job, token, log, error);
      // The engine answered this time: a later outage is a new one.
      if (since !== undefined) await job.updateData(withoutWait(job.data));
      log.warn({ err: error }, 'scan attempt failed; will retry');
      throw error;
    }
  };
}

async function delayForEngine(
  job: ScanJob,
  token: string | undefined,
  log: Logger,
  error?: ScannerUnavailable,
): Promise<never> {
  const probes = (job.data.engineProbes ?? 0) + 1;
  const since = job.data.engineUnavailableSince ?? Date.now();
  await job.updateData({ ...job.data, engineUnavailableSince: since, engineProbes: probes });
  const delayMs = Math.max(
    error?.retryAfterMs ?? 0,
    Math.min(PROBE_FIRST_DELAY_MS * 2 ** (probes - 1), PROBE_MAX_DELAY_MS),
  );
  if (probes === 1) {
    log.warn({ reason: error?.message, delayMs }, 'scan engine unreachable; the scan waits for it');
  } else {
    log.debug({ probes, delayMs, waitingMs: Date.now() - since }, 'scan engine still unreachable');
  }
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}

function withoutWait(data: JobPayloads[typeof QueueName.VirusScan]): JobPayloads[typeof QueueName.VirusScan] {
  const { engineUnavailableSince: _since, engineProbes: _probes, ...rest } = data;
  return rest;
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
