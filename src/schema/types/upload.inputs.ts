import { Field, ID, InputType } from 'type-graphql';
import { JSONScalar, SafeInt } from '../scalars';

@InputType()
export class InitiateUploadInput {
  @Field(() => String)
  fileName!: string;

  @Field(() => SafeInt)
  fileSize!: number;

  @Field(() => String)
  mimeType!: string;

  @Field(() => ID, { nullable: true })
  projectId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Base64 SHA-256 of the file; when given, the upload URL accepts only these exact bytes',
  })
  checksumSha256?: string | null;
}

@InputType()
export class ConfirmUploadInput {
  @Field(() => ID)
  assetId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => JSONScalar, { nullable: true })
  metadata?: Record<string, unknown> | null;
}
