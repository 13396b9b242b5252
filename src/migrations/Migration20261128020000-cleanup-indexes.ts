import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes behind the cleanup's orphan scan. Storage lists keys in byte order, so the rows are
 * read in the same order (`collate "C"`) and merged with the listing in one pass; the existing
 * unique index on storage_key uses the database collation and cannot serve that order.
 */
export class Migration20261128020000_cleanup_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "ip_asset_storage_key_c_idx" on "ip_asset" ("storage_key" collate "C");`);
    // Only DRAFT rows own an `incoming/` object; they are few, so the partial index stays small.
    this.addSql(
      `create index "ip_asset_draft_upload_key_c_idx" on "ip_asset" ("upload_key" collate "C") where "status" = 'DRAFT';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "ip_asset_draft_upload_key_c_idx";`);
    this.addSql(`drop index if exists "ip_asset_storage_key_c_idx";`);
  }
}
