import { Migration } from '@mikro-orm/migrations';

/** `ip_asset.deleted_at` was never written (the cleanup deletes rows; the audit trail keeps their story). */
export class Migration20261201130000_drop_deleted_at extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ip_asset" drop column if exists "deleted_at";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "ip_asset" add column if not exists "deleted_at" timestamptz null;`);
  }
}
