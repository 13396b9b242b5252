import { createHash, randomBytes } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type Request } from 'express';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../pubsub/redis-client';
import type { Logger } from '../logger';
import type { Actor } from '../services/actor';
import { authenticate } from './auth';

export const QUEUE_BOARD_PATH = '/admin/queues';
/**
 * POST here with an admin bearer token for a one-time code that opens the board in a browser.
 * Under the admin REST path, so the rate limit in front of those routes counts it too.
 */
export const QUEUE_BOARD_CODE_PATH = '/api/admin/queue-board/codes';
const COOKIE = 'upload_admin_board';
/** A code is good for one page load within this many seconds. */
export const QUEUE_BOARD_CODE_TTL_SECONDS = 60;
/** A board session ends with the token that opened it, and after 8 h at the latest. */
const MAX_SESSION_SECONDS = 8 * 3600;

export interface QueueBoardOptions {
  redis: RedisClient;
  /** Key prefix of this deployment, ending in its separator (`upl:`; `{upl}:` on a cluster). */
  prefix: string;
  jwtSecret: string;
  maxTokenTtlSeconds: number;
  logger: Logger;
  secureCookies: boolean;
}

interface BoardSession {
  userId: string;
  /** Unix seconds: when the token that opened the session expires. */
  until: number;
}

/**
 * bull-board (inspect, pause, resume, retry) for admins only. A browser cannot add an
 * Authorization header to page loads, and a token in a URL ends up in histories, proxies and
 * logs; so an admin POSTs their bearer token to {@link QUEUE_BOARD_CODE_PATH} for a random code
 * that works once, for 60 s. `/admin/queues?code=…` trades it for an HttpOnly, SameSite=Strict
 * cookie naming a session kept in Redis (every replica sees it) until the token would have
 * expired. API clients may send the Authorization header instead.
 */
export function queueBoardRoutes(queues: Queue[], options: QueueBoardOptions): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: adapter });
  const { redis, logger } = options;
  // Only digests are stored: a Redis dump reveals no usable code or session.
  const codeKey = (code: string) => `${options.prefix}queue-board:code:${digest(code)}`;
  const sessionKey = (id: string) => `${options.prefix}queue-board:session:${digest(id)}`;

  const bearerAdmin = (req: Request, res: Parameters<Parameters<Router['use']>[1]>[1]) => {
    const result = authenticate(options.jwtSecret, req.headers.authorization, options.maxTokenTtlSeconds);
    if (!result.actor) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Admin token required' } });
      return null;
    }
    if (!isAdmin(result.actor, logger)) {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Admins only' } });
      return null;
    }
    return result as { actor: Actor; expiresAt: Date };
  };

  const router = Router();
  router.post(QUEUE_BOARD_CODE_PATH, async (req, res, next) => {
    try {
      const admin = bearerAdmin(req, res);
      if (!admin) return;
      const code = randomBytes(32).toString('base64url');
      const session: BoardSession = {
        userId: admin.actor.userId,
        until: Math.floor(admin.expiresAt.getTime() / 1000),
      };
      await redis.set(codeKey(code), JSON.stringify(session), 'EX', QUEUE_BOARD_CODE_TTL_SECONDS);
      res
        .status(201)
        .set('Cache-Control', 'no-store')
        .json({ url: `${QUEUE_BOARD_PATH}?code=${code}`, expiresInSeconds: QUEUE_BOARD_CODE_TTL_SECONDS });
    } catch (error) {
      next(error);
    }
  });

  router.use(QUEUE_BOARD_PATH, async (req, res, next) => {
    try {
      if ('token' in req.query) {
        res.status(400).json({
          error: {
            code: 'BAD_USER_INPUT',
            message: `Tokens are not accepted in URLs; POST ${QUEUE_BOARD_CODE_PATH} with the bearer header for a one-time code`,
          },
        });
        return;
      }
      const code = typeof req.query.code === 'string' ? req.query.code : undefined;
      if (code) {
        // GETDEL: a code opens one session, even when two replicas receive it at once.
        const stored = await redis.getdel(codeKey(code));
        const session = stored ? (JSON.parse(stored) as BoardSession) : null;
        const seconds = session
          ? Math.min(session.until - Math.floor(Date.now() / 1000), MAX_SESSION_SECONDS)
          : 0;
        if (!session || seconds <= 0) {
          res
            .status(401)
            .json({ error: { code: 'UNAUTHENTICATED', message: 'This code is unknown, used or expired' } });
          return;
        }
        const id = randomBytes(32).toString('base64url');
        await redis.set(sessionKey(id), JSON.stringify(session), 'EX', seconds);
        res.cookie(COOKIE, id, {
          httpOnly: true,
          sameSite: 'strict',
          secure: options.secureCookies,
          path: QUEUE_BOARD_PATH,
          maxAge: seconds * 1000,
        });
        res.redirect(QUEUE_BOARD_PATH);
        return;
      }
      if (req.headers.authorization) {
        if (bearerAdmin(req, res)) next();
        return;
      }
      const id = cookieValue(req, COOKIE);
      const stored = id ? await redis.get(sessionKey(id)) : null;
      if (!stored) {
        res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Admin token required' } });
        return;
      }
      next();
    } catch (error) {
      next(error);
    }
  });
  router.use(QUEUE_BOARD_PATH, adapter.getRouter());
  return router;
}

function isAdmin(actor: Actor, logger: Logger): boolean {
  if (actor.role === 'ADMIN') return true;
  logger.warn(
    { security: true, event: 'forbidden', userId: actor.userId, path: QUEUE_BOARD_PATH },
    'forbidden',
  );
  return false;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function cookieValue(req: Request, name: string): string | undefined {
  const cookies = req.headers.cookie?.split(';') ?? [];
  for (const cookie of cookies) {
    const [key, ...value] = cookie.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
