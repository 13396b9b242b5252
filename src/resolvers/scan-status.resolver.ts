import { Arg, Authorized, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { ERRORS } from '../errors';
import type { AssetStateEvent } from '../services/asset-events';
import type { GraphQLContext } from '../schema/context';
import { ScanStatusEvent } from '../schema/types/asset.types';

@Resolver()
export class ScanStatusResolver {
  @Authorized()
  @Subscription(() => ScanStatusEvent, {
    description: "Owner or admin. The first event is the asset's current state; then one event per change",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { assetId: string }, GraphQLContext>) => {
      if (!context.actor) throw ERRORS.unauthenticated();
      return context.services.scanStatusFeed.open(context.actor, String(args.assetId));
    },
  })
  assetScanStatus(
    @Root() event: AssetStateEvent,
    @Arg('assetId', () => ID) _assetId: string,
  ): ScanStatusEvent {
    return {
      assetId: event.assetId,
      status: event.status,
      scanStatus: event.scanStatus,
      scanResult: event.scanResult
        ? { ...event.scanResult, scannedAt: new Date(event.scanResult.scannedAt) }
        : null,
      final: event.final,
      at: new Date(event.at),
    };
  }
}
