import {
  Arg,
  Authorized,
  Ctx,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import { ERRORS } from '../errors';
import type { UploadMetrics as UploadMetricsData } from '../services/analytics/analytics.types';
import type { GraphQLContext } from '../schema/context';
import { DateTime } from '../schema/scalars';
import {
  CountByKey,
  QueueDepth,
  RebuildMetricsResult,
  UploadCleanupResult,
  UploaderStat,
  UploadMetrics,
} from '../schema/types/metrics.types';
import { WebhookEndpointStatus } from '../schema/types/webhook.types';
import { IpAssetType } from '../schema/types/asset.types';
import type { IpAsset } from '../entities/ip-asset.entity';

@Resolver()
export class AdminResolver {
  @Authorized('ADMIN')
  @Query(() => UploadMetrics, { description: 'Admin. No range: today so far (real-time)' })
  uploadMetrics(
    @Ctx() { services }: GraphQLContext,
    @Arg('start', () => DateTime, { nullable: true }) start?: Date,
    @Arg('end', () => DateTime, { nullable: true }) end?: Date,
  ) {
    return services.admin.metrics({ start, end });
  }

  @Authorized('ADMIN')
  @Query(() => QueueDepth, { description: 'Admin' })
  uploadQueueDepth(@Ctx() { services }: GraphQLContext) {
    return services.admin.queueDepth();
  }

  @Authorized('ADMIN')
  @Query(() => [CountByKey], {
    description: "Admin. Keys such as 'Virus detected', 'Virus scan failed', 'Upload abandoned'",
  })
  uploadFailureBreakdown(
    @Ctx() { services }: GraphQLContext,
    @Arg('start', () => DateTime, { nullable: true }) start?: Date,
    @Arg('end', () => DateTime, { nullable: true }) end?: Date,
  ) {
    return services.admin.failureBreakdown({ start, end });
  }

  @Authorized('ADMIN')
  @Query(() => [UploaderStat], { description: 'Admin' })
  topUploaders(
    @Ctx() { services }: GraphQLContext,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limit?: number | null,
  ) {
    return services.admin.topUploaders(limit);
  }

  @Authorized('ADMIN')
  @Query(() => [WebhookEndpointStatus], {
    description: 'Admin. Each WEBHOOK_URLS endpoint with its delivery counts and last error',
  })
  webhookEndpoints(@Ctx() { services }: GraphQLContext) {
    return services.admin.webhookEndpoints();
  }

  @Authorized('ADMIN')
  @Mutation(() => IpAssetType, {
    description:
      'Admin. Scans a decided asset again with the current signatures; a CLEAN asset stays downloadable while it runs, a detection quarantines it',
  })
  rescanAsset(
    @Arg('assetId', () => ID) assetId: string,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<IpAsset> {
    return services.admin.rescanAsset(actor!, assetId);
  }

  @Authorized('ADMIN')
  @Mutation(() => UploadCleanupResult, { description: 'Admin' })
  triggerUploadCleanup(
    @Ctx() { services }: GraphQLContext,
    @Arg('dryRun', () => Boolean, { defaultValue: true }) dryRun = true,
  ) {
    return services.admin.triggerCleanup(dryRun);
  }

  @Authorized('ADMIN')
  @Mutation(() => Int, {
    description: 'Admin. Drops cached metrics summaries for the range (default today); returns how many',
  })
  clearUploadMetricsCache(
    @Ctx() { services }: GraphQLContext,
    @Arg('start', () => DateTime, { nullable: true }) start?: Date,
    @Arg('end', () => DateTime, { nullable: true }) end?: Date,
  ) {
    return services.admin.clearMetricsCache({ start, end });
  }

  @Authorized('ADMIN')
  @Mutation(() => RebuildMetricsResult, {
    description:
      "Admin. Rebuilds one UTC day's upload analytics from the audit trail (e.g. after Redis lost them)",
  })
  rebuildUploadMetrics(@Ctx() { services }: GraphQLContext, @Arg('date', () => DateTime) date: Date) {
    return services.admin.rebuildDay(date);
  }

  @Authorized('ADMIN')
  @Subscription(() => UploadMetrics, {
    description: "Admin. Pushed whenever an upload event changes today's metrics (at most a few per second)",
    subscribe: ({ context }: SubscribeResolverData<unknown, object, GraphQLContext>) => {
      if (!context.actor) throw ERRORS.unauthenticated();
      if (context.actor.role !== 'ADMIN') throw ERRORS.forbidden();
      return context.services.metricsFeed.open();
    },
  })
  uploadMetricsUpdated(@Root() metrics: UploadMetricsData): UploadMetricsData {
    return metrics;
  }
}
