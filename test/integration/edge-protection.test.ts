import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSubscription, startTestApp, type TestApp } from '../helpers/app';
import { MY_ASSETS, SCAN_STATUS } from '../helpers/operations';

describe('rate limits and WebSocket authentication', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => app?.close());

  it('over the limit: HTTP 429 with RATE_LIMITED, counted per user', async () => {
    const token = app.token('greedy');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestApp['gql']>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await app.gql(MY_ASSETS, {}, token);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last!.errors?.[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    // Another user has a budget of their own.
    expect((await app.gql(MY_ASSETS, {}, app.token('patient'))).status).toBe(200);
  });

  it("unknown paths are 404 whatever the token, and spend no one's budget", async () => {
    const token = app.token('wanderer');
    const get = (path: string, bearer: string) =>
      fetch(new URL(path, app.url), { headers: { authorization: `Bearer ${bearer}` } });
    for (let i = 0; i < 7; i++) expect((await get('/no-such-page', token)).status).toBe(404);
    expect((await get('/no-such-page', 'not-a-jwt')).status).toBe(404);
    // The admin REST routes still check the token.
    expect((await get('/api/admin/analytics/uploads/queue', 'not-a-jwt')).status).toBe(401);
    expect((await app.gql(MY_ASSETS, {}, token)).status).toBe(200);
  });

  it('a WebSocket without a token, or with a bad one, is closed with 4401', async () => {
    for (const token of [null, 'not-a-jwt', `${app.token('x')}tampered`]) {
      const { error } = await collectSubscription(
        app.ws(token),
        SCAN_STATUS,
        { assetId: '00000000-0000-4000-8000-000000000000' },
        5000,
      ).done;
      expect((error as { code?: number }).code).toBe(4401);
    }
  });
});

describe('CORS for web apps on other origins', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(() => app?.close());

  const preflight = (origin: string) =>
    fetch(app.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('answers a listed origin, and only that one', async () => {
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
