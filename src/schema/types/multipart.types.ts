import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTime, JSONScalar, SafeInt } from '../scalars';

@ObjectType()
export class MultipartUpload {
  @Field(() => ID)
  assetId!: string;

  @Field(() => String)
  storageKey!: string;

  @Field(() => SafeInt)
  partSize!: number;

  @Field(() => Int)
  partCount!: number;

  @Field(() => DateTime, {
    description: 'Part URLs can be asked for until this time; after it the upload counts as abandoned',
  })
  expiresAt!: Date;
}

@ObjectType()
export class UploadPartUrl {
  @Field(() => Int)
  partNumber!: number;

  @Field(() => String, { description: "Where the client PUTs this part's bytes (exactly the part's size)" })
  url!: string;

  @Field(() => JSONScalar, { description: 'Headers the client must send with that PUT' })
  headers!: Record<string, string>;

  @Field(() => DateTime)
  expiresAt!: Date;
}

@ObjectType()
export class UploadedPart {
  @Field(() => Int)
  partNumber!: number;

  @Field(() => SafeInt)
  size!: number;

  @Field(() => String)
  etag!: string;
}
