import type { Cluster, Redis } from 'ioredis';

/** A connection to the configured Redis: one server or a Redis Cluster (see `app/redis.ts`). */
export type RedisClient = Redis | Cluster;

/** Opens a connection of its own (a subscribed connection can run nothing else). */
export type RedisClientFactory = () => RedisClient;
