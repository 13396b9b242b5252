import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../schema/context';
import { UploadLimits } from '../schema/types/upload-limits.types';

/** The limits initiateUpload enforces, read from the same configuration it uses. */
@Resolver()
export class UploadLimitsResolver {
  @Authorized()
  @Query(() => UploadLimits, {
    description: 'What initiateUpload accepts (size, types), so a client can refuse a file before sending it',
  })
  uploadLimits(@Ctx() { services }: GraphQLContext): UploadLimits {
    const { maxFileSize, allowedMimeTypes, urlTtlSeconds } = services.uploadLimits;
    return { maxFileSize, allowedMimeTypes: [...allowedMimeTypes], uploadUrlTtlSeconds: urlTtlSeconds };
  }
}
