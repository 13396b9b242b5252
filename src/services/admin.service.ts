import { AssetStatus, ScanStatus, type IpAsset } from '../entities/ip-asset.entity';
import { ERRORS } from '../errors';
import type { JobQueues } from '../jobs/queues';
import type { AssetEventRow } from '../repositories/asset-event.repository';
import type { AssetRepository } from '../repositories/asset.repository';
import type { Actor } from './actor';
import type { WebhookEndpointState } from '../repositories/webhook-status.repository';
import type { WebhookEndpoint } from './webhooks/webhook-endpoints';
import type { UploadAnalytics } from './analytics/analytics.service';
import { startOfUtcDay } from './analytics/analytics-keys';
import type { AnalyticsRange } from './analytics/analytics-range';
import { withAnalyticsInput } from './analytics/analytics-input';
import type { CleanupResult, CleanupService } from './cleanup/cleanup.service';
import { analyticsEventsOf } from './lifecycle/outbox-consumers';
import type { UploadEvent } from './analytics/upload-event';

/**
 * What admins can see and do, shared by GraphQL and the REST twins so both answer the same.
 * Authorisation happens at the edges (resolvers, routes).
 */
/** Where webhook delivery state is kept. */
export interface WebhookStateReader {
  read(endpointIds: readonly string[]): Promise<WebhookEndpointState[]>;
}

/** The audit trail by time (the asset_event repository fits). */
export interface TrailByTime {
  streamBetween(from: Date, to: Date): AsyncIterable<AssetEventRow>;
}

export class AdminService {
  constructor(
    private readonly analytics: UploadAnalytics,
    private readonly assets: AssetRepository,
    private readonly cleanup: CleanupService,
    private readonly webhooks: { endpoints: readonly WebhookEndpoint[]; status: WebhookStateReader },
    private readonly scanQueue: Pick<JobQueues, 'enqueueRescans'>,
    private readonly trail: TrailByTime,
  ) {}

  /**
   * Queues a rescan of an approved asset with the current engines and returns it as it is: it
   * stays APPROVED and downloadable while the rescan runs. Asking again before that rescan has
   * started queues nothing more. Only APPROVED / CLEAN assets can be rescanned: anything else is
   * still being decided, or rejected and quarantined already.
   */
  async rescanAsset(actor: Actor, assetId: string): Promise<IpAsset> {
    const asset = await this.assets.findById(assetId);
    if (!asset) throw ERRORS.notFound();
    if (asset.status !== AssetStatus.APPROVED || asset.scanStatus !== ScanStatus.CLEAN) {
      throw ERRORS.badInput(
        'assetId',
        `Only an approved asset can be scanned again; this one is ${asset.status}`,
      );
    }
    await this.scanQueue.enqueueRescans(
      [asset.id],
      { trigger: 'admin', requestedBy: actor.userId },
      `admin-${asset.stateVersion}`,
    );
    return asset;
  }

  /** Each configured webhook endpoint with its delivery counts and last error. */
  async webhookEndpoints() {
    const { endpoints, status } = this.webhooks;
    const states = await status.read(endpoints.map((endpoint) => endpoint.id));
    return endpoints.map((endpoint, i) => ({ id: endpoint.id, url: endpoint.label, ...states[i]! }));
  }

  // Analytics' range errors answer BAD_USER_INPUT (naming the field) on every transport.
  metrics(range?: AnalyticsRange) {
    return withAnalyticsInput(() => this.analytics.getMetrics(range));
  }

  failureBreakdown(range?: AnalyticsRange) {
    return withAnalyticsInput(() => this.analytics.getFailureBreakdown(range));
  }

  topUploaders(limit?: number | null) {
    return withAnalyticsInput(() => this.analytics.getTopUploaders(limit));
  }

  queueDepth() {
    return this.assets.queueDepth();
  }

  /** Drops cached metrics summaries so the next read recomputes them from the counters. */
  clearMetricsCache(range?: AnalyticsRange) {
    return withAnalyticsInput(() => this.analytics.clearCache(range));
  }

  /** Runs a cleanup now, in this process; the scheduled one runs on a worker. */
  triggerCleanup(dryRun: boolean): Promise<CleanupResult> {
    return this.cleanup.run({ dryRun });
  }

  /**
   * Replaces one UTC day's analytics with what the audit trail says happened that day, e.g.
   * after Redis lost its counters. Counted exactly as the outbox counts live events
   * (`analyticsEventsOf`), so assets the cleanup deleted since are counted too; events pruned
   * after AUDIT_RETENTION_DAYS are not.
   */
  rebuildDay(date: Date) {
    const dayStart = startOfUtcDay(date);
    const dayEnd = new Date(dayStart.getTime() + 24 * 3600 * 1000);
    return withAnalyticsInput(() =>
      this.analytics.rebuildDay(dayStart, uploadEventsOf(this.trail.streamBetween(dayStart, dayEnd))),
    );
  }
}

async function* uploadEventsOf(trail: AsyncIterable<AssetEventRow>): AsyncGenerator<UploadEvent> {
  for await (const event of trail) yield* analyticsEventsOf(event);
}
