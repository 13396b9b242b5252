import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { CLEANUP_CATEGORIES } from '../../observability/metrics';
import type { StorageAdapter } from '../../storage/storage.adapter';
import type { AssetLifecycle } from '../lifecycle/asset-lifecycle';
import type { CleanupContext } from './cleanup-context';
import { recordCleanupMetrics } from './cleanup-metrics';
import type { CleanupRepository, ExpiryCutoffs } from '../../repositories/cleanup.repository';
import { CleanupReport } from './cleanup-report';
import type { AuditTrailPruner, CleanupMetrics, CleanupResult, CleanupSettings } from './cleanup.types';
import { sweepExpired } from './expired-sweep';
import { OrphanScan } from './orphan-scan';

export type { AuditTrailPruner, CleanupMetrics, CleanupResult, CleanupSettings } from './cleanup.types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DEFAULTS = {
  auditRetentionDays: 365,
  orphanGraceMs: HOUR_MS,
  batchSize: 500,
  storageConcurrency: 8,
  now: () => new Date(),
};

/**
 * Removes what uploads leave behind: abandoned DRAFTs (REJECTED, upload deleted), expired
 * REJECTED and quarantined assets (deleted with their objects), and orphans (objects no row
 * owns, rows whose object is gone). Runs in batches with keyset paging and bounded memory; one
 * item's failure is reported and retried next run; re-running is harmless; a dry run changes
 * nothing and reports what a real run would do. Concurrent runs are safe: batches skip rows
 * another run holds, and every write re-checks the state it was decided on.
 */
export class CleanupService {
  private readonly settings: Required<CleanupSettings>;

  constructor(
    private readonly queries: CleanupRepository,
    private readonly storage: StorageAdapter,
    private readonly lifecycle: AssetLifecycle,
    settings: CleanupSettings,
    private readonly logger: Logger,
    private readonly metrics?: CleanupMetrics,
    private readonly auditTrail?: AuditTrailPruner,
  ) {
    this.settings = {
      abandonedAfterHours: settings.abandonedAfterHours,
      failedAfterDays: settings.failedAfterDays,
      quarantineAfterDays: settings.quarantineAfterDays,
      auditRetentionDays: settings.auditRetentionDays ?? DEFAULTS.auditRetentionDays,
      orphanGraceMs: settings.orphanGraceMs ?? DEFAULTS.orphanGraceMs,
      batchSize: settings.batchSize ?? DEFAULTS.batchSize,
      storageConcurrency: settings.storageConcurrency ?? DEFAULTS.storageConcurrency,
      now: settings.now ?? DEFAULTS.now,
    };
    assertSettings(this.settings);
  }

  /** One cleanup pass. Never throws for a failed item or phase: those are in `errors`. */
  async run({ dryRun }: { dryRun: boolean }): Promise<CleanupResult> {
    const now = this.settings.now();
    const started = performance.now();
    const report = new CleanupReport(dryRun);
    const logger = this.logger.child({ cleanupRun: randomUUID(), dryRun });
    const cutoffs = this.cutoffs(now);
    const context: CleanupContext = {
      queries: this.queries,
      storage: this.storage,
      lifecycle: this.lifecycle,
      report,
      logger,
      dryRun,
      batchSize: this.settings.batchSize,
      storageConcurrency: this.settings.storageConcurrency,
      now,
      cutoffs,
      graceCutoff: new Date(now.getTime() - this.settings.orphanGraceMs),
    };
    logger.info('cleanup started');

    for (const category of CLEANUP_CATEGORIES) {
      await this.phase(context, `${category} cleanup`, () => sweepExpired(context, category));
    }
    // After the expiry sweeps, so objects and rows they just removed are not reported again.
    await this.phase(context, 'orphan scan', () => new OrphanScan(context).run());
    let auditEventsPruned = 0;
    const { auditTrail } = this;
    if (auditTrail && !dryRun) {
      const before = new Date(now.getTime() - this.settings.auditRetentionDays * DAY_MS);
      await this.phase(context, 'audit retention', async () => {
        auditEventsPruned = await auditTrail.pruneDelivered(before);
      });
    }

    if (this.metrics) recordCleanupMetrics(this.metrics, report);
    const result = report.toResult();
    logger.info(
      {
        abandoned: result.abandonedCleaned,
        failed: result.failedCleaned,
        infected: result.infectedCleaned,
        orphanObjects: result.orphans.objectsWithoutRow,
        orphanRows: result.orphans.rowsWithoutObject,
        storageFreedBytes: result.storageFreedBytes,
        auditEventsPruned,
        errors: result.errors.length,
        durationMs: Math.round(performance.now() - started),
      },
      'cleanup finished',
    );
    return result;
  }

  private cutoffs(now: Date): ExpiryCutoffs {
    const at = (ms: number) => new Date(now.getTime() - ms);
    return {
      abandoned: at(this.settings.abandonedAfterHours * HOUR_MS),
      failed: at(this.settings.failedAfterDays * DAY_MS),
      infected: at(this.settings.quarantineAfterDays * DAY_MS),
    };
  }

  /** Runs one phase; if it stops (database or storage unreachable) the next phases still run. */
  private async phase(context: CleanupContext, name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      context.report.phaseAborted(name, error);
      context.logger.error({ err: error, phase: name }, 'cleanup phase stopped early');
    }
  }
}

function assertSettings(settings: Required<CleanupSettings>): void {
  const positive = [
    'abandonedAfterHours',
    'failedAfterDays',
    'quarantineAfterDays',
    'auditRetentionDays',
  ] as const;
  for (const name of positive) {
    if (!(Number.isFinite(settings[name]) && settings[name] > 0))
      throw new RangeError(`${name} must be a positive number`);
  }
  if (!(Number.isFinite(settings.orphanGraceMs) && settings.orphanGraceMs >= 0)) {
    throw new RangeError('orphanGraceMs must be a non-negative number');
  }
  for (const name of ['batchSize', 'storageConcurrency'] as const) {
    if (!(Number.isInteger(settings[name]) && settings[name] >= 1))
      throw new RangeError(`${name} must be a positive integer`);
  }
}
