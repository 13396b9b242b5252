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
} as const;

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
  /** Where a failing `readQueueDepth` is reported. */
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
  };
}
