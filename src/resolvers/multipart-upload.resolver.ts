import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { IpAsset } from '../entities/ip-asset.entity';
import type { GraphQLContext } from '../schema/context';
import { IpAssetType } from '../schema/types/asset.types';
import { MultipartUpload, UploadedPart, UploadPartUrl } from '../schema/types/multipart.types';
import { InitiateMultipartUploadInput } from '../schema/types/upload.inputs';

@Resolver()
export class MultipartUploadResolver {
  @Authorized()
  @Mutation(() => MultipartUpload)
  async initiateMultipartUpload(
    @Arg('input', () => InitiateMultipartUploadInput) input: InitiateMultipartUploadInput,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<MultipartUpload> {
    const upload = await services.multipart.initiate(actor!, input);
    return {
      assetId: upload.asset.id,
      storageKey: upload.asset.storageKey,
      partSize: upload.partSize,
      partCount: upload.partCount,
      expiresAt: upload.expiresAt,
    };
  }

  @Authorized()
  @Mutation(() => [UploadPartUrl], {
    description:
      "Owner. Presigned PUT URLs for these parts (1-based, at most 100 per call), each pinned to its part's exact size",
  })
  uploadPartUrls(
    @Arg('assetId', () => ID) assetId: string,
    @Arg('partNumbers', () => [Int]) partNumbers: number[],
    @Arg('checksums', () => [String], {
      nullable: true,
      description:
        'Base64 SHA-256 of each part, in the order of partNumbers: required when the upload was initiated with partChecksums, refused otherwise',
    })
    checksums: string[] | null | undefined,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<UploadPartUrl[]> {
    return services.multipart.partUrls(actor!, assetId, partNumbers, checksums);
  }

  @Authorized()
  @Query(() => [UploadedPart], {
    description:
      'Owner. The parts storage holds for a multipart upload not yet confirmed: what a resumed upload may skip',
  })
  uploadedParts(
    @Arg('assetId', () => ID) assetId: string,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<UploadedPart[]> {
    return services.multipart.uploadedParts(actor!, assetId);
  }

  @Authorized()
  @Mutation(() => IpAssetType, {
    description:
      "Owner. Stops an upload that is not confirmed yet: its bytes and parts are freed and the asset ends REJECTED ('Upload cancelled'). Idempotent",
  })
  abortUpload(
    @Arg('assetId', () => ID) assetId: string,
    @Ctx() { actor, services }: GraphQLContext,
  ): Promise<IpAsset> {
    return services.aborts.abort(actor!, assetId);
  }
}
