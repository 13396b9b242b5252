import { Redis } from 'ioredis';
import type { Logger } from '../logger';

/** Raised when Redis cannot be reached at start-up; the message is one line meant for an operator. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * Connects and checks Redis before anything relies on it. BullMQ needs `maxRetriesPerRequest:
 * null` on connections its workers block on; commands elsewhere fail fast instead of queueing.
 */
export async function connectRedis(
  url: string,
  logger: Logger,
  options: { forWorkers?: boolean } = {},
): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: options.forWorkers ? null : 3,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  // Until the first connection works, errors become the one start-up line below, not log noise.
  let firstError: Error | undefined;
  const onStartupError = (error: Error) => (firstError ??= error);
  redis.on('error', onStartupError);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const where = new URL(url);
    throw new RedisUnavailableError(
      `Redis is not reachable at ${where.hostname}:${where.port || 6379} (${(firstError ?? (error as Error)).message}). ` +
        'Start it (e.g. `redis-server --daemonize yes`) or set REDIS_URL.',
    );
  }
  redis.off('error', onStartupError);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  // Once per process: the command connection every role opens checks it; workers' own need not.
  if (!options.forWorkers) await warnOnEvictionPolicy(redis, logger);
  return redis;
}

async function warnOnEvictionPolicy(redis: Redis, logger: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      logger.warn({ policy }, 'Redis maxmemory-policy should be noeviction: evicted keys lose queued jobs');
    }
  } catch {
    // CONFIG is often disabled on managed Redis; nothing to check then.
  }
}
