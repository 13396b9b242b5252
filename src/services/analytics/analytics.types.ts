// Plain shapes matching the GraphQL types of the same names (src/schema/types/metrics.types.ts),
// so resolvers can return them as they are and this service never imports type-graphql.

/** A label and how many times it occurred. */
export interface CountByKey {
  key: string;
  count: number;
}

/** Virus-scan outcomes; `total` is clean + infected + failed. */
export interface VirusScanStats {
  total: number;
  clean: number;
  infected: number;
  /** Scans that ended in ERROR (after retries). */
  failed: number;
}

/** Upload figures over a range of whole UTC days; meanings as in CONTRACT.md "Metrics". */
export interface UploadMetrics {
  /** Uploads initiated. */
  totalUploads: number;
  /** Uploads that reached APPROVED. */
  successfulUploads: number;
  /** Uploads REJECTED for any reason. */
  failedUploads: number;
  /** successful / (successful + failed) × 100, or 100 when both are 0. */
  successRate: number;
  /** Mean confirmed size in bytes; 0 when nothing was confirmed. */
  averageFileSize: number;
  /** Sum of confirmed sizes in bytes. */
  totalStorageUsed: number;
  /** Uploads initiated per MIME type, most first. */
  byMimeType: CountByKey[];
  /**
   * Uploads that entered each status during the range, in lifecycle order: DRAFT (initiated),
   * PROCESSING (confirmed), APPROVED, REJECTED. Transitions, not a snapshot: one upload can be
   * counted under several keys.
   */
  byStatus: CountByKey[];
  virusScans: VirusScanStats;
  from: Date;
  to: Date;
}

/** One uploader over the last 30 days. */
export interface UploaderStat {
  userId: string;
  /** Uploads confirmed. */
  uploads: number;
  /** Bytes confirmed. */
  totalBytes: number;
}
