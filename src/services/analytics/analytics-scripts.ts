import type { RedisClient } from '../../pubsub/redis-client';

// Lua scripts make each multi-key change atomic in one round trip: a reader never sees half an
// event or half a rebuild, and the idempotency check cannot race with the increments it guards.

/**
 * KEYS[1] marker, KEYS[2] metrics cache, KEYS[3..] counter keys.
 * ARGV[1] marker TTL, ARGV[2] counter-key TTL, ARGV[3] pub/sub channel, ARGV[4] day,
 * then groups of four: key index, 'h' (hash) or 'z' (sorted set), field, amount.
 * Returns 1 when counted, 0 when the marker already existed (a duplicate).
 */
const TRACK_EVENT_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
for i = 5, #ARGV, 4 do
  local key = KEYS[tonumber(ARGV[i])]
  if ARGV[i + 1] == 'z' then
    redis.call('ZINCRBY', key, ARGV[i + 3], ARGV[i + 2])
  else
    redis.call('HINCRBY', key, ARGV[i + 2], ARGV[i + 3])
  end
end
for i = 3, #KEYS do
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

/**
 * KEYS[1] metrics cache, KEYS[2] daily hash. ARGV[1] the revision the summary was computed
 * from, ARGV[2] JSON, ARGV[3] TTL. Writes only if no event arrived since, so a slow reader
 * cannot cache stale figures after an event's invalidation. Returns 1 when written.
 */
const CACHE_IF_CURRENT_LUA = `
local revision = redis.call('HGET', KEYS[2], 'revision') or '0'
if revision ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;

/**
 * KEYS[1], KEYS[2] scratch keys for bytes and counts; then ARGV[1] day keys of bytes followed
 * by as many of counts. ARGV[2] limit. Returns flat [userId, bytes, uploads, ...], most bytes
 * first. The scratch keys exist only while the script runs.
 */
const TOP_UPLOADERS_LUA = `
local days = tonumber(ARGV[1])
local bytesKeys, countKeys = {}, {}
for i = 1, days do
  bytesKeys[i] = KEYS[2 + i]
  countKeys[i] = KEYS[2 + days + i]
end
redis.call('ZUNIONSTORE', KEYS[1], days, unpack(bytesKeys))
redis.call('ZUNIONSTORE', KEYS[2], days, unpack(countKeys))
local top = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')
local result = {}
for i = 1, #top, 2 do
  result[#result + 1] = top[i]
  result[#result + 1] = top[i + 1]
  result[#result + 1] = redis.call('ZSCORE', KEYS[2], top[i]) or '0'
end
redis.call('DEL', KEYS[1], KEYS[2])
return result
`;

/**
 * KEYS: pairs (live, rebuilt) with the daily hash first, then the metrics cache last.
 * ARGV[1] TTL for the live keys, ARGV[2] pub/sub channel, ARGV[3] day, then daily fields to
 * carry over from the live hash. Swaps every rebuilt key into place (or deletes the live one
 * when nothing was rebuilt), bumps the revision and drops the cache, all at once.
 */
const COMMIT_REBUILD_LUA = `
local pairCount = (#KEYS - 1) / 2
for i = 4, #ARGV do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  if value then
    redis.call('HSET', KEYS[2], ARGV[i], value)
  end
end
redis.call('HINCRBY', KEYS[2], 'revision', 1)
for p = 0, pairCount - 1 do
  local live, rebuilt = KEYS[2 * p + 1], KEYS[2 * p + 2]
  if redis.call('EXISTS', rebuilt) == 1 then
    redis.call('RENAME', rebuilt, live)
    redis.call('EXPIRE', live, ARGV[1])
  else
    redis.call('DEL', live)
  end
end
redis.call('DEL', KEYS[#KEYS])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`;

type RedisArg = string | number;

/** The scripts as typed functions; each takes its KEYS then its ARGV. */
export interface AnalyticsScripts {
  trackEvent(keys: string[], args: RedisArg[]): Promise<number>;
  cacheIfCurrent(keys: string[], args: RedisArg[]): Promise<number>;
  topUploaders(keys: string[], args: RedisArg[]): Promise<string[]>;
  commitRebuild(keys: string[], args: RedisArg[]): Promise<number>;
}

const SCRIPTS = {
  trackEvent: { name: 'uploadAnalyticsTrackEvent', lua: TRACK_EVENT_LUA },
  cacheIfCurrent: { name: 'uploadAnalyticsCacheIfCurrent', lua: CACHE_IF_CURRENT_LUA },
  topUploaders: { name: 'uploadAnalyticsTopUploaders', lua: TOP_UPLOADERS_LUA },
  commitRebuild: { name: 'uploadAnalyticsCommitRebuild', lua: COMMIT_REBUILD_LUA },
} as const;

type DefinedCommand = (numKeys: number, ...keysAndArgs: RedisArg[]) => Promise<unknown>;

/**
 * Registers the scripts on the connection (ioredis sends EVALSHA and falls back to EVAL, so
 * each script crosses the wire once per connection) and returns them typed. Names are
 * namespaced so they cannot clash with commands other modules define on a shared client.
 */
export function defineAnalyticsScripts(redis: RedisClient): AnalyticsScripts {
  const bind = (script: { name: string; lua: string }) => {
    redis.defineCommand(script.name, { lua: script.lua });
    const command = (redis as unknown as Record<string, DefinedCommand>)[script.name]!.bind(redis);
    return (keys: string[], args: RedisArg[]) => command(keys.length, ...keys, ...args);
  };
  const trackEvent = bind(SCRIPTS.trackEvent);
  const cacheIfCurrent = bind(SCRIPTS.cacheIfCurrent);
  const topUploaders = bind(SCRIPTS.topUploaders);
  const commitRebuild = bind(SCRIPTS.commitRebuild);
  return {
    trackEvent: async (keys, args) => Number(await trackEvent(keys, args)),
    cacheIfCurrent: async (keys, args) => Number(await cacheIfCurrent(keys, args)),
    topUploaders: async (keys, args) => (await topUploaders(keys, args)) as string[],
    commitRebuild: async (keys, args) => Number(await commitRebuild(keys, args)),
  };
}
