import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IpAsset } from '../entities/ip-asset.entity';
import type { GraphQLContext } from '../schema/context';
import { InitiateUploadPayload, IpAssetType } from '../schema/types/asset.types';
import { ConfirmUploadInput, InitiateUploadInput } from '../schema/types/upload.inputs';

@Resolver()
export class UploadResolver {
  @Authorized()
  @Mutation(() => InitiateUploadPayload)
  async initiateUpload(
    @Arg('input', () => InitiateUploadInput) input: InitiateUploadInput,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<InitiateUploadPayload> {
    const upload = await services.uploads.initiate(actor!, input);
    return {
      uploadUrl: upload.uploadUrl,
      uploadHeaders: upload.uploadHeaders,
      assetId: upload.asset.id,
      storageKey: upload.asset.storageKey,
      expiresAt: upload.expiresAt,
    };
  }

  @Authorized()
  @Mutation(() => IpAssetType, {
    description: 'Idempotent: confirming an already confirmed asset returns it unchanged',
  })
  confirmUpload(
    @Arg('input', () => ConfirmUploadInput) input: ConfirmUploadInput,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<IpAsset> {
    return services.uploads.confirm(actor!, input);
  }
}
