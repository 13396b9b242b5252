import { errorCode, isNetworkError } from './error-details';
import { StorageError } from './storage/storage.adapter';

/** Which dependency is down, as far as the error tells (`dependency` when it does not say). */
export type Dependency = 'database' | 'redis' | 'storage' | 'dependency';

/**
 * SQLSTATE codes of a server that cannot serve right now: class 08 (connection exception),
 * 57P01–57P03 (shutting down, crash recovery, cannot connect now), 53300 (too many connections).
 */
function isPostgresOutageCode(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === '53300';
}

/** Messages of pg, knex and MikroORM for a connection that failed or vanished. */
const DATABASE_OUTAGE_MESSAGE =
  /Connection terminated|Connection ended unexpectedly|Timeout acquiring a connection|not queryable|terminating connection|the database system is (starting up|shutting down|in recovery mode)/i;

/** Messages of ioredis and BullMQ for a connection that is closed, closing or gone. */
const REDIS_OUTAGE_MESSAGE =
  /Connection is closed|Stream isn't writeable|max retries per request|None of startup nodes is available|Failed to refresh slots cache|CLUSTERDOWN|^LOADING |^TRYAGAIN/i;

const REDIS_ERROR_NAMES = new Set([
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'PubSubUnavailable',
]);

/**
 * The one place that tells an outage from everything else: a dependency (PostgreSQL, Redis,
 * storage) that cannot be reached or cannot serve right now. Such an error says nothing about the
 * request, so clients get SERVICE_UNAVAILABLE (retry later), never a verdict like
 * UPLOAD_NOT_FOUND or INTERNAL_SERVER_ERROR. Follows `cause` chains (MikroORM and our storage
 * errors wrap the driver's). Null when the error is not an outage.
 */
export function dependencyOutage(error: unknown): Dependency | null {
  const seen = new Set<unknown>();
  let hint: Dependency = 'dependency';
  for (let current = error; current && typeof current === 'object' && !seen.has(current);) {
    seen.add(current);
    if (current instanceof StorageError) {
      if (current.unavailable) return 'storage';
      hint = 'storage';
    }
    const name = (current as { name?: unknown }).name;
    const message = (current as { message?: unknown }).message;
    const code = errorCode(current);
    if (name === 'DriverException' || name === 'ConnectionException' || name === 'DatabaseError') {
      hint = 'database';
    }
    if (typeof name === 'string' && REDIS_ERROR_NAMES.has(name)) return 'redis';
    if (typeof message === 'string') {
      if (REDIS_OUTAGE_MESSAGE.test(message)) return 'redis';
      if (DATABASE_OUTAGE_MESSAGE.test(message)) return 'database';
    }
    if (code && isPostgresOutageCode(code)) return 'database';
    if (hint !== 'storage' && isNetworkError(current)) return hint;
    current =
      (current as { cause?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return null;
}
