export { CleanupService } from './cleanup.service';
export { recordCleanupMetrics } from './cleanup-metrics';
export type {
  CleanupCategory,
  CleanupMetrics,
  CleanupOrphans,
  CleanupResult,
  CleanupSettings,
} from './cleanup.types';
