import type { RedisClient } from '../pubsub/redis-client';

/** Delivery state of one endpoint, as admins see it. */
export interface WebhookEndpointState {
  successes: number;
  failures: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  /** Why the last failed try failed (status code or network cause), when the endpoint ever failed. */
  lastError: string | null;
}

/**
 * Per-endpoint delivery counts and last error, in Redis so every worker adds to the same figures
 * and any API replica can report them (/metrics, the admin query).
 */
export class WebhookStatusRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(endpointId: string): string {
    return `${this.prefix}webhooks:endpoint:${endpointId}`;
  }

  async recordSuccess(endpointId: string, at: Date): Promise<void> {
    await this.redis
      .multi()
      .hincrby(this.key(endpointId), 'successes', 1)
      .hset(this.key(endpointId), 'lastSuccessAt', at.toISOString())
      .exec();
  }

  async recordFailure(endpointId: string, error: string, at: Date): Promise<void> {
    await this.redis
      .multi()
      .hincrby(this.key(endpointId), 'failures', 1)
      .hset(this.key(endpointId), 'lastFailureAt', at.toISOString(), 'lastError', error.slice(0, 500))
      .exec();
  }

  /** The state of each endpoint id, in the order given; zeros for one never tried. */
  async read(endpointIds: readonly string[]): Promise<WebhookEndpointState[]> {
    if (endpointIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of endpointIds) pipeline.hgetall(this.key(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, value]) => {
      if (error) throw error;
      const fields = value as Record<string, string>;
      return {
        successes: Number(fields.successes ?? 0),
        failures: Number(fields.failures ?? 0),
        lastSuccessAt: fields.lastSuccessAt ? new Date(fields.lastSuccessAt) : null,
        lastFailureAt: fields.lastFailureAt ? new Date(fields.lastFailureAt) : null,
        lastError: fields.lastError ?? null,
      };
    });
  }
}
