import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webClientRoutes } from '../../src/api/web-client.routes';
import { startTestApp, type TestApp } from '../helpers/app';

/** GRAPHQL_IDE decides whether GraphiQL (/graphiql) and Apollo Sandbox (GET /graphql) are served. */
describe('GRAPHQL_IDE', () => {
  let pagesDir: string;
  beforeAll(async () => {
    pagesDir = await mkdtemp(path.join(os.tmpdir(), 'upl-pages-'));
    await mkdir(path.join(pagesDir, 'graphiql'));
    await writeFile(path.join(pagesDir, 'index.html'), '<p>upload</p>');
    await writeFile(
      path.join(pagesDir, 'graphiql', 'index.html'),
      '<meta name="style-nonce" content="__STYLE_NONCE__"><p>graphiql</p>',
    );
  });
  afterAll(() => rm(pagesDir, { recursive: true, force: true }));

  /** The pages router alone, with a 404 after it as the API server has. */
  async function pagesServer(graphiql: boolean) {
    const app = express();
    app.use(webClientRoutes({ pagesDir, graphiql }));
    app.use((_req, res) => void res.status(404).json({ error: { code: 'NOT_FOUND' } }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { origin, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it('off: /graphiql answers 404 under every spelling; the other pages are served', async () => {
    const server = await pagesServer(false);
    try {
      for (const url of ['/graphiql', '/graphiql/', '/graphiql/index.html']) {
        expect((await fetch(`${server.origin}${url}`)).status, url).toBe(404);
      }
      expect((await fetch(`${server.origin}/`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('on: the page carries the nonce its policy names, a new one per response', async () => {
    const server = await pagesServer(true);
    try {
      const nonces = new Set<string>();
      for (const url of ['/graphiql/', '/graphiql/index.html']) {
        const response = await fetch(`${server.origin}${url}`);
        expect(response.status).toBe(200);
        const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
        expect(nonce).toBeDefined();
        expect(await response.text()).toContain(`content="${nonce}"`);
        nonces.add(nonce!);
      }
      expect(nonces.size).toBe(2);
    } finally {
      await server.close();
    }
  });

  describe('Apollo Sandbox at GET /graphql', () => {
    const apps: TestApp[] = [];
    afterAll(() => Promise.all(apps.map((app) => app.close())));
    const landingPage = async (env: Record<string, string>) => {
      const app = await startTestApp({ env });
      apps.push(app);
      const response = await fetch(app.url, { headers: { accept: 'text/html' } });
      return { app, html: await response.text() };
    };

    it('is the landing page outside production', async () => {
      expect((await landingPage({})).html).toContain('embeddable-sandbox');
    });

    it('is not served when GRAPHQL_IDE leaves it out', async () => {
      const { app, html } = await landingPage({ GRAPHQL_IDE: 'graphiql' });
      expect(html).not.toContain('embeddable-sandbox');
      // The API itself still answers.
      expect((await app.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    });
  });
});
