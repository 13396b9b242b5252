import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import {
  METRIC_NAMES,
  createAppMetrics,
  type MetricsLogger,
  type QueueDepthSample,
} from '../../src/observability/metrics';
import type { AnalyticsLogger } from '../../src/services/analytics/analytics.service';

describe('createAppMetrics', () => {
  it('renders every application metric and the process metrics', async () => {
    const metrics = createAppMetrics({ scanEngines: ['clamav'] });
    metrics.uploads.inc({ outcome: 'approved' });
    metrics.scanDuration.observe({ engine: 'clamav' }, 1.5);
    metrics.httpRequestDuration.observe({ method: 'GET', route: '/healthz', status: '200' }, 0.002);
    metrics.graphqlOperationDuration.observe({ operation: 'asset', type: 'query' }, 0.01);

    const text = await metrics.registry.metrics();
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('uploads_total{outcome="approved"} 1');
    expect(text).toContain('upload_scan_duration_seconds_count{engine="clamav"} 1');
    expect(metrics.registry.contentType).toContain('text/plain');
  });

  it('starts the series alerts depend on at zero', async () => {
    const text = await createAppMetrics({
      collectDefaultMetrics: false,
      scanEngines: ['signature'],
    }).registry.metrics();
    expect(text).toContain('uploads_total{outcome="rejected"} 0');
    expect(text).toContain('upload_infected_files_total 0');
    expect(text).toContain('upload_scan_failures_total{engine="signature"} 0');
    expect(text).toContain('upload_scan_duration_seconds_count{engine="signature"} 0');
    expect(text).toContain('upload_cleanup_items_total{category="infected",result="failed"} 0');
    expect(text).toContain('upload_cleanup_runs_total{result="failure"} 0');
  });

  it('reads the queue depth at scrape time, and reports nothing stale when that fails', async () => {
    let depth: QueueDepthSample | Error = { pending: 3, scanning: 1, processing: 7 };
    const logger = { warn: vi.fn() };
    const metrics = createAppMetrics({
      collectDefaultMetrics: false,
      defaultLabels: { role: 'api' },
      logger,
      readQueueDepth: async () => {
        if (depth instanceof Error) throw depth;
        return depth;
      },
    });

    const text = await metrics.registry.metrics();
    expect(text).toContain('upload_queue_depth{state="pending",role="api"} 3');
    expect(text).toContain('upload_queue_depth{state="processing",role="api"} 7');

    depth = new Error('database down');
    const failed = await metrics.registry.metrics();
    expect(failed).not.toContain('upload_queue_depth{');
    expect(logger.warn).toHaveBeenCalledOnce();
  });

  it('gives every call its own registry', async () => {
    const first = createAppMetrics({ collectDefaultMetrics: false });
    const second = createAppMetrics({ collectDefaultMetrics: false });
    first.infectedFiles.inc();
    expect(await second.registry.metrics()).toContain('upload_infected_files_total 0');
  });

  it('accepts a pino logger where a logger is asked for', () => {
    const logger = pino({ level: 'silent' });
    const forMetrics: MetricsLogger = logger;
    const forAnalytics: AnalyticsLogger = logger;
    expect(forMetrics).toBe(forAnalytics);
  });
});
