import { Migration } from '@mikro-orm/migrations';

/**
 * Multipart uploads: the storage upload id and the part layout fixed at initiate. Null for
 * single-PUT uploads. The partial index finds a storage upload's asset (orphan scan) cheaply.
 */
export class Migration20261201120000_multipart extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "ip_asset" add column "multipart_upload_id" varchar(1024) null, ` +
        `add column "part_size" bigint null, add column "part_count" int null;`,
    );
    this.addSql(
      `create index "ip_asset_multipart_upload_idx" on "ip_asset" ("multipart_upload_id") where "multipart_upload_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "ip_asset_multipart_upload_idx";`);
    this.addSql(
      `alter table "ip_asset" drop column "multipart_upload_id", drop column "part_size", drop column "part_count";`,
    );
  }
}
