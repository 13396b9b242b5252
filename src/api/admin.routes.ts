import { Router, type NextFunction, type Request, type Response } from 'express';
import express from 'express';
import type { AppServices } from '../app/services';
import { ERRORS, isAppError } from '../errors';
import type { Actor } from '../services/actor';
import { SECURITY_FEED_MAX } from '../services/audit/asset-trail.service';
import { parseDateParam, parseLimitParam } from './admin-input';

type Handler = (req: Request) => Promise<unknown>;

/** Where {@link createAdminRoutes} is mounted; its routes are relative to it. */
export const ADMIN_REST_PATH = '/api/admin';

/**
 * REST twins of the admin GraphQL operations, for scripts and dashboards. No token → 401,
 * not an admin → 403. Errors use the same codes as GraphQL, as `{ error: { code, message } }`.
 */
export function createAdminRoutes(services: AppServices): Router {
  const router = Router();
  const admin = services.admin;
  const route = (handler: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const actor = (req as Request & { actor?: Actor | null }).actor;
      if (!actor) throw ERRORS.unauthenticated();
      if (actor.role !== 'ADMIN') {
        services.logger.warn(
          { security: true, event: 'forbidden', userId: actor.userId, path: req.baseUrl + req.path },
          'forbidden',
        );
        throw ERRORS.forbidden();
      }
      res.json(await handler(req));
    } catch (error) {
      if (!isAppError(error)) return next(error);
      res
        .status(error.httpStatus)
        .json({ error: { code: error.code, message: error.message, ...error.extensions } });
    }
  };

  router.get(
    '/analytics/uploads',
    route((req) =>
      admin.metrics({
        start: parseDateParam(req.query.start, 'start'),
        end: parseDateParam(req.query.end, 'end'),
      }),
    ),
  );
  router.get(
    '/analytics/uploads/queue',
    route(() => admin.queueDepth()),
  );
  router.get(
    '/webhooks',
    route(() => admin.webhookEndpoints()),
  );
  // The newest detections, failed scans and refusals across all assets (the dashboard's feed).
  router.get(
    '/audit/security-events',
    route(async (req) => {
      const actor = (req as Request & { actor: Actor }).actor;
      const limit = parseLimitParam(req.query.limit, 'limit', 20, SECURITY_FEED_MAX);
      const events = await services.assetTrail.latestSecurityEvents(actor, limit);
      return events.map((event) => ({
        assetId: event.assetId,
        ownerId: event.ownerId,
        type: event.type,
        status: event.status,
        scanStatus: event.scanStatus,
        actor: event.actor,
        detail: event.detail,
        mimeType: event.mimeType,
        fileSize: event.fileSize,
        at: event.at.toISOString(),
      }));
    }),
  );
  router.post(
    '/uploads/cleanup',
    express.json({ limit: '10kb' }),
    route(async (req) => {
      const dryRun = (req.body as { dryRun?: unknown } | undefined)?.dryRun ?? true;
      if (typeof dryRun !== 'boolean') throw ERRORS.badInput('dryRun', 'dryRun must be true or false');
      return admin.triggerCleanup(dryRun);
    }),
  );
  return router;
}
