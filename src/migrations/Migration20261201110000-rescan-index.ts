import { Migration } from '@mikro-orm/migrations';

/**
 * The index behind the rescan sweep after a signature update: approved assets by approval time,
 * read in keyset pages on (approved_at, id). Partial, so only approved rows are in it.
 */
export class Migration20261201110000_rescan_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "ip_asset_approved_at_idx" on "ip_asset" ("approved_at", "id") where "status" = 'APPROVED';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "ip_asset_approved_at_idx";`);
  }
}
