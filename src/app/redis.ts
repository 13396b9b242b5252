import { Cluster, Redis } from 'ioredis';
import type { RedisSettings } from '../config';
import type { Logger } from '../logger';
import type { RedisClient } from '../pubsub/redis-client';

/** Raised when Redis cannot be reached at start-up; the message is one line meant for an operator. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * What a connection is for. BullMQ needs `maxRetriesPerRequest: null` on connections its
 * workers block on, and a subscribed connection waits for messages for good; commands and
 * publishing elsewhere fail fast instead of queueing behind an outage.
 */
export type RedisPurpose = 'commands' | 'workers' | 'subscriber' | 'publisher';

const RETRY_DELAY_MS = (attempt: number) => Math.min(attempt * 200, 5000);

/**
 * A client of the configured Redis: one server, or a Redis Cluster (ioredis `Cluster`, which
 * discovers the other nodes from the seeds and follows slot moves). Connects lazily.
 */
export function createRedisClient(settings: RedisSettings, purpose: RedisPurpose): RedisClient {
  const maxRetriesPerRequest = purpose === 'commands' || purpose === 'publisher' ? 3 : null;
  if (!settings.cluster) {
    return new Redis(settings.url, {
      lazyConnect: true,
      maxRetriesPerRequest,
      connectTimeout: 5000,
      retryStrategy: RETRY_DELAY_MS,
      // A subscriber needs no ready check (SUBSCRIBE works while Redis loads its data), and with
      // one, an UNSUBSCRIBE sent during a reconnect puts the connection in subscriber mode before
      // the check's INFO, which ioredis then refuses: the connection never gets ready again.
      enableReadyCheck: purpose !== 'subscriber',
    });
  }
  const { nodes, username, password, tls } = settings.cluster;
  if (purpose === 'publisher') {
    // A cluster client sends each keyless PUBLISH to a random node, and messages from different
    // nodes may overtake each other; one node for every publish keeps each asset's events in order.
    const [first] = nodes;
    return new Redis({
      host: first!.host,
      port: first!.port,
      username,
      password,
      tls: tls ? {} : undefined,
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      connectTimeout: 5000,
      retryStrategy: RETRY_DELAY_MS,
    });
  }
  return new Cluster(nodes, {
    lazyConnect: true,
    clusterRetryStrategy: RETRY_DELAY_MS,
    redisOptions: {
      username,
      password,
      tls: tls ? {} : undefined,
      maxRetriesPerRequest,
      connectTimeout: 5000,
    },
  });
}

/** Where Redis is, for an operator's message (never the credentials). */
export function describeRedis(settings: RedisSettings): string {
  if (settings.cluster)
    return `the cluster at ${settings.cluster.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  const where = new URL(settings.url);
  return `${where.hostname}:${where.port || 6379}`;
}

/** Connects and checks Redis before anything relies on it. */
export async function connectRedis(
  settings: RedisSettings,
  logger: Logger,
  options: { forWorkers?: boolean } = {},
): Promise<RedisClient> {
  const redis = createRedisClient(settings, options.forWorkers ? 'workers' : 'commands');
  // Until the first connection works, errors become the one start-up line below, not log noise.
  let firstError: Error | undefined;
  const onStartupError = (error: Error) => (firstError ??= error);
  redis.on('error', onStartupError);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(
      `Redis is not reachable at ${describeRedis(settings)} (${(firstError ?? (error as Error)).message}). ` +
        'Start it (e.g. `redis-server --daemonize yes`) or set REDIS_URL.',
    );
  }
  redis.off('error', onStartupError);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  // Once per process: the command connection every role opens checks it; workers' own need not.
  if (!options.forWorkers) await warnOnEvictionPolicy(redis, logger);
  return redis;
}

async function warnOnEvictionPolicy(redis: RedisClient, logger: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      logger.warn({ policy }, 'Redis maxmemory-policy should be noeviction: evicted keys lose queued jobs');
    }
  } catch {
    // CONFIG is often disabled on managed Redis; nothing to check then.
  }
}
