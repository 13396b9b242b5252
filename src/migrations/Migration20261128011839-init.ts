import { Migration } from '@mikro-orm/migrations';

export class Migration20261128011839_init extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "ip_asset" ("id" uuid not null, "storage_key" varchar(1024) not null, "upload_key" varchar(1024) null, "file_name" varchar(255) not null, "file_size" bigint not null, "mime_type" varchar(255) not null, "status" text check ("status" in ('DRAFT', 'PROCESSING', 'APPROVED', 'REJECTED')) not null default 'DRAFT', "scan_status" text check ("scan_status" in ('PENDING', 'SCANNING', 'CLEAN', 'INFECTED', 'ERROR')) not null default 'PENDING', "scan_result" jsonb null, "scan_attempts" int not null default 0, "state_version" int not null default 1, "title" varchar(500) null, "description" text null, "metadata" jsonb null, "project_id" varchar(255) null, "thumbnail_key" varchar(1024) null, "thumbnail_status" text check ("thumbnail_status" in ('NONE', 'PENDING', 'DONE', 'FAILED')) not null default 'NONE', "rejection_reason" varchar(255) null, "created_by" varchar(255) not null, "upload_expires_at" timestamptz not null, "confirmed_at" timestamptz null, "approved_at" timestamptz null, "rejected_at" timestamptz null, "quarantined_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "ip_asset_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "ip_asset" add constraint "ip_asset_storage_key_unique" unique ("storage_key");`,
    );
    this.addSql(`create index "ip_asset_quarantined_idx" on "ip_asset" ("quarantined_at");`);
    this.addSql(`create index "ip_asset_scan_status_idx" on "ip_asset" ("scan_status");`);
    this.addSql(`create index "ip_asset_status_rejected_idx" on "ip_asset" ("status", "rejected_at");`);
    this.addSql(`create index "ip_asset_status_updated_idx" on "ip_asset" ("status", "updated_at");`);
    this.addSql(`create index "ip_asset_status_created_idx" on "ip_asset" ("status", "created_at");`);
    this.addSql(
      `create index "ip_asset_owner_created_idx" on "ip_asset" ("created_by", "created_at", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "ip_asset" cascade;`);
  }
}
