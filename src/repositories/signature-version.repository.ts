import { createHash } from 'node:crypto';
import type { RedisClient } from '../pubsub/redis-client';

/** How long a seen version is remembered; far longer than any engine keeps one version. */
const SEEN_TTL_SECONDS = 180 * 24 * 3600;

/** What {@link SignatureVersionRepository.claim} found. */
export interface VersionClaim {
  /** True for exactly one caller per engine and version, across every worker. */
  first: boolean;
  /** The engine's version before this one, for the first caller; null when none was recorded. */
  previous: string | null;
}

/**
 * Each engine's signature versions as the workers have seen them, in Redis, so a new version is
 * acted on once however many workers notice it (SET NX on the version).
 */
export class SignatureVersionRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private seenKey(engine: string, version: string): string {
    const digest = createHash('sha256').update(version).digest('hex').slice(0, 32);
    return `${this.prefix}signatures:${engine}:seen:${digest}`;
  }

  async claim(engine: string, version: string): Promise<VersionClaim> {
    const seen = await this.redis.set(this.seenKey(engine, version), '1', 'EX', SEEN_TTL_SECONDS, 'NX');
    if (seen !== 'OK') return { first: false, previous: null };
    const previous = await this.redis.getset(`${this.prefix}signatures:${engine}:current`, version);
    return { first: true, previous };
  }

  /** Undoes a claim whose follow-up failed, so the next check (on any worker) claims it again. */
  async release(engine: string, version: string, previous: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.seenKey(engine, version))
      .set(`${this.prefix}signatures:${engine}:current`, previous)
      .exec();
  }
}
