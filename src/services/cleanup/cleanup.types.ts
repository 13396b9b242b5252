import type { AppMetrics, CleanupCategory } from '../../observability/metrics';

export type { CleanupCategory };

/** How old things must be before the cleanup touches them, and how it paces itself. */
export interface CleanupSettings {
  /** A DRAFT older than this (by created_at) is abandoned: its upload is deleted and it is REJECTED. */
  abandonedAfterHours: number;
  /** A REJECTED, not quarantined asset older than this (by rejected_at) is deleted with its objects. */
  failedAfterDays: number;
  /** A quarantined asset older than this (by quarantined_at) is deleted with its quarantined object. */
  quarantineAfterDays: number;
  /**
   * Delivered audit events (asset_event) older than this are deleted, whether or not their asset
   * still exists.
   * @default 365
   */
  auditRetentionDays?: number;
  /**
   * Objects younger than this, and rows confirmed or changed more recently, are never taken for
   * orphans: an upload in flight, or a confirm or quarantine between its move and its commit,
   * looks like an orphan for a moment.
   * @default 3_600_000 (1 hour)
   */
  orphanGraceMs?: number;
  /**
   * Rows read, locked and written per statement; also the most orphan candidates held at once.
   * Bounds memory and how long a batch keeps its rows locked.
   * @default 500
   */
  batchSize?: number;
  /**
   * Storage calls in flight at once within a batch.
   * @default 8
   */
  storageConcurrency?: number;
  /**
   * The clock every age is measured against; read once per run.
   * @default () => new Date()
   */
  now?: () => Date;
}

/** Deletes delivered audit events older than a date, returning how many (the asset_event repository fits). */
export interface AuditTrailPruner {
  pruneDelivered(before: Date): Promise<number>;
}

/** The cleanup counters of {@link AppMetrics}; the whole AppMetrics object fits. */
export type CleanupMetrics = Pick<AppMetrics, 'cleanupItems' | 'cleanupRuns'>;

/** What the orphan scan found (dry run) or removed (real run). */
export interface CleanupOrphans {
  /** Objects older than the grace period that no asset row owns. */
  objectsWithoutRow: number;
  /** Rows that should have an object (confirmed more than the grace period ago) but have none. */
  rowsWithoutObject: number;
  /** Open storage multipart uploads older than the grace period that no DRAFT asset owns (aborted). */
  multipartUploadsWithoutAsset: number;
  /** The first keys (objects) and asset ids (rows) found, at most 20. */
  examples: string[];
}

/**
 * One run's outcome. In a dry run the figures are what a real run would have done; nothing is
 * changed. Fields beside `orphans` mirror the GraphQL UploadCleanupResult type.
 */
export interface CleanupResult {
  dryRun: boolean;
  /** DRAFTs older than the limit that were (or would be) REJECTED as abandoned. */
  abandonedCleaned: number;
  /** Expired REJECTED assets that were (or would be) deleted. */
  failedCleaned: number;
  /** Expired quarantined assets that were (or would be) deleted. */
  infectedCleaned: number;
  /** Bytes of the objects deleted (or that would be), by their size in storage. */
  storageFreedBytes: number;
  /** Safe to show to an admin: an asset id and a short reason each, never a bucket or a path. */
  errors: string[];
  orphans: CleanupOrphans;
}
