import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type Request } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '../logger';
import { authenticate } from './auth';

export const QUEUE_BOARD_PATH = '/admin/queues';
const COOKIE = 'upload_admin_token';

/**
 * bull-board (inspect, pause, resume, retry) for admins only. A browser cannot add an
 * Authorization header to page loads, so `?token=JWT` once sets an HttpOnly, SameSite=Strict
 * cookie scoped to this path; API clients may send the header instead.
 */
export function queueBoardRoutes(
  queues: Queue[],
  jwtSecret: string,
  logger: Logger,
  secureCookies: boolean,
  maxTokenTtlSeconds?: number,
): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: adapter });

  const router = Router();
  router.use(QUEUE_BOARD_PATH, (req, res, next) => {
    const queryToken = typeof req.query.token === 'string' ? req.query.token : undefined;
    const token = queryToken ?? cookieToken(req);
    const header = req.headers.authorization ?? (token ? `Bearer ${token}` : undefined);
    const { actor } = authenticate(jwtSecret, header, maxTokenTtlSeconds);
    if (!actor) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Admin token required' } });
      return;
    }
    if (actor.role !== 'ADMIN') {
      logger.warn(
        { security: true, event: 'forbidden', userId: actor.userId, path: QUEUE_BOARD_PATH },
        'forbidden',
      );
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Admins only' } });
      return;
    }
    if (queryToken) {
      res.cookie(COOKIE, queryToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: secureCookies,
        path: QUEUE_BOARD_PATH,
      });
      res.redirect(QUEUE_BOARD_PATH);
      return;
    }
    next();
  });
  router.use(QUEUE_BOARD_PATH, adapter.getRouter());
  return router;
}

function cookieToken(req: Request): string | undefined {
  const cookies = req.headers.cookie?.split(';') ?? [];
  for (const cookie of cookies) {
    const [name, ...value] = cookie.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
