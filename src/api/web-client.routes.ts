import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';

/**
 * Where `npm run build` (Vite, web/vite.config.mts) puts the pages. The same relative place from
 * src/api (tsx, tests) and dist/api (npm start).
 */
export const PAGES_DIR = path.resolve(__dirname, '../../dist/public');

/** The browser pages built from web/: the upload page at `/`. */
export function webClientRoutes(pagesDir: string = PAGES_DIR): Router {
  const router = Router();
  // The pages' own policy, as a header so frame-ancestors applies too. Scripts and styles come
  // from this origin only (bundled by Vite, never inline). Uploads, downloads and thumbnails
  // may live on another origin (S3, R2, MinIO presigned URLs), so connections and images may go
  // to any http(s) origin; data: images are the icons in Uppy's stylesheet.
  const pagePolicy = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:', 'http:', 'https:'],
      connectSrc: ["'self'", 'http:', 'https:', 'ws:', 'wss:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });
  const built = existsSync(path.join(pagesDir, 'index.html'));
  if (!built) {
    router.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The web pages are not built. Run `npm run build` (or `npm start`, which builds first).\n');
    });
    return router;
  }
  // Hashed asset names never change, so they may be cached for good; the HTML is revalidated on
  // every load (cheap: ETag), so a deploy never pairs new HTML with an old script.
  router.use(
    '/assets',
    pagePolicy,
    express.static(path.join(pagesDir, 'assets'), { immutable: true, maxAge: '365d' }),
  );
  router.use(pagePolicy, express.static(pagesDir, { index: 'index.html', cacheControl: true, maxAge: 0 }));
  return router;
}
