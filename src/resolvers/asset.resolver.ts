import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { IpAsset } from '../entities/ip-asset.entity';
import type { GraphQLContext } from '../schema/context';
import { IpAssetConnection, IpAssetType } from '../schema/types/asset.types';
import { AssetStatus } from '../schema/types/enums';

@Resolver(() => IpAssetType)
export class AssetResolver {
  @Authorized()
  @Query(() => IpAssetType, {
    nullable: true,
    description: 'Owner or admin; null when it does not exist or is not yours',
  })
  asset(
    @Arg('id', () => ID) id: string,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<IpAsset | null> {
    return services.uploads.findVisible(actor!, id);
  }

  @Authorized()
  @Query(() => IpAssetConnection, { description: "The caller's own assets, newest first" })
  myAssets(
    @Ctx() { actor, services }: GraphQLContext,
    @Arg('status', () => AssetStatus, { nullable: true }) status?: AssetStatus,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return services.uploads.listMine(actor!, { status, first: first ?? 20, after });
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Short-lived GET URL, only when scanStatus is CLEAN',
  })
  downloadUrl(@Root() asset: IpAsset, @Ctx() { services }: GraphQLContext): Promise<string | null> {
    return services.uploads.downloadUrl(asset);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Short-lived GET URL, only once a thumbnail exists',
  })
  thumbnailUrl(@Root() asset: IpAsset, @Ctx() { services }: GraphQLContext): Promise<string | null> {
    return services.uploads.thumbnailUrl(asset);
  }
}
