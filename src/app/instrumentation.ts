import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { ScanObserver } from '../services/scan/scan.service';
import type { AppMetrics, UploadOutcome } from '../observability/metrics';
import { UploadEventType, type UploadEvent } from '../services/analytics/upload-event';

const OUTCOME_OF: Partial<Record<UploadEventType, UploadOutcome>> = {
  [UploadEventType.Initiated]: 'initiated',
  [UploadEventType.Confirmed]: 'confirmed',
  [UploadEventType.Approved]: 'approved',
  [UploadEventType.Rejected]: 'rejected',
};

/**
 * Counts an upload outcome in Prometheus; called once per (asset, event) that analytics counted
 * for the first time, so both agree even when the outbox delivers an event twice.
 */
export function uploadOutcomeCounter(metrics: AppMetrics): (event: UploadEvent) => void {
  return (event) => {
    const outcome = OUTCOME_OF[event.type];
    if (outcome) metrics.uploads.inc({ outcome });
  };
}

/** Every scan attempt is timed (the failure-rate alert divides by their count). */
export function scanMetricsObserver(metrics: AppMetrics): ScanObserver {
  return {
    attempted: (engine, outcome, durationMs) => {
      metrics.scanDuration.observe({ engine }, durationMs / 1000);
      if (outcome === 'infected') metrics.infectedFiles.inc();
      if (outcome === 'error') metrics.scanFailures.inc({ engine });
    },
  };
}

/** Known route prefixes; anything else is `other`, so raw paths never become label values. */
const ROUTES = [
  '/graphql',
  '/storage/upload',
  '/storage/object',
  '/api/admin',
  '/admin/queues',
  '/healthz',
  '/readyz',
  '/metrics',
];

export function httpMetricsMiddleware(metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpRequestDuration.startTimer();
    // Read now: mounted routers rewrite req.url while the request is handled.
    const path = req.path;
    res.on('finish', () => {
      const route = ROUTES.find((prefix) => path === prefix || path.startsWith(`${prefix}/`)) ?? 'other';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

/** Times GraphQL operations by root field (bounded by the schema, unlike client-chosen names). */
export function graphqlMetricsPlugin(metrics: AppMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const stop = metrics.graphqlOperationDuration.startTimer();
      return {
        async willSendResponse({ operation }) {
          if (!operation) return;
          const selection = operation.selectionSet.selections[0];
          const field = selection?.kind === 'Field' ? selection.name.value : 'unknown';
          stop({ operation: field, type: operation.operation });
        },
      };
    },
  };
}
