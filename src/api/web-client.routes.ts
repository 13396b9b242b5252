import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';

/** The project's own upload page (public/) and the graphql-ws browser build it uses. */
export function webClientRoutes(): Router {
  const router = Router();
  // Same relative place from src/api (tsx, tests) and dist/api (npm start).
  const publicDir = path.resolve(__dirname, '../../public');
  // graphql-ws ships a browser (UMD) build outside its `exports`; find it beside its package.json.
  const graphqlWsBrowserBuild = path.join(
    path.dirname(require.resolve('graphql-ws/package.json')),
    'umd/graphql-ws.js',
  );
  router.get('/vendor/graphql-ws.js', (_req, res) => {
    res.type('application/javascript').sendFile(graphqlWsBrowserBuild);
  });
  // The page's own policy, as a header so frame-ancestors applies too. Uploads and images may
  // go to any http(s) origin: that is where S3, R2 or MinIO presigned URLs point.
  const pagePolicy = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'blob:', 'http:', 'https:'],
      connectSrc: ["'self'", 'http:', 'https:', 'ws:', 'wss:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });
  // Revalidated on every load (cheap: ETag), so a deploy never pairs new HTML with an old script.
  router.use(pagePolicy, express.static(publicDir, { index: 'index.html', cacheControl: true, maxAge: 0 }));
  return router;
}
