import type { Job } from 'bullmq';
import type { Logger } from '../logger';
import type { ThumbnailService } from '../services/scan/thumbnail.service';
import type { JobPayloads, QueueName } from './queues';

/** The `thumbnail` processor; CPU-heavy, so it runs on its own queue and never holds a scan lock. */
export function thumbnailProcessor(thumbnails: ThumbnailService, logger: Logger) {
  return async (job: Job<JobPayloads[typeof QueueName.Thumbnail]>): Promise<string> => {
    const isLast = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await thumbnails.make(job.data.assetId, { isLast });
    logger.debug({ jobId: job.id, assetId: job.data.assetId, result }, 'thumbnail job finished');
    return result;
  };
}
