import { Worker, type Job, type Processor } from 'bullmq';
import type { RedisClient } from '../pubsub/redis-client';
import { connectRedis } from '../app/redis';
import type { AppServices } from '../app/services';
import { MaintenanceJob, QueueName, type JobPayloads, type RescanSweepPayload } from './queues';
import { runRescanSweep } from './rescan-sweep.job';
import { runScanWatchdog, ScanWatchdogTimer } from './scan-watchdog.job';
import { thumbnailProcessor } from './thumbnail.job';
import { onScanJobGivenUp, virusScanProcessor } from './virus-scan.job';
import { onWebhookGivenUp, webhookDeliveryProcessor } from './webhook-delivery.job';

/** Upper bound on waiting for active jobs at shutdown; BullMQ's close() alone can wait forever. */
const WORKER_CLOSE_TIMEOUT_MS = 10_000;

/** How often each worker checks that the job schedules still exist in Redis. */
const SCHEDULE_CHECK_INTERVAL_MS = 60_000;

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

/** Starts the scan, thumbnail and maintenance workers of this process, and the schedules. */
export async function startWorkers(services: AppServices): Promise<RunningWorkers> {
  const { config, logger, queues, assets, scanner } = services;
  const { scans, rescans, thumbnails, signatureWatch } = services.scanning;
  const log = logger.child({ component: 'worker' });
  // Workers block on Redis, so they need a connection that never gives up on a command.
  const connection = await connectRedis(config.redis, log, { forWorkers: true });
  const prefix = config.redis.queuePrefix;

  const scanWorker = new Worker<JobPayloads[typeof QueueName.VirusScan]>(
    QueueName.VirusScan,
    virusScanProcessor(scans, rescans, log, {
      probe: () => scanner.ping(),
      horizonMs: config.scan.unavailableRetryMs,
    }) as Processor,
    {
      connection,
      prefix,
      concurrency: config.scan.concurrency,
      lockDuration: config.scan.lockDurationMs,
      stalledInterval: config.scan.lockDurationMs,
      maxStalledCount: 2,
    },
  );
  scanWorker.on('failed', (job, error) => {
    void onScanJobGivenUp(scans, rescans, job, error).catch((e) =>
      log.error({ err: e }, 'could not record a given-up scan'),
    );
  });

  const thumbnailWorker = new Worker<JobPayloads[typeof QueueName.Thumbnail]>(
    QueueName.Thumbnail,
    thumbnailProcessor(thumbnails, log) as Processor,
    { connection, prefix, concurrency: config.thumbnail.concurrency },
  );

  const maintenanceWorker = new Worker(
    QueueName.Cleanup,
    async (job: Job) => {
      if (job.name === MaintenanceJob.ScanWatchdog) {
        return runScanWatchdog(assets, queues, config.scan.stuckAfterMs, log);
      }
      if (job.name === MaintenanceJob.Cleanup) {
        const data = job.data as JobPayloads[typeof QueueName.Cleanup];
        return services.cleanup.run({ dryRun: data.dryRun ?? false });
      }
      if (job.name === MaintenanceJob.RescanSweep) {
        const sweep = job.data as RescanSweepPayload;
        return runRescanSweep(assets, queues, sweep, config.scan.rescanAfterSignatureUpdateDays, log);
      }
      throw new Error(`unknown maintenance job ${job.name}`);
    },
    { connection, prefix, concurrency: 1, lockDuration: 5 * 60_000 },
  );

  const workers = [scanWorker, thumbnailWorker, maintenanceWorker] as Worker[];
  // Its own worker and concurrency: slow or dead receivers only ever hold webhook slots.
  const { webhooks } = config;
  const { sender } = services.webhooks;
  if (sender) {
    const webhookLog = log.child({ component: 'webhooks' });
    const webhookWorker = new Worker<JobPayloads[typeof QueueName.Webhook]>(
      QueueName.Webhook,
      webhookDeliveryProcessor({
        endpoints: services.webhooks.endpoints,
        sender,
        status: services.webhooks.status,
        logger: webhookLog,
      }) as Processor,
      { connection, prefix, concurrency: webhooks.concurrency },
    );
    webhookWorker.on('failed', (job, error) => onWebhookGivenUp(webhookLog, job, error));
    workers.push(webhookWorker as Worker);
  }
  for (const worker of workers) {
    worker.on('error', (error) => log.error({ err: error, queue: worker.name }, 'worker error'));
  }
  await scheduleMaintenance(services);
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  const watchdog = new ScanWatchdogTimer({
    assets,
    queues,
    intervalMs: config.scan.watchdogIntervalMs,
    stuckAfterMs: config.scan.stuckAfterMs,
    logger: log.child({ component: 'watchdog' }),
  });
  const schedules = keepSchedules(services, connection, watchdog, log);
  void watchdog.run();
  signatureWatch.start();
  log.info({ engines: scanner.engine, concurrency: config.scan.concurrency }, 'workers started');

  return {
    workers,
    close: async () => {
      schedules.stop();
      await signatureWatch.close();
      await watchdog.close();
      await closeWorkers(workers, connection);
    },
  };
}

/**
 * Redis here keeps nothing on disk: after a restart no schedule and no queued job exists. So
 * whenever this worker's connection is ready again, the schedules are put back and the watchdog
 * re-queues every asset in flight at once; a periodic check catches what a missed event would not.
 */
function keepSchedules(
  services: AppServices,
  connection: RedisClient,
  watchdog: ScanWatchdogTimer,
  log: AppServices['logger'],
): { stop(): void } {
  const ensure = async (why: string) => {
    try {
      const restored = await ensureSchedules(services);
      if (restored.length > 0) log.warn({ schedules: restored, why }, 'job schedules re-established');
    } catch (error) {
      log.warn({ err: error }, 'could not check the job schedules; trying again later');
    }
  };
  // Connected before this listener exists (connectRedis), so every 'ready' here is a reconnect.
  const onReady = () => {
    log.warn('Redis connection ready again: restoring schedules and re-queueing assets in flight');
    void ensure('reconnect');
    void watchdog.run(0);
  };
  connection.on('ready', onReady);
  const timer = setInterval(() => void ensure('periodic check'), SCHEDULE_CHECK_INTERVAL_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      connection.off('ready', onReady);
    },
  };
}

/** Schedules missing from Redis are created again; resolves to their ids. */
async function ensureSchedules(services: AppServices): Promise<string[]> {
  const existing = await services.queues.cleanup.getJobScheduler(MaintenanceJob.Cleanup);
  if (existing) return [];
  await scheduleMaintenance(services);
  return [MaintenanceJob.Cleanup];
}

/** Upserting the same scheduler ids from every worker is safe: BullMQ keeps one per id. */
async function scheduleMaintenance(services: AppServices): Promise<void> {
  const { queues, config } = services;
  // The watchdog runs on each worker's own timer now (ScanWatchdogTimer); drop an old schedule.
  await queues.cleanup.removeJobScheduler(MaintenanceJob.ScanWatchdog);
  await queues.cleanup.upsertJobScheduler(
    MaintenanceJob.Cleanup,
    { pattern: config.cleanup.cron, tz: 'UTC' },
    {
      name: MaintenanceJob.Cleanup,
      data: { dryRun: false, trigger: 'schedule' },
      opts: { removeOnComplete: 100, removeOnFail: 100 },
    },
  );
}

async function closeWorkers(workers: Worker[], connection: RedisClient): Promise<void> {
  // Stop taking jobs at once; give active ones a bounded time, then release them (force) so
  // another worker picks them up as stalled instead of this process hanging.
  await Promise.all(workers.map((worker) => worker.pause(true).catch(() => undefined)));
  const graceful = Promise.all(workers.map((worker) => worker.close()));
  const timedOut = await Promise.race([
    graceful.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), WORKER_CLOSE_TIMEOUT_MS).unref()),
  ]);
  if (timedOut) await Promise.all(workers.map((worker) => worker.close(true)));
  connection.disconnect();
}
