import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { AssetEventRow } from '../repositories/asset-event.repository';
import type { GraphQLContext } from '../schema/context';
import { AssetEventObject } from '../schema/types/asset-event.types';

@Resolver(() => AssetEventObject)
export class AssetEventResolver {
  @Authorized()
  @Query(() => [AssetEventObject], {
    description:
      'Owner or admin. Everything that happened to the asset, oldest first; kept after the asset itself is cleaned up (admins)',
  })
  assetEvents(
    @Arg('assetId', () => ID) assetId: string,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<AssetEventRow[]> {
    return services.assetTrail.eventsOf(actor!, assetId);
  }
}
