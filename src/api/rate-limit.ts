import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ERRORS } from '../errors';
import type { Logger } from '../logger';
import type { Actor } from '../services/actor';

/**
 * Per-caller request budget shared by every replica (Redis). Signed-in callers are counted by
 * user, others by address. Over budget: HTTP 429 with a GraphQL-shaped RATE_LIMITED error.
 * If Redis itself fails, requests pass: the limiter must not become an outage.
 */
export function rateLimit(
  redis: Redis,
  options: {
    prefix: string;
    perMinute: number;
    logger: Logger;
    actorOf: (req: Parameters<RequestHandler>[0]) => Actor | null;
  },
): RequestHandler {
  if (options.perMinute === 0) return (_req, _res, next) => next();
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${options.prefix}:ratelimit`,
    points: options.perMinute,
    duration: 60,
  });
  return async (req, res, next) => {
    const actor = options.actorOf(req);
    const key = actor ? `user:${actor.userId}` : `ip:${req.ip}`;
    try {
      await limiter.consume(key);
      next();
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        options.logger.warn({ err: rejection }, 'rate limiter unavailable; letting the request through');
        next();
        return;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      const error = ERRORS.rateLimited(retryAfterSeconds);
      res
        .status(429)
        .set('Retry-After', String(retryAfterSeconds))
        .json({
          errors: [{ message: error.message, extensions: { code: error.code, ...error.extensions } }],
        });
    }
  };
}
