import { BigIntType, Entity, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import type { AssetStatus, ScanResultData, ScanStatus } from './ip-asset.entity';

/**
 * One state change of an asset: the audit trail and the transactional outbox in one table.
 * Written only by the lifecycle module, in the same transaction as the change; `deliveredAt` is
 * set by the outbox relay once subscribers and analytics have it. No foreign key to `ip_asset`:
 * the trail outlives the asset row the cleanup deletes.
 */
// Every decorator names its column type: esbuild-based tools (tsx, vitest) emit no decorator metadata.
@Entity({ tableName: 'asset_event' })
@Index({
  name: 'asset_event_undelivered_idx',
  expression:
    'create index "asset_event_undelivered_idx" on "asset_event" ("id") where "delivered_at" is null',
})
@Index({
  name: 'asset_event_undelivered_asset_idx',
  expression:
    'create index "asset_event_undelivered_asset_idx" on "asset_event" ("asset_id", "id") where "delivered_at" is null',
})
@Index({ name: 'asset_event_asset_idx', properties: ['assetId', 'id'] })
@Index({ name: 'asset_event_at_idx', properties: ['at'] })
export class AssetEvent {
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string & Opt;

  @Property({ type: 'uuid' })
  assetId!: string;

  /** The asset's owner, kept so the trail can be authorised and counted after the asset is gone. */
  @Property({ type: 'string', length: 255 })
  ownerId!: string;

  /** An {@link AssetEventType}. */
  @Property({ type: 'string', length: 64 })
  type!: string;

  @Property({ type: 'text' })
  status!: AssetStatus;

  @Property({ type: 'text' })
  scanStatus!: ScanStatus;

  @Property({ type: 'integer' })
  stateVersion!: number;

  /** A user id for what a user did; `system` for workers and schedules. */
  @Property({ type: 'string', length: 255 })
  actor!: string;

  @Property({ type: 'json', nullable: true })
  detail?: Record<string, unknown> | null;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property({ type: 'string', length: 255 })
  mimeType!: string;

  @Property({ type: new BigIntType('number') })
  fileSize!: number;

  /** The asset's scan result as of this event, for the live event subscribers get. */
  @Property({ type: 'json', nullable: true })
  scanResult?: ScanResultData | null;

  /** Nothing more will happen to the asset (what subscribers end on). */
  @Property({ type: 'boolean' })
  final: boolean & Opt = false;

  @Property({ type: 'datetime', nullable: true })
  deliveredAt?: Date | null;
}
