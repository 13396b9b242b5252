import { Migration } from '@mikro-orm/migrations';

/**
 * Multipart uploads whose parts each carry a SHA-256 (S3 must create such an upload with
 * ChecksumAlgorithm SHA256, and then wants the checksum on every part and at completion).
 */
export class Migration20261201140000_part_checksums extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ip_asset" add column "part_checksums" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "ip_asset" drop column "part_checksums";`);
  }
}
