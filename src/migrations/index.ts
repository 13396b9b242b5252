import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128011839_init } from './Migration20261128011839-init';
import { Migration20261128020000_cleanup_indexes } from './Migration20261128020000-cleanup-indexes';
import { Migration20261201090000_asset_event } from './Migration20261201090000-asset-event';
import { Migration20261201110000_rescan_index } from './Migration20261201110000-rescan-index';
import { Migration20261201120000_multipart } from './Migration20261201120000-multipart';
import { Migration20261201130000_drop_deleted_at } from './Migration20261201130000-drop-deleted-at';
import { Migration20261201140000_part_checksums } from './Migration20261201140000-part-checksums';

/** Every migration, in order. `npm run migration:create` writes a new file; add it here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261128011839-init', class: Migration20261128011839_init },
  { name: 'Migration20261128020000-cleanup-indexes', class: Migration20261128020000_cleanup_indexes },
  { name: 'Migration20261201090000-asset-event', class: Migration20261201090000_asset_event },
  { name: 'Migration20261201110000-rescan-index', class: Migration20261201110000_rescan_index },
  { name: 'Migration20261201120000-multipart', class: Migration20261201120000_multipart },
  { name: 'Migration20261201130000-drop-deleted-at', class: Migration20261201130000_drop_deleted_at },
  { name: 'Migration20261201140000-part-checksums', class: Migration20261201140000_part_checksums },
];
