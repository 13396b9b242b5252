import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../pubsub/redis-client';
import type { WebhookBody } from '../webhooks/webhook-body';

/** Queue names; part of the operating surface (bull-board, dashboards), so they never change. */
export const QueueName = {
  VirusScan: 'asset-virus-scan',
  Thumbnail: 'thumbnail',
  Cleanup: 'upload-cleanup',
  Webhook: 'webhook-delivery',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Why an approved asset is scanned again (job name `rescan` on the scan queue). */
export interface RescanRequest {
  trigger: 'admin' | 'signature-update';
  /** The admin who asked, for the audit trail. */
  requestedBy?: string;
}

/** After a signature update: which engine's version to bring approved assets up to. */
export interface RescanSweepPayload {
  engine: string;
  version: string;
}

/**
 * BullMQ priorities on the scan queue (lower runs first): a rescan wave waits behind every new
 * upload, so it never delays a user's scan.
 */
export const ScanPriority = { Upload: 1, Rescan: 100 } as const;

/** Job names on the `upload-cleanup` queue; each has its own scheduler, so one run per tick. */
export const MaintenanceJob = {
  Cleanup: 'cleanup',
  ScanWatchdog: 'scan-watchdog',
  RescanSweep: 'rescan-sweep',
} as const;

/** Job payloads carry ids only: processors re-read the row, so retries and duplicates are harmless. */
export interface JobPayloads {
  [QueueName.VirusScan]: {
    assetId: string;
    rescan?: RescanRequest;
    /** Set while the job waits out an engine outage: when it began (ms), and probes so far. */
    engineUnavailableSince?: number;
    engineProbes?: number;
  };
  [QueueName.Thumbnail]: { assetId: string };
  [QueueName.Cleanup]: { dryRun: boolean; trigger: 'schedule' | 'admin' };
  /**
   * The endpoint by id, never by URL (the worker looks the URL up in its configuration); the body
   * is the event as it was when it happened, so a late try still tells what happened then.
   */
  [QueueName.Webhook]: { webhookId: string; endpointId: string; body: WebhookBody };
}

export interface QueueSettings {
  /** BullMQ key prefix, so several deployments or test runs can share one Redis. */
  prefix: string;
  scanAttempts: number;
  scanBackoffMs: number;
  webhookAttempts: number;
  /** First retry delay of a webhook delivery; each next one doubles. */
  webhookBackoffMs: number;
}

/** The producer side of every queue, shared by the API (enqueue) and workers (follow-up jobs). */
export class JobQueues {
  readonly scan: Queue<JobPayloads[typeof QueueName.VirusScan]>;
  readonly thumbnail: Queue<JobPayloads[typeof QueueName.Thumbnail]>;
  readonly cleanup: Queue<JobPayloads[typeof QueueName.Cleanup]>;
  readonly webhook: Queue<JobPayloads[typeof QueueName.Webhook]>;

  constructor(
    connection: RedisClient,
    private readonly settings: QueueSettings,
  ) {
    const options = { connection, prefix: settings.prefix };
    this.scan = new Queue(QueueName.VirusScan, options);
    this.thumbnail = new Queue(QueueName.Thumbnail, options);
    this.cleanup = new Queue(QueueName.Cleanup, options);
    this.webhook = new Queue(QueueName.Webhook, options);
  }

  get all(): Queue[] {
    return [this.scan, this.thumbnail, this.cleanup, this.webhook] as Queue[];
  }

  /**
   * Queues webhook deliveries, one job per event and endpoint. The job id is the webhook-id, so
   * the same event dispatched again (the outbox delivers at least once) queues nothing new.
   */
  async enqueueWebhooks(deliveries: readonly JobPayloads[typeof QueueName.Webhook][]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.webhook.addBulk(
      deliveries.map((data) => ({
        name: 'deliver',
        data,
        opts: {
          jobId: data.webhookId,
          attempts: this.settings.webhookAttempts,
          backoff: { type: 'exponential', delay: this.settings.webhookBackoffMs },
          // Kept a day, so a late repeat of the same event still finds its job and collapses into it.
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  }

  /** Queues the virus scan of a confirmed asset; the asset id is the job id, so it is queued once. */
  async enqueueScan(assetId: string): Promise<void> {
    await this.scan.add('scan', { assetId }, this.scanJobOptions(assetId));
  }

  /**
   * Queues a scan again for an asset whose job is gone or finished without deciding it
   * (the watchdog's repair). A finished job with the same id would swallow a plain add.
   */
  async requeueScan(assetId: string): Promise<'queued' | 'already-queued'> {
    return this.requeue(this.scan as Queue, assetId, () => this.enqueueScan(assetId));
  }

  async requeueThumbnail(assetId: string): Promise<'queued' | 'already-queued'> {
    return this.requeue(this.thumbnail as Queue, assetId, () => this.enqueueThumbnail(assetId));
  }

  private async requeue(
    queue: Queue,
    jobId: string,
    add: () => Promise<void>,
  ): Promise<'queued' | 'already-queued'> {
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        return 'already-queued';
      }
      await existing.remove();
    }
    await add();
    return 'queued';
  }

  /**
   * Queues a rescan of one approved asset at rescan priority. `key` tells rescans apart: one per
   * asset and signature version for a sweep (so a repeated sweep queues nothing new), a fresh
   * one per admin request.
   */
  async enqueueRescans(assetIds: readonly string[], request: RescanRequest, key: string): Promise<void> {
    if (assetIds.length === 0) return;
    await this.scan.addBulk(
      assetIds.map((assetId) => ({
        name: 'rescan',
        data: { assetId, rescan: request },
        opts: { ...this.scanJobOptions(`rescan-${assetId}-${key}`), priority: ScanPriority.Rescan },
      })),
    );
  }

  /** Queues the sweep that re-queues recently approved assets after a signature update, once per version. */
  async enqueueRescanSweep(sweep: RescanSweepPayload, key: string): Promise<void> {
    await (this.cleanup as Queue).add(MaintenanceJob.RescanSweep, sweep, {
      jobId: `rescan-sweep-${key}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { age: 30 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  async enqueueThumbnail(assetId: string): Promise<void> {
    await this.thumbnail.add(
      'thumbnail',
      { assetId },
      {
        jobId: assetId,
        attempts: 2,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((queue) => queue.close()));
  }

  private scanJobOptions(jobId: string): JobsOptions {
    return {
      jobId,
      priority: ScanPriority.Upload,
      attempts: this.settings.scanAttempts,
      backoff: { type: 'exponential', delay: this.settings.scanBackoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }
}
