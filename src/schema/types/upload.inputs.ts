import { Field, ID, InputType, Int } from 'type-graphql';
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
export class CompletedPartInput {
  @Field(() => Int)
  partNumber!: number;

  @Field(() => String)
  etag!: string;
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

  @Field(() => [CompletedPartInput], {
    nullable: true,
    description:
      'Multipart uploads only: the parts with the ETags their PUTs answered. When omitted, the server lists the parts storage holds',
  })
  parts?: CompletedPartInput[] | null;
}

@InputType()
export class InitiateMultipartUploadInput {
  @Field(() => String)
  fileName!: string;

  @Field(() => SafeInt)
  fileSize!: number;

  @Field(() => String)
  mimeType!: string;

  @Field(() => ID, { nullable: true })
  projectId?: string | null;

  @Field(() => SafeInt, {
    nullable: true,
    description:
      'Bytes per part; optional. The server picks one (at least 5 MiB, at most 10,000 parts) when omitted',
  })
  partSize?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Optional. When true, every part URL must be asked for with its part's SHA-256 (uploadPartUrls' checksums), and storage accepts only those exact bytes",
  })
  partChecksums?: boolean | null;
}
