import { Field, ID, InputType, Int } from 'type-graphql';
import { JSONScalar, SafeInt } from '../scalars';

/** What every initiate names: the file and where it belongs (each input type lists these first). */
// Decorated so its fields are inherited; referenced by no field, it is not emitted itself.
@InputType()
abstract class NewUploadInput {
  @Field(() => String)
  fileName!: string;

  @Field(() => SafeInt)
  fileSize!: number;

  @Field(() => String)
  mimeType!: string;

  @Field(() => ID, { nullable: true })
  projectId?: string | null;
}

@InputType()
export class InitiateUploadInput extends NewUploadInput {
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
export class InitiateMultipartUploadInput extends NewUploadInput {
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
