import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { AssetDocument, MineDocument } from '../helpers/operations';
import { s3StorageEnv, startS3rver } from '../helpers/s3rver';
import { confirm, initiate, PNG_1x1, putBytes, uploadFile } from '../helpers/upload';

type Provider = 'local' | 's3';

async function startApp(provider: Provider, env: Record<string, string> = {}) {
  if (provider === 'local') return { app: await startTestApp({ env }), stopStorage: async () => undefined };
  const s3 = await startS3rver();
  const app = await startTestApp({
    env: {
      ...s3StorageEnv(s3),
      ...env,
    },
  });
  return { app, stopStorage: () => s3.stop() };
}

describe.each<Provider>(['local', 's3'])('upload spine with %s storage', (provider) => {
  let app: TestApp;
  let stopStorage: () => Promise<void>;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    ({ app, stopStorage } = await startApp(provider));
    alice = app.token('alice');
    bob = app.token('bob');
  });
  afterAll(async () => {
    await app?.close();
    await stopStorage?.();
  });

  it('initiate → PUT → confirm leaves the asset PROCESSING with its scan job queued', async () => {
    const body = Buffer.from('hello, upload service\n');
    const upload = await initiate(app, alice, {
      fileName: 'hello.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect(upload.uploadUrl).toMatch(/^https?:\/\//);
    expect(upload.uploadHeaders['Content-Type'] ?? upload.uploadHeaders['content-type']).toBe('text/plain');
    expect(upload.storageKey).toBe(`assets/${upload.assetId}/hello.txt`);
    expect(new Date(upload.expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);

    const put = await putBytes(upload, body);
    expect(put.ok).toBe(true);
    const confirmed = await confirm(app, alice, upload.assetId, 'Greeting', {
      description: 'd',
      metadata: { a: 1 },
    });
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data!.confirmUpload).toMatchObject({
      id: upload.assetId,
      status: 'PROCESSING',
      scanStatus: 'PENDING',
      title: 'Greeting',
      metadata: { a: 1 },
      fileSize: body.length,
      createdBy: 'alice',
      downloadUrl: null,
    });

    const job = await app.services.queues.scan.getJob(upload.assetId);
    expect(job?.data).toEqual({ assetId: upload.assetId });
    expect(job?.opts).toMatchObject({ attempts: 3, priority: 1, backoff: { type: 'exponential' } });

    // The stored bytes moved to the asset's own key: identical, and no upload URL points there.
    const stored = app.services.storage.getStream(upload.storageKey);
    const chunks: Buffer[] = [];
    for await (const chunk of await stored) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(body);
  });

  it('a repeated confirm returns the asset unchanged, whatever title it carries', async () => {
    const { assetId, asset } = await uploadFile(app, alice, {
      fileName: 'a.png',
      mimeType: 'image/png',
      body: PNG_1x1,
    });
    const again = await confirm(app, alice, assetId, 'Another title');
    expect(again.errors).toBeUndefined();
    expect(again.data!.confirmUpload.title).toBe(asset.title);
    expect(again.data!.confirmUpload.updatedAt).toBe(asset.updatedAt);
  });

  it('concurrent confirms of one upload: all answer the same asset, one scan is queued', async () => {
    const body = Buffer.from('raced\n');
    const upload = await initiate(app, alice, {
      fileName: 'race.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(upload, body)).ok).toBe(true);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => confirm(app, alice, upload.assetId, 'race')),
    );
    for (const result of results) {
      expect(result.errors).toBeUndefined();
      expect(result.data!.confirmUpload).toMatchObject({
        id: upload.assetId,
        status: 'PROCESSING',
        title: 'race',
      });
    }
    expect(new Set(results.map((r) => r.data!.confirmUpload.updatedAt)).size).toBe(1);
    expect(
      await app.services.queues.scan.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active'),
    ).toBeGreaterThanOrEqual(1);
    expect((await app.services.queues.scan.getJob(upload.assetId))?.data).toEqual({
      assetId: upload.assetId,
    });
  });

  it("another user's asset looks exactly like a missing one", async () => {
    const upload = await initiate(app, alice, { fileName: 'x.txt', fileSize: 3, mimeType: 'text/plain' });
    const asBob = await app.gql(AssetDocument, { id: upload.assetId }, bob);
    expect(asBob.data).toEqual({ asset: null });
    const missing = await app.gql(AssetDocument, { id: '00000000-0000-4000-8000-000000000000' }, bob);
    expect(missing.data).toEqual({ asset: null });
    const notAnId = await app.gql(AssetDocument, { id: 'not-a-uuid' }, bob);
    expect(notAnId.data).toEqual({ asset: null });

    const bobConfirm = await confirm(app, bob, upload.assetId);
    expect(bobConfirm.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const admin = await app.gql(AssetDocument, { id: upload.assetId }, app.token('root', 'ADMIN'));
    expect(admin.data!.asset!.id).toBe(upload.assetId);
  });

  it('confirm before any upload says UPLOAD_NOT_FOUND and loses nothing', async () => {
    const upload = await initiate(app, alice, { fileName: 'later.txt', fileSize: 5, mimeType: 'text/plain' });
    const early = await confirm(app, alice, upload.assetId);
    expect(early.errors?.[0].extensions?.code).toBe('UPLOAD_NOT_FOUND');
    expect((await putBytes(upload, Buffer.from('later'))).ok).toBe(true);
    const late = await confirm(app, alice, upload.assetId);
    expect(late.data?.confirmUpload.status).toBe('PROCESSING');
  });

  it('content that is not what was declared is refused, the asset rejected and the object removed', async () => {
    const body = Buffer.from('definitely not a png, just text');
    const upload = await initiate(app, alice, {
      fileName: 'fake.png',
      fileSize: body.length,
      mimeType: 'image/png',
    });
    expect((await putBytes(upload, body)).ok).toBe(true);
    const result = await confirm(app, alice, upload.assetId);
    expect(result.errors?.[0].extensions?.code).toBe('CONTENT_MISMATCH');
    const asset = await app.gql(AssetDocument, { id: upload.assetId }, alice);
    expect(asset.data!.asset).toMatchObject({ status: 'REJECTED', downloadUrl: null });
    expect(await app.services.storage.head(`incoming/${upload.assetId}`)).toBeNull();
    expect(await app.services.storage.head(upload.storageKey)).toBeNull();
  });

  it('a PUT shorter, longer or of another type than declared never becomes an asset', async () => {
    for (const [body, headers] of [
      [Buffer.from('short'), {}],
      [Buffer.from('much longer than declared'), {}],
      [Buffer.from('0123456789'), { 'Content-Type': 'text/csv' }],
    ] as const) {
      const upload = await initiate(app, alice, { fileName: 'n.txt', fileSize: 10, mimeType: 'text/plain' });
      const put = await putBytes(upload, Buffer.from(body), { ...headers });
      const result = await confirm(app, alice, upload.assetId);
      if (put.ok) {
        // s3rver does not check signatures (SERVICES.md); the confirm-time checks still hold.
        expect(result.errors?.[0].extensions?.code).toMatch(/CONTENT_MISMATCH/);
      } else {
        expect(put.status).toBeGreaterThanOrEqual(400);
        expect(result.errors?.[0].extensions?.code).toBe('UPLOAD_NOT_FOUND');
      }
      const asset = await app.gql(AssetDocument, { id: upload.assetId }, alice);
      expect(asset.data!.asset!.status).not.toBe('PROCESSING');
    }
  });

  it('myAssets pages newest first with cursors, and validates its arguments', async () => {
    const carol = app.token('carol');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await initiate(app, carol, { fileName: `f${i}.txt`, fileSize: 1, mimeType: 'text/plain' })).assetId,
      );
    const first = await app.gql(MineDocument, { first: 2 }, carol);
    expect(first.data!.myAssets.totalCount).toBe(5);
    expect(first.data!.myAssets.nodes.map((n) => n.id)).toEqual([ids[4], ids[3]]);
    expect(first.data!.myAssets.hasNextPage).toBe(true);
    const second = await app.gql(MineDocument, { first: 10, after: first.data!.myAssets.endCursor }, carol);
    expect(second.data!.myAssets.nodes.map((n) => n.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(second.data!.myAssets.hasNextPage).toBe(false);

    for (const first of [0, 101]) {
      const bad = await app.gql(MineDocument, { first }, carol);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    const badCursor = await app.gql(MineDocument, { after: 'garbage' }, carol);
    expect(badCursor.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('expired upload URLs', () => {
  let app: TestApp;
  // The app's clock: moved forward instead of waiting for a URL to expire.
  let aheadMs = 0;
  beforeAll(async () => {
    app = await startTestApp({ now: () => new Date(Date.now() + aheadMs) });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses the PUT and answers UPLOAD_EXPIRED at confirm', async () => {
    const token = app.token('dave');
    const upload = await initiate(app, token, { fileName: 'late.txt', fileSize: 4, mimeType: 'text/plain' });
    aheadMs = (app.services.config.upload.urlTtlSeconds + 1) * 1000;
    const put = await putBytes(upload, Buffer.from('late'));
    expect(put.status).toBe(403);
    const result = await confirm(app, token, upload.assetId);
    expect(result.errors?.[0].extensions?.code).toBe('UPLOAD_EXPIRED');
  });
});
