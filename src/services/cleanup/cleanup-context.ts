import type { Logger } from '../../logger';
import type { StorageAdapter } from '../../storage/storage.adapter';
import { UploadEventType, type RejectionReason, type UploadEventSink } from '../analytics/upload-event';
import type { CleanupQueries, ExpiryCutoffs, FinishedRow } from './cleanup-queries';
import type { CleanupReport } from './cleanup-report';

/** What every phase of one cleanup run shares. */
export interface CleanupContext {
  queries: CleanupQueries;
  storage: StorageAdapter;
  analytics: UploadEventSink;
  report: CleanupReport;
  logger: Logger;
  dryRun: boolean;
  batchSize: number;
  storageConcurrency: number;
  /** The run's clock reading; every cutoff derives from it, so all phases agree. */
  now: Date;
  /** Where each expiry category starts, derived from `now`. */
  cutoffs: ExpiryCutoffs;
  /** Objects and rows younger than this are never orphans. */
  graceCutoff: Date;
  /** Tells live subscribers about assets whose state this run changed (abandoned → REJECTED). */
  publishChanged(assetIds: readonly string[]): Promise<void>;
}

/** Reports one analytics event per row, after the change is committed. */
export async function trackFinished(
  context: CleanupContext,
  rows: readonly FinishedRow[],
  type: UploadEventType.Rejected | UploadEventType.CleanedUp,
  reason?: RejectionReason,
): Promise<void> {
  await Promise.all(
    rows.map((row) =>
      context.analytics
        .track({
          type,
          assetId: row.id,
          userId: row.createdBy,
          mimeType: row.mimeType,
          fileSize: row.fileSize,
          reason,
          at: context.now,
        })
        // The sink promises not to throw; a broken one must still not stop the cleanup.
        .catch((err: unknown) => context.logger.warn({ err, assetId: row.id }, 'cleanup event not tracked')),
    ),
  );
}
