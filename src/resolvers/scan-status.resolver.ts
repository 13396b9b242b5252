import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { ERRORS } from '../errors';
import type { AssetStatusUpdate } from '../services/asset-events';
import type { GraphQLContext } from '../schema/context';
import { ScanStatusEvent } from '../schema/types/asset.types';

@Resolver()
export class ScanStatusResolver {
  // Who may subscribe is decided once, in `subscribe` (a signed-in owner or admin: sockets without
  // a valid token never get this far). No @Authorized: type-graphql would run it again for every
  // event of every subscriber, through an async middleware chain.
  @Subscription(() => ScanStatusEvent, {
    description: "Owner or admin. The first event is the asset's current state; then one event per change",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { assetId: string }, GraphQLContext>) => {
      if (!context.actor) throw ERRORS.unauthenticated();
      return context.services.scanStatusFeed.open(context.actor, String(args.assetId));
    },
  })
  assetScanStatus(
    @Root() update: AssetStatusUpdate,
    @Arg('assetId', () => ID) _assetId: string,
  ): ScanStatusEvent {
    // Made once per event by the feed, shared by all its subscribers.
    return update;
  }
}
