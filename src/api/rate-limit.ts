import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { RedisClient } from '../pubsub/redis-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ERRORS, type AppError } from '../errors';
import type { Logger } from '../logger';
import type { Actor } from '../services/actor';
import { rootFieldCount } from './graphql-limits';
import { sendJson } from './json-response';

/**
 * One per-caller budget of points per minute, shared by every replica (Redis) and by both
 * transports: an HTTP request spends a point at the door, a GraphQL operation one point per root
 * field (over HTTP the door's point is its first), a WebSocket operation the same. Signed-in
 * callers are counted by user, others by address. If Redis itself fails, work passes: the
 * limiter must not become an outage.
 */
export class RequestBudget {
  private readonly limiter: RateLimiterRedis | null;

  constructor(
    redis: RedisClient,
    /** `prefix`: key prefix ending in its separator (`upl:`; `{upl}:` on a cluster). */
    private readonly options: { prefix: string; perMinute: number; logger: Logger },
  ) {
    this.limiter =
      options.perMinute === 0
        ? null
        : new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `${options.prefix}ratelimit`,
            points: options.perMinute,
            duration: 60,
          });
  }

  /** The budget key of a caller. */
  static keyOf(actor: Actor | null, address: string | undefined): string {
    return actor ? `user:${actor.userId}` : `ip:${address ?? 'unknown'}`;
  }

  /** Spends `points`; resolves to the RATE_LIMITED error when that passes the budget, else null. */
  async charge(key: string, points: number): Promise<AppError | null> {
    if (!this.limiter || points <= 0) return null;
    try {
      await this.limiter.consume(key, points);
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        this.options.logger.warn({ err: rejection }, 'rate limiter unavailable; letting the request through');
        return null;
      }
      return ERRORS.rateLimited(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    }
  }
}

/** Express middleware: one point per request, before the body is read. Over budget: HTTP 429. */
export function rateLimit(
  budget: RequestBudget,
  options: { actorOf: (req: Parameters<RequestHandler>[0]) => Actor | null },
): RequestHandler {
  return async (req, res, next) => {
    const refused = await budget.charge(RequestBudget.keyOf(options.actorOf(req), req.ip), 1);
    if (!refused) return next();
    answerRateLimited(res, refused);
  };
}

/** HTTP 429 with Retry-After and a GraphQL-shaped RATE_LIMITED error. */
export function answerRateLimited(res: ServerResponse, refused: AppError): void {
  sendJson(
    res,
    429,
    { errors: [{ message: refused.message, extensions: { code: refused.code, ...refused.extensions } }] },
    { 'retry-after': String(refused.extensions.retryAfterSeconds) },
  );
}

/**
 * Apollo plugin: once the operation is known, charges its root fields beyond the first (the
 * request's own point paid for that one), so aliases and batched mutations each count.
 */
export function operationCostPlugin<TContext extends object>(
  budget: RequestBudget,
  keyOf: (context: TContext) => string,
): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ document, operation, contextValue }) => {
        if (!operation) return;
        const extra = rootFieldCount(document, operation) - 1;
        const refused = await budget.charge(keyOf(contextValue), extra);
        if (refused) throw rateLimitedError(refused);
      },
    }),
  };
}

/** RATE_LIMITED as a GraphQL error: HTTP 429 with Retry-After over HTTP, the same code over WebSocket. */
export function rateLimitedError(refused: AppError): GraphQLError {
  const retryAfter = refused.extensions.retryAfterSeconds;
  return new GraphQLError(refused.message, {
    originalError: refused,
    extensions: {
      code: refused.code,
      ...refused.extensions,
      http: {
        status: 429,
        headers: new Map(retryAfter === undefined ? [] : [['retry-after', String(retryAfter)]]),
      },
    },
  });
}
