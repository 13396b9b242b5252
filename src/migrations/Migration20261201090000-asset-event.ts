import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail, which is also the transactional outbox: one row per state change, written in
 * the same transaction as the change. No foreign key to ip_asset, so the trail outlives the asset
 * the cleanup deletes.
 */
export class Migration20261201090000_asset_event extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "asset_event" (` +
        `"id" bigint generated always as identity primary key, ` +
        `"asset_id" uuid not null, ` +
        `"owner_id" varchar(255) not null, ` +
        `"type" varchar(64) not null, ` +
        `"status" text not null, ` +
        `"scan_status" text not null, ` +
        `"state_version" int not null, ` +
        `"actor" varchar(255) not null, ` +
        `"detail" jsonb null, ` +
        `"at" timestamptz not null, ` +
        `"mime_type" varchar(255) not null, ` +
        `"file_size" bigint not null, ` +
        `"scan_result" jsonb null, ` +
        `"final" boolean not null default false, ` +
        `"delivered_at" timestamptz null);`,
    );
    // The relay's two questions: what is undelivered (oldest first), and is there an older
    // undelivered event of the same asset. Both indexes stay as small as the backlog.
    this.addSql(
      `create index "asset_event_undelivered_idx" on "asset_event" ("id") where "delivered_at" is null;`,
    );
    this.addSql(
      `create index "asset_event_undelivered_asset_idx" on "asset_event" ("asset_id", "id") where "delivered_at" is null;`,
    );
    // assetEvents(assetId), oldest first.
    this.addSql(`create index "asset_event_asset_idx" on "asset_event" ("asset_id", "id");`);
    // Retention pruning and the analytics rebuild read by time.
    this.addSql(`create index "asset_event_at_idx" on "asset_event" ("at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "asset_event";`);
  }
}
