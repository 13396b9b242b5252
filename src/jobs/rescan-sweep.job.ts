import { createHash } from 'node:crypto';
import type { Logger } from '../logger';
import type { AssetRepository } from '../repositories/asset.repository';
import type { JobQueues, RescanSweepPayload } from './queues';

/** Ids per page: the sweep holds one page in memory, whatever the number of assets. */
const BATCH = 500;

/** Identifies one signature version of one engine in job ids (which must not contain ':'). */
export function signatureVersionKey(engine: string, version: string): string {
  return createHash('sha256').update(`${engine}\n${version}`).digest('hex').slice(0, 24);
}

/**
 * After `engine`'s signatures changed to `version`: queues a rescan, at rescan priority, of every
 * asset approved within `days` whose last scan used an older version. Each rescan's job id names
 * the asset and the version, so a sweep that runs again (a retry, another worker) queues nothing
 * twice. `days` = 0 turns it off.
 */
export async function runRescanSweep(
  assets: Pick<AssetRepository, 'findRescanCandidates'>,
  queues: Pick<JobQueues, 'enqueueRescans'>,
  sweep: RescanSweepPayload,
  days: number,
  logger: Logger,
): Promise<{ queued: number }> {
  if (days <= 0) return { queued: 0 };
  const key = signatureVersionKey(sweep.engine, sweep.version);
  const approvedSince = new Date(Date.now() - days * 24 * 3600 * 1000);
  let after: { approvedAt: Date; id: string } | undefined;
  let queued = 0;
  for (;;) {
    const page = await assets.findRescanCandidates({ ...sweep, approvedSince, after, limit: BATCH });
    await queues.enqueueRescans(
      page.map((row) => row.id),
      { trigger: 'signature-update' },
      key,
    );
    queued += page.length;
    if (page.length < BATCH) break;
    const last = page[page.length - 1]!;
    after = { approvedAt: last.approvedAt, id: last.id };
  }
  logger.info(
    { engine: sweep.engine, version: sweep.version, queued, days },
    'rescans queued after a signature update',
  );
  return { queued };
}
