import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/**
 * The browser pages, built into dist/public, which the server serves (`npm run build`).
 * Everything is bundled from npm packages: no CDN, no script from elsewhere, nothing inline
 * (the pages' Content-Security-Policy allows scripts and styles from this origin only).
 */
export default defineConfig({
  root,
  base: '/',
  publicDir: path.join(root, 'public'),
  build: {
    outDir: process.env.PAGES_OUT_DIR ?? path.join(root, '../dist/public'),
    emptyOutDir: true,
    // No data: URLs: images and fonts are files on this origin.
    assetsInlineLimit: 0,
    sourcemap: true,
    // Monaco (GraphiQL's editor) and Uppy make large chunks; they are loaded per page.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // GraphiQL's dependencies start modules with "use client" (meaningless in a plain bundle).
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: {
        upload: path.join(root, 'index.html'),
        admin: path.join(root, 'admin/index.html'),
        graphiql: path.join(root, 'graphiql/index.html'),
      },
    },
  },
});
