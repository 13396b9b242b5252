import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';

/**
 * Where `npm run build` (Vite, web/vite.config.mts) puts the pages. The same relative place from
 * src/api (tsx, tests) and dist/api (npm start).
 */
export const PAGES_DIR = path.resolve(__dirname, '../../dist/public');

/** Where GraphiQL's page is, under the pages (and in the URL). */
const GRAPHIQL_PATH = '/graphiql';
/** The placeholder web/graphiql/index.html carries for the per-request style nonce. */
const NONCE_PLACEHOLDER = '__STYLE_NONCE__';

export interface WebClientOptions {
  pagesDir?: string;
  /** Serve GraphiQL at /graphiql (GRAPHQL_IDE); otherwise it answers 404 like any unknown path. */
  graphiql: boolean;
}

// The pages' own policy, as a header so frame-ancestors applies too. Scripts and styles come
// from this origin only (bundled by Vite, never inline). Uploads, downloads and thumbnails
// may live on another origin (S3, R2, MinIO presigned URLs), so connections and images may go
// to any http(s) origin; data: images are the icons in Uppy's stylesheet.
const PAGE_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:', 'http:', 'https:'],
  connectSrc: ["'self'", 'http:', 'https:', 'ws:', 'wss:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/** The browser pages built from web/: the upload page at `/`, the dashboard, GraphiQL. */
export function webClientRoutes(options: WebClientOptions): Router {
  const pagesDir = options.pagesDir ?? PAGES_DIR;
  const router = Router();
  const pagePolicy = helmet.contentSecurityPolicy({ useDefaults: false, directives: PAGE_DIRECTIVES });
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
  if (options.graphiql)
    router.get([GRAPHIQL_PATH, `${GRAPHIQL_PATH}/`, `${GRAPHIQL_PATH}/index.html`], graphiqlPage(pagesDir));
  // Disabled: its page is not served (its bundles under /assets are inert without it).
  else router.use(GRAPHIQL_PATH, (_req, _res, next) => next('router'));
  router.use(pagePolicy, express.static(pagesDir, { index: 'index.html', cacheControl: true, maxAge: 0 }));
  return router;
}

/**
 * GraphiQL's page. Its editor (Monaco) writes <style> elements at run time, so the policy adds
 * one nonce for style elements, fresh per response and written into the page, which stamps it on
 * each of them, and allows style attributes; scripts stay this-origin-only, as on the other
 * pages. Its stylesheet embeds its icon fonts as data: URLs.
 */
function graphiqlPage(pagesDir: string): express.RequestHandler {
  const file = path.join(pagesDir, 'graphiql', 'index.html');
  const html = existsSync(file) ? readFileSync(file, 'utf8') : null;
  return (req, res, next) => {
    if (html === null) return next('router');
    if (req.path === GRAPHIQL_PATH) return res.redirect(301, `${GRAPHIQL_PATH}/`);
    const nonce = randomBytes(18).toString('base64');
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        `style-src 'self' 'nonce-${nonce}'`,
        `style-src-elem 'self' 'nonce-${nonce}'`,
        // Monaco renders its lines as HTML with style attributes (positions): attributes only,
        // which cannot carry selectors or load anything img-src does not allow.
        "style-src-attr 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data: blob:",
        // The API and its WebSocket are on this origin; 'self' covers ws: in current browsers.
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(html.replace(NONCE_PLACEHOLDER, nonce));
  };
}
