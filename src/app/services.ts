import { createHmac } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RedisClient } from '../pubsub/redis-client';
import type { Config } from '../config';
import type { ResolverServices } from '../schema/context';
import { openDatabase } from '../database/database';
import { JobQueues } from '../jobs/queues';
import type { Logger } from '../logger';
import { RedisEventBus } from '../pubsub/pubsub';
import { AssetEventRepository } from '../repositories/asset-event.repository';
import { AssetRepository } from '../repositories/asset.repository';
import { CleanupRepository } from '../repositories/cleanup.repository';
import { createAppMetrics, type AppMetrics } from '../observability/metrics';
import { AdminService } from '../services/admin.service';
import { UploadAnalytics } from '../services/analytics/analytics.service';
import { AssetTrailService } from '../services/audit/asset-trail.service';
import { CleanupService } from '../services/cleanup/cleanup.service';
import { MetricsUpdatesFeed } from '../services/metrics-updates-feed';
import { AssetLifecycle } from '../services/lifecycle/asset-lifecycle';
import { analyticsConsumer, liveUpdatesConsumer } from '../services/lifecycle/outbox-consumers';
import { OutboxRelay } from '../services/lifecycle/outbox-relay';
import { ScanStatusFeed } from '../services/scan-status-feed';
import { UploadAborter } from '../services/upload/abort-upload';
import { MultipartUploadService } from '../services/upload/multipart-upload.service';
import { UploadQuota } from '../services/upload/upload-quota';
import { UploadService } from '../services/upload/upload.service';
import { webhookConsumer } from '../services/webhooks/webhook-consumer';
import { WebhookDispatcher } from '../services/webhooks/webhook-dispatcher';
import { webhookEndpoints, type WebhookEndpoint } from '../services/webhooks/webhook-endpoints';
import { WebhookStatusRepository } from '../repositories/webhook-status.repository';
import { withTimeout } from '../with-timeout';
import { createScanner } from '../scanners';
import type { Scanner } from '../scanners/scanner';
import { createStorage } from '../storage';
import type { LocalStorageAdapter } from '../storage/local.storage';
import type { StorageAdapter } from '../storage/storage.adapter';
import { scanMetricsObserver, uploadOutcomeCounter } from './instrumentation';
import { signatureVersionKey } from '../jobs/rescan-sweep.job';
import { SignatureVersionRepository } from '../repositories/signature-version.repository';
import { RescanService } from '../services/scan/rescan.service';
import { ScanService } from '../services/scan/scan.service';
import { SignatureWatch } from '../services/scan/signature-watch';
import { ThumbnailService } from '../services/scan/thumbnail.service';
import { WebhookSender } from '../webhooks/webhook-sender';
import { connectRedis, createRedisClient } from './redis';

/** Download and thumbnail URLs are handed out for a few minutes at a time. */
const DOWNLOAD_URL_TTL_SECONDS = 300;

/** A /metrics scrape waits this long for the scanner's signature version, then leaves it out. */
const SCRAPE_READ_TIMEOUT_MS = 2000;

/** Everything both roles share, opened once per process and closed in reverse order. */
export interface AppServices {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  /** Commands (BullMQ producers, analytics, rate limits); subscriptions have their own connections. */
  redis: RedisClient;
  bus: RedisEventBus;
  storage: StorageAdapter;
  /** The same adapter when storage is local (the server then serves its upload URLs); else null. */
  localStorage: LocalStorageAdapter | null;
  /** The configured engine(s): workers scan with it, readiness pings it. */
  scanner: Scanner;
  queues: JobQueues;
  assets: AssetRepository;
  assetEvents: AssetEventRepository;
  analytics: UploadAnalytics;
  /** The one door for asset state changes (transition + its event, in one transaction). */
  lifecycle: AssetLifecycle;
  /** Delivers committed events to subscribers and analytics; runs in every process. */
  outbox: OutboxRelay;
  uploads: UploadService;
  /** `assetEvents`: the audit trail as owners and admins may read it. */
  assetTrail: AssetTrailService;
  multipart: MultipartUploadService;
  aborts: UploadAborter;
  scanStatusFeed: ScanStatusFeed;
  metricsFeed: MetricsUpdatesFeed;
  cleanup: CleanupService;
  admin: AdminService;
  metrics: AppMetrics;
  /** The configured receivers, their delivery state (Redis), and the sender (null without receivers). */
  webhooks: { endpoints: WebhookEndpoint[]; status: WebhookStatusRepository; sender: WebhookSender | null };
  /** What the workers run: scans, rescans, thumbnails, and the signature watch (started by workers only). */
  scanning: {
    scans: ScanService;
    rescans: RescanService;
    thumbnails: ThumbnailService;
    signatureWatch: SignatureWatch;
  };
  /** What the GraphQL context carries to resolvers (the services they call, nothing else). */
  graphql: ResolverServices;
  /** The base URL this process hands out; set once the HTTP server knows its port. */
  publicUrl: { current: string };
}

/** What a process may bring besides its configuration. */
export interface OpenOptions {
  /**
   * The clock uploads, the lifecycle, the cleanup and the local storage provider's URLs read
   * (tests move it instead of sleeping).
   * @default () => new Date()
   */
  now?: () => Date;
}

export async function openServices(
  config: Config,
  logger: Logger,
  options: OpenOptions = {},
): Promise<AppServices> {
  const now = options.now ?? (() => new Date());
  // First: an unusable engine setting (e.g. an unreadable block-list) fails before any connection.
  const scanner = createScanner(config);
  if (config.upload.maxFileSize > scanner.maxScanBytes) {
    // Such files are refused by the scanner and end ERROR / REJECTED: never served unscanned.
    logger.warn(
      { maxFileSize: config.upload.maxFileSize, maxScanBytes: scanner.maxScanBytes, engine: scanner.engine },
      'STORAGE_MAX_FILE_SIZE is larger than the scanner takes: larger uploads will end ERROR / REJECTED',
    );
  }
  const redis = await connectRedis(config.redis, logger);
  const orm = await openDatabase(config.databaseUrl, logger).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const publicUrl = { current: config.http.publicUrl };
  const { adapter: storage, local: localStorage } = createStorage(config, {
    publicUrl: () => publicUrl.current,
    // Local upload URLs are signed with a key derived from the JWT secret, so every replica agrees.
    signingSecret: createHmac('sha256', config.auth.jwtSecret).update('local-storage-urls').digest('hex'),
    now,
  });
  const bus = new RedisEventBus(
    (purpose) => createRedisClient(config.redis, purpose),
    config.redis.prefix,
    (error) => logger.warn({ err: error }, 'redis pub/sub connection error'),
  );
  const queues = new JobQueues(redis, {
    prefix: config.redis.queuePrefix,
    scanAttempts: config.scan.attempts,
    scanBackoffMs: config.scan.backoffMs,
    webhookAttempts: config.webhooks.attempts,
    webhookBackoffMs: config.webhooks.backoffMs,
  });
  for (const queue of queues.all) {
    // Without a listener BullMQ prints these with console.error; the shared connection's own
    // listener already logs them at warn.
    queue.on('error', (error) => logger.debug({ err: error, queue: queue.name }, 'queue error'));
  }
  const assets = new AssetRepository(orm);
  const endpoints = webhookEndpoints(config.webhooks.urls);
  const webhookStatus = new WebhookStatusRepository(redis, config.redis.keyPrefix);
  const appMetrics = createAppMetrics({
    readQueueDepth: () => assets.queueDepth(),
    readSignatures: () => withTimeout(scanner.signatures(), SCRAPE_READ_TIMEOUT_MS, 'scanner signatures'),
    readWebhookDeliveries: async () => {
      const states = await webhookStatus.read(endpoints.map((endpoint) => endpoint.id));
      return states.map((state, i) => ({ endpoint: endpoints[i]!.label, ...state }));
    },
    scanEngines: [config.scan.engines.join('+')],
    logger,
  });
  const analytics = new UploadAnalytics(redis, { prefix: config.redis.keyPrefix, logger });
  const assetEvents = new AssetEventRepository(orm);
  const outbox = new OutboxRelay(
    assetEvents,
    [
      liveUpdatesConsumer(bus),
      analyticsConsumer(analytics, uploadOutcomeCounter(appMetrics)),
      webhookConsumer(new WebhookDispatcher(endpoints, assets, queues)),
    ],
    { sweepIntervalMs: config.outbox.sweepIntervalMs },
    logger.child({ component: 'outbox' }),
  );
  const kill = config.outbox.testKillAfterCommit;
  // Tests only (config refuses it outside NODE_ENV=test): die between the commit and the delivery.
  const dieAfterCommit = kill
    ? (event: string) => {
        if (event === kill) process.kill(process.pid, 'SIGKILL');
      }
    : undefined;
  const lifecycle = new AssetLifecycle(assets, outbox, now, dieAfterCommit);
  outbox.start();
  const quota = new UploadQuota(assets, lifecycle, config.upload.userQuotaBytes);
  const uploadLogger = logger.child({ component: 'uploads' });
  const multipart = new MultipartUploadService(
    assets,
    storage,
    quota,
    { ...config.upload, multipartTtlSeconds: config.cleanup.abandonedAfterHours * 3600 },
    uploadLogger,
  );
  const uploads = new UploadService(
    assets,
    storage,
    queues,
    lifecycle,
    { ...config.upload, downloadUrlTtlSeconds: DOWNLOAD_URL_TTL_SECONDS },
    uploadLogger,
    quota,
    multipart,
    now,
  );
  const assetTrail = new AssetTrailService(assets, assetEvents);
  const aborts = new UploadAborter(assets, storage, lifecycle, uploadLogger);
  const scanStatusFeed = new ScanStatusFeed(
    bus,
    uploads,
    logger.child({ component: 'scan-status' }),
    assetEvents,
  );
  const metricsFeed = new MetricsUpdatesFeed(
    () => createRedisClient(config.redis, 'subscriber'),
    config.redis.keyPrefix,
    analytics,
    logger.child({ component: 'metrics-feed' }),
  );
  const cleanup = new CleanupService(
    new CleanupRepository(orm.em.getKnex()),
    storage,
    lifecycle,
    { ...config.cleanup, now },
    logger.child({ component: 'cleanup' }),
    appMetrics,
    assetEvents,
  );
  const admin = new AdminService(
    analytics,
    assets,
    cleanup,
    { endpoints, status: webhookStatus },
    queues,
    assetEvents,
  );
  const scanning = openScanning(config, logger, {
    storage,
    scanner,
    lifecycle,
    queues,
    assets,
    redis,
    appMetrics,
  });
  const { webhooks } = config;
  const sender =
    webhooks.urls.length > 0 && webhooks.secret
      ? new WebhookSender({ secret: webhooks.secret, timeoutMs: webhooks.timeoutMs })
      : null;
  return {
    config,
    logger,
    orm,
    redis,
    bus,
    storage,
    localStorage,
    scanner,
    queues,
    assets,
    assetEvents,
    analytics,
    lifecycle,
    outbox,
    uploads,
    assetTrail,
    multipart,
    aborts,
    scanStatusFeed,
    metricsFeed,
    cleanup,
    admin,
    metrics: appMetrics,
    webhooks: { endpoints, status: webhookStatus, sender },
    scanning,
    graphql: {
      uploads,
      multipart,
      aborts,
      assetTrail,
      admin,
      scanStatusFeed,
      metricsFeed,
      uploadLimits: config.upload,
    },
    publicUrl,
  };
}

/** The workers' services; built in every process (plain objects), run only where workers start. */
function openScanning(
  config: Config,
  logger: Logger,
  deps: {
    storage: StorageAdapter;
    scanner: Scanner;
    lifecycle: AssetLifecycle;
    queues: JobQueues;
    assets: AssetRepository;
    redis: RedisClient;
    appMetrics: AppMetrics;
  },
): AppServices['scanning'] {
  const { storage, scanner, lifecycle, queues, assets } = deps;
  const log = logger.child({ component: 'worker' });
  const observer = scanMetricsObserver(deps.appMetrics);
  const scans = new ScanService(
    storage,
    scanner,
    lifecycle,
    queues,
    log.child({ component: 'scan' }),
    observer,
  );
  const rescans = new RescanService(
    assets,
    lifecycle,
    scans,
    storage,
    log.child({ component: 'rescan' }),
    observer,
  );
  const thumbnails = new ThumbnailService(assets, storage, lifecycle, log.child({ component: 'thumbnail' }));
  const signatureWatch = new SignatureWatch({
    scanner,
    versions: new SignatureVersionRepository(deps.redis, config.redis.keyPrefix),
    // Once per new version across workers: the sweep itself is queued once (job id per version).
    onUpdate: async ({ engine, version }) => {
      if (config.scan.rescanAfterSignatureUpdateDays === 0) return;
      await queues.enqueueRescanSweep({ engine, version }, signatureVersionKey(engine, version));
    },
    logger: log.child({ component: 'signature-watch' }),
    intervalMs: config.scan.signatureCheckIntervalMs,
  });
  return { scans, rescans, thumbnails, signatureWatch };
}

export async function closeServices(services: AppServices): Promise<void> {
  await services.outbox.close();
  await services.metricsFeed.close();
  await services.queues.close();
  await services.bus.close();
  await services.orm.close();
  await services.storage.close?.();
  services.redis.disconnect();
}
