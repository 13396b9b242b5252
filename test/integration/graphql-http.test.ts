import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLog, startTestApp, type RecordedLog, type TestApp } from '../helpers/app';

/**
 * POST /graphql is answered ahead of Express (src/api/graphql-http.ts); everything an Express
 * route gets, it must get too. GET /healthz stands for the Express side.
 */
describe('POST /graphql, the hot path', () => {
  let app: TestApp;
  let log: RecordedLog;
  let base: string;
  beforeAll(async () => {
    log = recordLog('info');
    app = await startTestApp({ log, env: { CORS_ORIGINS: 'https://app.example.com' } });
    base = app.url.replace(/\/graphql$/, '');
  });
  afterAll(() => app?.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('sends the same security headers as the Express routes, and CORS for a listed origin', async () => {
    const origin = { origin: 'https://app.example.com' };
    const graphql = await post('{"query":"{ __typename }"}', origin);
    const express = await fetch(`${base}/healthz`, { headers: origin });
    expect(graphql.status).toBe(200);
    for (const header of [
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
      'referrer-policy',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'access-control-allow-origin',
      'access-control-expose-headers',
    ]) {
      expect(graphql.headers.get(header), header).not.toBeNull();
      expect(graphql.headers.get(header), header).toBe(express.headers.get(header));
    }
    expect(graphql.headers.get('x-powered-by')).toBeNull();
    const other = await post('{"query":"{ __typename }"}', { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('echoes a sane x-request-id, replaces any other, and logs one line without the token', async () => {
    const token = app.token('alice');
    const kept = await post('{"query":"{ __typename }"}', {
      'x-request-id': 'trace-42',
      authorization: `Bearer ${token}`,
    });
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    const replaced = await post('{"query":"{ __typename }"}', {
      'x-request-id': 'not a sane id; ' + 'x'.repeat(200),
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await expect
      .poll(() => log.entries.find((entry) => (entry.req as { id?: string } | undefined)?.id === 'trace-42'))
      .toMatchObject({
        msg: 'request completed',
        component: 'http',
        req: { method: 'POST', url: '/graphql' },
        res: { statusCode: 200 },
      });
    expect(JSON.stringify(log.entries)).not.toContain(token);
  });

  it('bodies: over 1 MB is 413, a foreign charset 415, not JSON 400; each GraphQL-shaped', async () => {
    const tooLarge = await post(JSON.stringify({ query: `{ __typename }#${'x'.repeat(1024 * 1024)}` }));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({
      errors: [{ message: 'Malformed request', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    const latin1 = await post('{"query":"{ __typename }"}', {
      'content-type': 'application/json; charset=latin1',
    });
    expect(latin1.status).toBe(415);
    const broken = await post('{"query":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('a query string does not change the door: POST /graphql?x=1 is answered the same', async () => {
    const answer = await fetch(`${app.url}?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
