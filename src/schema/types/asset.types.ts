import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTime, JSONScalar, SafeInt } from '../scalars';
import { AssetStatus, ScanStatus } from './enums';

// Plain data types: `simpleResolvers` reads each field straight off the object (graphql's own
// default resolver) instead of type-graphql's middleware wrapper: with no middleware or
// @Authorized on them, the same answer, at a fraction of the cost per field of every
// subscription event and asset page.
@ObjectType({ simpleResolvers: true })
export class Threat {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  engine!: string;
}

@ObjectType({ simpleResolvers: true })
export class ScanResult {
  @Field(() => String, {
    description: 'Scanner(s) that produced the verdict, e.g. clamav, virustotal, signature',
  })
  engine!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Engine and signature database version(s), when known',
  })
  engineVersion?: string | null;

  @Field(() => [Threat])
  threats!: Threat[];

  @Field(() => DateTime)
  scannedAt!: Date;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Set when scanStatus is ERROR' })
  error?: string | null;
}

@ObjectType('IpAsset', { simpleResolvers: true })
export class IpAssetType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { description: 'Sanitized file name' })
  fileName!: string;

  @Field(() => String)
  storageKey!: string;

  @Field(() => SafeInt)
  fileSize!: number;

  @Field(() => String)
  mimeType!: string;

  @Field(() => AssetStatus)
  status!: AssetStatus;

  @Field(() => ScanStatus)
  scanStatus!: ScanStatus;

  @Field(() => ScanResult, { nullable: true })
  scanResult?: ScanResult | null;

  @Field(() => JSONScalar, { nullable: true })
  metadata?: Record<string, unknown> | null;

  @Field(() => ID, { nullable: true })
  projectId?: string | null;

  @Field(() => ID)
  createdBy!: string;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class IpAssetConnection {
  @Field(() => [IpAssetType])
  nodes!: IpAssetType[];

  @Field(() => Int)
  totalCount!: number;

  @Field(() => String, { nullable: true })
  endCursor?: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType({ simpleResolvers: true })
export class InitiateUploadPayload {
  @Field(() => String, {
    description: "Where the client PUTs the file's bytes, valid until expiresAt (15 minutes by default)",
  })
  uploadUrl!: string;

  @Field(() => JSONScalar, { description: 'Headers the client must send with that PUT, e.g. Content-Type' })
  uploadHeaders!: Record<string, string>;

  @Field(() => ID)
  assetId!: string;

  @Field(() => String)
  storageKey!: string;

  @Field(() => DateTime)
  expiresAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class ScanStatusEvent {
  @Field(() => ID)
  assetId!: string;

  @Field(() => AssetStatus)
  status!: AssetStatus;

  @Field(() => ScanStatus)
  scanStatus!: ScanStatus;

  @Field(() => ScanResult, { nullable: true })
  scanResult?: ScanResult | null;

  @Field(() => Boolean, {
    description: 'True on the last event of the stream; the server then completes the subscription',
  })
  final!: boolean;

  @Field(() => DateTime)
  at!: Date;
}
