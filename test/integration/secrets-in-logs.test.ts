import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLog, startTestApp, type RecordedLog, type TestApp } from '../helpers/app';
import { MY_ASSETS } from '../helpers/operations';
import { initiate, putBytes } from '../helpers/upload';

describe('logs never carry tokens, codes, signatures or cookies', () => {
  let app: TestApp;
  let log: RecordedLog;
  let base: string;
  let admin: string;
  beforeAll(async () => {
    log = recordLog('info');
    app = await startTestApp({ log });
    base = app.url.replace(/\/graphql$/, '');
    admin = app.token('root', 'ADMIN');
  });
  afterAll(() => app?.close());

  const logged = () => JSON.stringify(log.entries);

  it('a token in the queue board URL is refused, and neither it nor a bearer header is logged', async () => {
    const refused = await fetch(`${base}/admin/queues?token=${admin}`, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await app.gql(MY_ASSETS, {}, admin)).status).toBe(200);
    await expect
      .poll(() => log.entries.some((e) => String((e.req as any)?.url).includes('token=')))
      .toBe(true);
    expect(logged()).not.toContain(admin);
    expect(logged()).toContain('token=[redacted]');
  });

  it('a one-time code opens the board once, for a session cookie; neither is logged', async () => {
    const issued = await fetch(`${base}/api/admin/queue-board/codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(issued.status).toBe(201);
    const { url, expiresInSeconds } = (await issued.json()) as { url: string; expiresInSeconds: number };
    expect(expiresInSeconds).toBe(60);
    const code = new URL(url, base).searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{40,}$/);
    // Stored for at most a minute, and only as a digest.
    const prefix = app.services.config.redis.prefix;
    const keys = await app.services.redis.keys(`${prefix}:queue-board:code:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(code);
    expect(await app.services.redis.ttl(keys[0])).toBeGreaterThan(0);
    expect(await app.services.redis.ttl(keys[0])).toBeLessThanOrEqual(60);

    const opened = await fetch(new URL(url, base), { redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe('/admin/queues');
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(admin);
    const session = cookie.split(';')[0];
    const board = await fetch(`${base}/admin/queues`, { headers: { cookie: session } });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('<html');

    // Used once: a second load, or a replayed code, is refused.
    expect((await fetch(new URL(url, base), { redirect: 'manual' })).status).toBe(401);
    expect(
      (await fetch(`${base}/admin/queues`, { headers: { cookie: 'upload_admin_board=forged' } })).status,
    ).toBe(401);
    await expect.poll(() => logged().includes('code=[redacted]')).toBe(true);
    const sessionId = session.split('=')[1];
    expect(logged()).not.toContain(code);
    expect(logged()).not.toContain(sessionId);
  });

  it('only admins get a code', async () => {
    const asUser = await fetch(`${base}/api/admin/queue-board/codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token('pleb')}` },
    });
    expect(asUser.status).toBe(403);
    expect((await fetch(`${base}/api/admin/queue-board/codes`, { method: 'POST' })).status).toBe(401);
  });

  it("an upload URL's signature is not logged", async () => {
    const token = app.token('uploader');
    const upload = await initiate(app, token, { fileName: 'a.txt', fileSize: 5, mimeType: 'text/plain' });
    expect((await putBytes(upload, Buffer.from('hello'))).status).toBe(200);
    const sig = new URL(upload.uploadUrl).searchParams.get('sig')!;
    await expect.poll(() => logged().includes('/storage/upload/')).toBe(true);
    expect(logged()).not.toContain(sig);
    expect(logged()).toContain('sig=[redacted]');
    expect(logged()).not.toContain(token);
  });
});
