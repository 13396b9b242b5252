import { Field, ObjectType } from 'type-graphql';
import { DateTime, JSONScalar } from '../scalars';
import { AssetStatus, ScanStatus } from './enums';

/** One entry of an asset's audit trail (`assetEvents`). */
@ObjectType('AssetEvent')
export class AssetEventObject {
  @Field(() => String, {
    description:
      'What happened, e.g. INITIATED, CONFIRMED, SCAN_STARTED, SCANNED_CLEAN, SCANNED_INFECTED, SCAN_ERROR, REJECTED, APPROVED, THUMBNAIL_DONE, ABORTED, CLEANED_UP',
  })
  type!: string;

  @Field(() => AssetStatus)
  status!: AssetStatus;

  @Field(() => ScanStatus)
  scanStatus!: ScanStatus;

  @Field(() => String, {
    description: "Who caused it: a user id, or 'system' for workers and scheduled jobs",
  })
  actor!: string;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Event details: reason, engine, threat names, sizes; never file contents or secrets',
  })
  detail?: Record<string, unknown> | null;

  @Field(() => DateTime)
  at!: Date;
}
