import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSubscription, startTestApp, type TestApp } from '../helpers/app';
import { startOwnPostgres, startOwnRedis, type OwnService } from '../helpers/own-services';
import { ASSET } from '../helpers/operations';
import { s3StorageEnv, startS3rver, type RunningS3rver } from '../helpers/s3rver';
import { waitForAsset } from '../helpers/scan';
import { confirm, initiate, putBytes } from '../helpers/upload';

// A dependency that is down gets a retriable answer, SERVICE_UNAVAILABLE (HTTP 503 with
// Retry-After), never a verdict like UPLOAD_NOT_FOUND or INTERNAL_SERVER_ERROR; the same request
// succeeds once it is back. The faults are real: a PostgreSQL and a Redis of this file's own are
// stopped, the storage root moved away, s3rver halted.

const RESCAN = `mutation Rescan($id: ID!) { rescanAsset(assetId: $id) { id status } }`;

let pg: Awaited<ReturnType<typeof startOwnPostgres>>;
let redis: OwnService;
let app: TestApp;
let storageDir: string;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
  app = await startTestApp({
    databaseUrl: pg.databaseUrl('outages'),
    env: { REDIS_URL: redis.url },
    workers: true,
  });
  storageDir = app.services.config.storage.localDir;
}, 60_000);

afterAll(async () => {
  await app?.close().catch(() => undefined);
  await Promise.all([pg?.dispose(), redis?.dispose()]);
});

async function readyz(): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL('/readyz', app.url));
  return { status: response.status, body: await response.json() };
}

async function uploaded(token: string, body = Buffer.from('hello, outage')) {
  const upload = await initiate(app, token, {
    fileName: 'note.txt',
    fileSize: body.length,
    mimeType: 'text/plain',
  });
  expect((await putBytes(upload, body)).status).toBe(200);
  return upload;
}

function expectServiceUnavailable(response: { status: number; errors?: any[] }) {
  expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  expect(response.errors?.[0]?.message).toMatch(/nothing was changed/);
  expect(response.status).toBe(503);
  expect(JSON.stringify(response.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack|select/i);
}

/** A POST whose Retry-After header we can read (the shared client keeps only the body). */
async function rawGql(query: string, variables: Record<string, unknown>, token: string) {
  return fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
}

describe('PostgreSQL down', () => {
  it('answers SERVICE_UNAVAILABLE over HTTP (503, Retry-After) and WebSocket; a retry after it is back succeeds', async () => {
    const token = app.token('pg-user');
    const upload = await uploaded(token);
    await pg.stop();
    try {
      expectServiceUnavailable(await confirm(app, token, upload.assetId));
      const raw = await rawGql(ASSET, { id: upload.assetId }, token);
      expect(raw.status).toBe(503);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
      const overWs = collectSubscription(app.ws(token), ASSET, { id: upload.assetId });
      const { error } = await overWs.done;
      expect((error as any[])[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.body.failing).toEqual(['postgres']);
    } finally {
      await pg.start();
    }
    const retried = await confirm(app, token, upload.assetId);
    expect(retried.errors).toBeUndefined();
    expect(retried.data?.confirmUpload.status).toBe('PROCESSING');
    await waitForAsset(app, token, upload.assetId, (asset) => asset.status === 'APPROVED');
  });
});

describe('Redis down', () => {
  it('a queue add that fails answers SERVICE_UNAVAILABLE; after Redis is back it succeeds', async () => {
    const user = app.token('redis-user');
    const admin = app.token('redis-admin', 'ADMIN');
    const upload = await uploaded(user);
    expect((await confirm(app, user, upload.assetId)).errors).toBeUndefined();
    await waitForAsset(app, user, upload.assetId, (asset) => asset.status === 'APPROVED');
    await redis.stop();
    try {
      expectServiceUnavailable(await app.gql(RESCAN, { id: upload.assetId }, admin));
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.body.failing).toEqual(['redis']);
    } finally {
      await redis.start();
    }
    await expect
      .poll(async () => (await app.gql(RESCAN, { id: upload.assetId }, admin)).errors, { timeout: 15_000 })
      .toBeUndefined();
  });
});

describe('local storage root gone', () => {
  it('confirm answers SERVICE_UNAVAILABLE, not UPLOAD_NOT_FOUND, and the root is not re-created', async () => {
    const token = app.token('fs-user');
    const upload = await uploaded(token);
    const away = `${storageDir}.away`;
    await rename(storageDir, away);
    try {
      expectServiceUnavailable(await confirm(app, token, upload.assetId));
      const ready = await readyz();
      expect(ready.body.failing).toEqual(['storage']);
      // A PUT to storage that is down is refused as retriable too.
      const fresh = await initiate(app, token, { fileName: 'b.txt', fileSize: 2, mimeType: 'text/plain' });
      const put = await putBytes(fresh, Buffer.from('hi'));
      expect(put.status).toBe(503);
      expect(put.headers.get('retry-after')).not.toBeNull();
      expect(existsSync(storageDir)).toBe(false);
    } finally {
      await rename(away, storageDir);
    }
    const retried = await confirm(app, token, upload.assetId);
    expect(retried.errors).toBeUndefined();
    const final = await waitForAsset(app, token, upload.assetId, (asset) => asset.status === 'APPROVED');
    expect(final.scanStatus).toBe('CLEAN');
  });
});

describe('S3 storage unreachable', () => {
  let s3: RunningS3rver;
  let s3App: TestApp;

  beforeAll(async () => {
    s3 = await startS3rver();
    s3App = await startTestApp({
      databaseUrl: pg.databaseUrl('outages_s3'),
      env: { REDIS_URL: redis.url, ...s3StorageEnv(s3) },
    });
  });
  afterAll(async () => {
    await s3App?.close();
    await s3?.stop();
  });

  it('confirm answers SERVICE_UNAVAILABLE while s3rver is down, and succeeds after', async () => {
    const token = s3App.token('s3-user');
    const body = Buffer.from('hello, s3');
    const upload = await initiate(s3App, token, {
      fileName: 'n.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(upload, body)).status).toBe(200);
    await s3.halt();
    try {
      const response = await confirm(s3App, token, upload.assetId);
      expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(response.status).toBe(503);
    } finally {
      await s3.resume();
    }
    const retried = await confirm(s3App, token, upload.assetId);
    expect(retried.errors).toBeUndefined();
    expect(retried.data?.confirmUpload.status).toBe('PROCESSING');
  });
});
