import type { Logger } from '../../logger';
import type { StorageAdapter } from '../../storage/storage.adapter';
import type { AssetLifecycle } from '../lifecycle/asset-lifecycle';
import type { CleanupRepository, ExpiryCutoffs } from '../../repositories/cleanup.repository';
import type { CleanupReport } from './cleanup-report';

/** What every phase of one cleanup run shares. */
export interface CleanupContext {
  queries: CleanupRepository;
  storage: StorageAdapter;
  /** Every row the cleanup rejects or deletes goes through it, so each leaves its event. */
  lifecycle: AssetLifecycle;
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
}
