import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128011839_init } from './Migration20261128011839-init';

/** Every migration, in order. `npm run migration:create` writes a new file; add it here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261128011839-init', class: Migration20261128011839_init },
];
