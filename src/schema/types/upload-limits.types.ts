import { Field, Int, ObjectType } from 'type-graphql';
import { SafeInt } from '../scalars';

/** What the server accepts, so clients can refuse a file before sending any of it. */
@ObjectType({ description: 'What initiateUpload accepts; clients check files against it before uploading' })
export class UploadLimits {
  @Field(() => SafeInt, { description: 'Largest file accepted, in bytes' })
  maxFileSize!: number;

  @Field(() => [String], {
    description: "MIME types accepted; an entry may be a wildcard such as 'image/*'",
  })
  allowedMimeTypes!: string[];

  @Field(() => Int, { description: 'Seconds an upload URL stays valid' })
  uploadUrlTtlSeconds!: number;
}
