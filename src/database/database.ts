import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Logger } from '../logger';
import { ormOptions } from './mikro-orm.config';

/** Raised when PostgreSQL cannot be reached; the message is one line meant for an operator. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** Creates the database named in the URL when it does not exist (zero-config start-up). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return false;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(
      `PostgreSQL is not reachable at ${url.hostname}:${url.port || 5432} (${(error as Error).message}). ` +
        'Start it (e.g. `pg_ctlcluster 15 main start`) or set DATABASE_URL.',
    );
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    // Another process may have created it at the same moment.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** Opens the ORM and applies pending migrations. */
export async function openDatabase(
  databaseUrl: string,
  logger: Logger,
  options: { poolMax?: number } = {},
): Promise<MikroORM> {
  const created = await ensureDatabase(databaseUrl);
  if (created) logger.info({ database: new URL(databaseUrl).pathname.slice(1) }, 'created database');
  const orm = await MikroORM.init(ormOptions(databaseUrl, { poolMax: options.poolMax, logger }));
  const applied = await withMigrationLock(databaseUrl, () => orm.getMigrator().up());
  if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  return orm;
}

/** Any fixed number: the advisory lock that serialises migrations across replicas starting together. */
const MIGRATION_LOCK_ID = 7_421_001;

async function withMigrationLock<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
