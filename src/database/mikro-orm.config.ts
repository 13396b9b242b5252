import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AssetEvent } from '../entities/asset-event.entity';
import { IpAsset } from '../entities/ip-asset.entity';
import type { Logger } from '../logger';
import { migrationsList } from '../migrations';

/**
 * MikroORM options for one database URL. Entities and migrations are listed explicitly, so the
 * same config works from `dist/`, under tsx and under vitest, with no folder discovery.
 */
export function ormOptions(databaseUrl: string, options: { poolMax?: number; logger?: Logger } = {}) {
  const logger = options.logger;
  return defineConfig({
    clientUrl: databaseUrl,
    entities: [IpAsset, AssetEvent],
    extensions: [Migrator],
    migrations: {
      migrationsList,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      // Applied migrations are logged once, as JSON, by openDatabase.
      silent: true,
      allOrNothing: true,
      snapshot: false,
      path: 'src/migrations',
      pathTs: 'src/migrations',
      emit: 'ts',
      fileName: (timestamp, name) => `Migration${timestamp}${name ? `-${name}` : ''}`,
    },
    pool: { min: 0, max: options.poolMax ?? 10 },
    // knex prints connection trouble with console.warn; every line goes through pino instead.
    ...(logger
      ? {
          driverOptions: {
            log: {
              warn: (message: unknown) => logger.warn({ detail: String(message) }, 'database driver warning'),
              error: (message: unknown) => logger.error({ detail: String(message) }, 'database driver error'),
              deprecate: (method: unknown) =>
                logger.debug({ detail: String(method) }, 'database driver deprecation'),
              debug: () => undefined,
            },
          },
        }
      : {}),
    debug: false,
    // Transitions are written with explicit conditional updates; no implicit flush on reads.
    flushMode: 'commit',
    forceUtcTimezone: true,
    allowGlobalContext: false,
  });
}
