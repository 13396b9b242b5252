import { CLEANUP_CATEGORIES } from '../../observability/metrics';
import type { CleanupReport } from './cleanup-report';
import type { CleanupMetrics } from './cleanup.types';

/**
 * Adds a finished run to the cleanup counters: items by category and result, and the run as
 * `failure` when a phase stopped early (item failures alone do not fail a run). Dry runs change
 * nothing, so they are not counted.
 */
export function recordCleanupMetrics(metrics: CleanupMetrics, report: CleanupReport): void {
  if (report.dryRun) return;
  for (const category of CLEANUP_CATEGORIES) {
    const tally = report.categories[category];
    metrics.cleanupItems.inc({ category, result: 'cleaned' }, tally.cleaned);
    metrics.cleanupItems.inc({ category, result: 'failed' }, tally.failed);
  }
  metrics.cleanupRuns.inc({ result: report.aborted ? 'failure' : 'success' });
}
