import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../scalars';

@ObjectType()
export class VirusScanStats {
  @Field(() => Int) total!: number;
  @Field(() => Int) clean!: number;
  @Field(() => Int) infected!: number;
  @Field(() => Int) failed!: number;
}

@ObjectType()
export class CountByKey {
  @Field(() => String) key!: string;
  @Field(() => Int) count!: number;
}

@ObjectType()
export class UploadMetrics {
  @Field(() => Int) totalUploads!: number;
  @Field(() => Int) successfulUploads!: number;
  @Field(() => Int) failedUploads!: number;
  @Field(() => Float, { description: 'Percentage, 0 to 100' }) successRate!: number;
  @Field(() => Float, { description: 'Bytes' }) averageFileSize!: number;
  @Field(() => Float, { description: 'Bytes' }) totalStorageUsed!: number;
  @Field(() => [CountByKey]) byMimeType!: CountByKey[];
  @Field(() => [CountByKey]) byStatus!: CountByKey[];
  @Field(() => VirusScanStats) virusScans!: VirusScanStats;
  @Field(() => DateTime) from!: Date;
  @Field(() => DateTime) to!: Date;
}

@ObjectType()
export class QueueDepth {
  @Field(() => Int, { description: 'DRAFT uploads' }) pending!: number;
  @Field(() => Int, { description: 'Being scanned now' }) scanning!: number;
  @Field(() => Int, { description: 'Confirmed, waiting for or after scan' }) processing!: number;
}

@ObjectType()
export class UploaderStat {
  @Field(() => ID) userId!: string;
  @Field(() => Int) uploads!: number;
  @Field(() => Float) totalBytes!: number;
}

@ObjectType({ description: 'Storage and rows out of step; listed in a dry run, removed otherwise' })
export class CleanupOrphans {
  @Field(() => Int, { description: 'Objects older than the grace period that no asset owns' })
  objectsWithoutRow!: number;
  @Field(() => Int, { description: 'Assets that should have an object but have none' })
  rowsWithoutObject!: number;
  @Field(() => Int, {
    description:
      'Open multipart uploads in storage older than the grace period that no unconfirmed asset owns',
  })
  multipartUploadsWithoutAsset!: number;
  @Field(() => [String], { description: 'The first object keys and asset ids found, at most 20' })
  examples!: string[];
}

@ObjectType()
export class UploadCleanupResult {
  @Field(() => Boolean) dryRun!: boolean;
  @Field(() => Int) abandonedCleaned!: number;
  @Field(() => Int) failedCleaned!: number;
  @Field(() => Int) infectedCleaned!: number;
  @Field(() => Float) storageFreedBytes!: number;
  @Field(() => [String]) errors!: string[];
  @Field(() => CleanupOrphans) orphans!: CleanupOrphans;
}

@ObjectType()
export class RebuildMetricsResult {
  @Field(() => String, { description: 'The UTC day rebuilt, YYYY-MM-DD' }) day!: string;
  @Field(() => Int, { description: 'Upload events read from the audit trail' }) rowsRead!: number;
  @Field(() => Int, { description: 'Of those, the ones dated on that day (counted)' })
  rowsCounted!: number;
}
