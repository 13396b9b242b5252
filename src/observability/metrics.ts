import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric name, written once: the alert rules in deploy/prometheus/alerts.yml use these
 * exact names, and a test checks that every name an alert uses is defined here.
 */
export const METRIC_NAMES = {
  uploads: 'uploads_total',
  scanDuration: 'upload_scan_duration_seconds',
  scanFailures: 'upload_scan_failures_total',
  infectedFiles: 'upload_infected_files_total',
  queueDepth: 'upload_queue_depth',
  cleanupItems: 'upload_cleanup_items_total',
  cleanupRuns: 'upload_cleanup_runs_total',
  httpRequestDuration: 'http_request_duration_seconds',
  graphqlOperationDuration: 'graphql_operation_duration_seconds',
  scannerSignatureInfo: 'upload_scanner_signature_info',
  scannerSignatureAge: 'upload_scanner_signature_age_seconds',
  webhookDeliveries: 'upload_webhook_deliveries_total',
  webhookLastFailure: 'upload_webhook_last_failure_timestamp_seconds',
} as const;

/** `result` label values of `upload_webhook_deliveries_total`: one per try. */
export const WEBHOOK_DELIVERY_RESULTS = ['success', 'failure'] as const;

/** One engine's signatures as the scanner reports them (see `Scanner.signatures`). */
export interface SignatureSample {
  engine: string;
  version: string;
  updatedAt?: Date;
}

/** Delivery counts of one webhook endpoint, kept in Redis so every process reports the same. */
export interface WebhookEndpointSample {
  /** The endpoint's label: origin and path, never the query (it may carry a token). */
  endpoint: string;
  successes: number;
  failures: number;
  lastFailureAt: Date | null;
}

/** `outcome` label values of `uploads_total`. */
export const UPLOAD_OUTCOMES = ['initiated', 'confirmed', 'approved', 'rejected'] as const;
export type UploadOutcome = (typeof UPLOAD_OUTCOMES)[number];

/** `state` label values of `upload_queue_depth`, the fields of the QueueDepth GraphQL type. */
export const QUEUE_STATES = ['pending', 'scanning', 'processing'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** `category` label values of `upload_cleanup_items_total`, as in UploadCleanupResult. */
export const CLEANUP_CATEGORIES = ['abandoned', 'failed', 'infected'] as const;
export type CleanupCategory = (typeof CLEANUP_CATEGORIES)[number];

/** `result` label values of `upload_cleanup_items_total`. */
export const CLEANUP_ITEM_RESULTS = ['cleaned', 'failed'] as const;

/** `result` label values of `upload_cleanup_runs_total`. */
export const CLEANUP_RUN_RESULTS = ['success', 'failure'] as const;

/** Queue depth as the QueueDepth GraphQL type reports it. */
export type QueueDepthSample = Record<QueueState, number>;

/** The logging the registry needs; a pino logger fits. */
export interface MetricsLogger {
  warn(obj: object, msg?: string): void;
}

/** Options for {@link createAppMetrics}. */
export interface AppMetricsOptions {
  /**
   * Node.js process metrics (CPU, memory, event-loop lag, GC).
   * @default true
   */
  collectDefaultMetrics?: boolean;
  /** Labels on every series, e.g. `{ role: 'worker' }`, so API and worker series stay apart. */
  defaultLabels?: Record<string, string>;
  /**
   * Read on every scrape to fill `upload_queue_depth`; keep it to one cheap query. When it fails
   * the gauge is left empty for that scrape rather than reporting stale numbers.
   */
  readQueueDepth?: () => Promise<QueueDepthSample> | QueueDepthSample;
  /**
   * Scanner engines to report from the start at zero. Prometheus's rate() and increase() cannot
   * see a counter's first increment if the series did not exist before it.
   */
  scanEngines?: readonly string[];
  /**
   * Read on every scrape to fill the scanner signature gauges. When it fails (engine down), the
   * gauges are left empty for that scrape.
   */
  readSignatures?: () => Promise<SignatureSample[]>;
  /** Read on every scrape to fill the webhook delivery series. */
  readWebhookDeliveries?: () => Promise<WebhookEndpointSample[]>;
  /** Where a failing reader is reported. */
  logger?: MetricsLogger;
}

/** The process's metrics; label names are typed, label values listed in the exported constants. */
export interface AppMetrics {
  /** Render with `registry.metrics()` and `registry.contentType`. */
  registry: Registry;
  /** Uploads by lifecycle outcome. Count `approved`/`rejected` once, where the decision is made. */
  uploads: Counter<'outcome'>;
  /** Scan wall time per engine, observed for every scan attempt whatever its result. */
  scanDuration: Histogram<'engine'>;
  /** Scan attempts that errored (timeouts, engine down), per engine. */
  scanFailures: Counter<'engine'>;
  /** Files found infected. */
  infectedFiles: Counter<never>;
  /** Uploads waiting per state, read from the database at scrape time. */
  queueDepth: Gauge<'state'>;
  /** Items handled by cleanup runs (dry runs excluded), by category and result. */
  cleanupItems: Counter<'category' | 'result'>;
  /** Cleanup runs by result; `failure` when the run itself aborted. */
  cleanupRuns: Counter<'result'>;
  /** HTTP requests; `route` is the route pattern, never the raw path, to bound cardinality. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** GraphQL operations by operation name and type. */
  graphqlOperationDuration: Histogram<'operation' | 'type'>;
  /** 1 per engine and its current signature version, read at scrape time. */
  scannerSignatureInfo: Gauge<'engine' | 'version'>;
  /** Age of each engine's signatures (clamd's database date), read at scrape time. */
  scannerSignatureAge: Gauge<'engine'>;
  /** Webhook delivery tries per endpoint and result, across every worker (from Redis). */
  webhookDeliveries: Counter<'endpoint' | 'result'>;
  /** When each endpoint last failed a try (Unix seconds), across every worker. */
  webhookLastFailure: Gauge<'endpoint'>;
}

const SCAN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Creates a registry of its own (never prom-client's global one, so tests and several servers in
 * one process do not collide) holding every application metric, with known label combinations
 * started at zero.
 */
export function createAppMetrics(options: AppMetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.collectDefaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const uploads = new Counter({
    name: METRIC_NAMES.uploads,
    help: 'Uploads by lifecycle outcome: initiated, confirmed, approved, rejected',
    labelNames: ['outcome'] as const,
    registers,
  });
  const scanDuration = new Histogram({
    name: METRIC_NAMES.scanDuration,
    help: 'Virus scan duration per engine, observed for every scan attempt whatever its result',
    labelNames: ['engine'] as const,
    buckets: SCAN_BUCKETS,
    registers,
  });
  const scanFailures = new Counter({
    name: METRIC_NAMES.scanFailures,
    help: 'Virus scan attempts that ended in an error, per engine',
    labelNames: ['engine'] as const,
    registers,
  });
  const infectedFiles = new Counter({
    name: METRIC_NAMES.infectedFiles,
    help: 'Uploaded files found infected',
    registers,
  });
  const readQueueDepth = options.readQueueDepth;
  const logger = options.logger;
  const queueDepth = new Gauge({
    name: METRIC_NAMES.queueDepth,
    help: 'Uploads per state: pending (DRAFT), scanning, processing (confirmed, not yet decided)',
    labelNames: ['state'] as const,
    registers,
    collect: readQueueDepth
      ? async function (this: Gauge<'state'>) {
          try {
            const depth = await readQueueDepth();
            for (const state of QUEUE_STATES) this.set({ state }, depth[state]);
          } catch (err) {
            this.reset();
            logger?.warn({ err }, 'Upload queue depth not collected');
          }
        }
      : undefined,
  });
  const cleanupItems = new Counter({
    name: METRIC_NAMES.cleanupItems,
    help: 'Items handled by upload cleanup, by category and result',
    labelNames: ['category', 'result'] as const,
    registers,
  });
  const cleanupRuns = new Counter({
    name: METRIC_NAMES.cleanupRuns,
    help: 'Upload cleanup runs by result',
    labelNames: ['result'] as const,
    registers,
  });
  const httpRequestDuration = new Histogram({
    name: METRIC_NAMES.httpRequestDuration,
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const graphqlOperationDuration = new Histogram({
    name: METRIC_NAMES.graphqlOperationDuration,
    help: 'GraphQL operation duration by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });

  // Two gauges fill from one read per scrape: each collects on its own, sharing the read.
  const readSignatures = options.readSignatures && oncePerScrape(options.readSignatures);
  const scannerSignatureInfo = new Gauge({
    name: METRIC_NAMES.scannerSignatureInfo,
    help: "1 for each scanner engine's current signature version (label version)",
    labelNames: ['engine', 'version'] as const,
    registers,
    collect: readSignatures
      ? async function (this: Gauge<'engine' | 'version'>) {
          this.reset();
          for (const sample of await readOrEmpty(readSignatures, logger, 'Scanner signatures')) {
            this.set({ engine: sample.engine, version: sample.version }, 1);
          }
        }
      : undefined,
  });
  const scannerSignatureAge = new Gauge({
    name: METRIC_NAMES.scannerSignatureAge,
    help: "Age of each scanner engine's signatures: now minus the date the engine reports for them",
    labelNames: ['engine'] as const,
    registers,
    collect: readSignatures
      ? async function (this: Gauge<'engine'>) {
          this.reset();
          for (const sample of await readOrEmpty(readSignatures, logger, 'Scanner signatures')) {
            if (sample.updatedAt) {
              this.set({ engine: sample.engine }, (Date.now() - sample.updatedAt.getTime()) / 1000);
            }
          }
        }
      : undefined,
  });
  const readWebhookDeliveries = options.readWebhookDeliveries && oncePerScrape(options.readWebhookDeliveries);
  const webhookDeliveries = new Counter({
    name: METRIC_NAMES.webhookDeliveries,
    help: 'Webhook delivery tries per endpoint and result (success: a 2xx within 10 s), all workers together',
    labelNames: ['endpoint', 'result'] as const,
    registers,
    collect: readWebhookDeliveries
      ? async function (this: Counter<'endpoint' | 'result'>) {
          const samples = await readOrEmpty(readWebhookDeliveries, logger, 'Webhook deliveries');
          this.reset();
          for (const sample of samples) {
            this.inc({ endpoint: sample.endpoint, result: 'success' }, sample.successes);
            this.inc({ endpoint: sample.endpoint, result: 'failure' }, sample.failures);
          }
        }
      : undefined,
  });
  const webhookLastFailure = new Gauge({
    name: METRIC_NAMES.webhookLastFailure,
    help: 'When each webhook endpoint last failed a delivery try, in Unix seconds',
    labelNames: ['endpoint'] as const,
    registers,
    collect: readWebhookDeliveries
      ? async function (this: Gauge<'endpoint'>) {
          this.reset();
          for (const sample of await readOrEmpty(readWebhookDeliveries, logger, 'Webhook deliveries')) {
            if (sample.lastFailureAt)
              this.set({ endpoint: sample.endpoint }, sample.lastFailureAt.getTime() / 1000);
          }
        }
      : undefined,
  });

  // Series that alerts take ratios or increases of exist from the first scrape.
  for (const outcome of UPLOAD_OUTCOMES) uploads.inc({ outcome }, 0);
  for (const result of CLEANUP_RUN_RESULTS) cleanupRuns.inc({ result }, 0);
  for (const category of CLEANUP_CATEGORIES) {
    for (const result of CLEANUP_ITEM_RESULTS) cleanupItems.inc({ category, result }, 0);
  }
  for (const engine of options.scanEngines ?? []) {
    scanFailures.inc({ engine }, 0);
    scanDuration.zero({ engine });
  }

  return {
    registry,
    uploads,
    scanDuration,
    scanFailures,
    infectedFiles,
    queueDepth,
    cleanupItems,
    cleanupRuns,
    httpRequestDuration,
    graphqlOperationDuration,
    scannerSignatureInfo,
    scannerSignatureAge,
    webhookDeliveries,
    webhookLastFailure,
  };
}

/** Calls `read` at most once per scrape: calls within a second share one result. */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), value: read() };
    return last.value;
  };
}

/** A failed read leaves the series empty for this scrape rather than reporting stale figures. */
async function readOrEmpty<T>(
  read: () => Promise<T[]>,
  logger: MetricsLogger | undefined,
  what: string,
): Promise<T[]> {
  try {
    return await read();
  } catch (err) {
    logger?.warn({ err }, `${what} not collected`);
    return [];
  }
}
