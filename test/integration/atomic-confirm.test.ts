import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, dropDatabase, startTestApp, type TestApp } from '../helpers/app';
import { s3StorageEnv, startS3rver, type RunningS3rver } from '../helpers/s3rver';
import { closeRawSockets, rawPut } from '../helpers/raw-http';
import { confirm, initiate, PNG_1x1, putBytes } from '../helpers/upload';

/**
 * Two API instances of one deployment (same database, Redis prefix and storage root), as two
 * replicas would be, each confirming the same uploads at once.
 */
describe.each(['local', 's3'] as const)('confirm is atomic across replicas (%s storage)', (provider) => {
  let first: TestApp;
  let second: TestApp;
  let storageDir: string;
  let databaseUrl: string;
  let s3: RunningS3rver | undefined;
  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(os.tmpdir(), 'upl-shared-'));
    databaseUrl = freshDatabaseUrl();
    if (provider === 's3') s3 = await startS3rver();
    const storage = s3 ? s3StorageEnv(s3) : { STORAGE_LOCAL_DIR: storageDir };
    const shared = { databaseUrl, redisPrefix: `t${randomBytes(4).toString('hex')}`, env: storage };
    first = await startTestApp(shared);
    second = await startTestApp(shared);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await s3?.stop();
    await dropDatabase(databaseUrl);
    await rm(storageDir, { recursive: true, force: true });
  });

  const confirmedEvents = async (assetId: string) => {
    const rows = await first.services.orm.em
      .getConnection()
      .execute(`select count(*)::int as n from asset_event where asset_id = ? and type = 'CONFIRMED'`, [
        assetId,
      ]);
    return rows[0].n as number;
  };

  it('24 concurrent confirms through two instances: one confirm, the same answer for all, no error', async () => {
    const token = first.token('racer');
    for (let round = 0; round < 2; round++) {
      const body = Buffer.from(`race ${round}\n`);
      const upload = await initiate(first, token, {
        fileName: 'race.txt',
        fileSize: body.length,
        mimeType: 'text/plain',
      });
      expect((await putBytes(upload, body)).status).toBe(200);
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          confirm(i % 2 === 0 ? first : second, token, upload.assetId, `Title ${i}`),
        ),
      );
      for (const answer of answers) {
        expect(answer.errors).toBeUndefined();
        expect(answer.status).toBe(200);
      }
      const assets = answers.map((answer) => answer.data!.confirmUpload);
      expect(new Set(assets.map((asset) => asset.status))).toEqual(new Set(['PROCESSING']));
      // The first confirm's title won; every repeat returned the asset as it left it.
      expect(new Set(assets.map((asset) => asset.title)).size).toBe(1);
      expect(await confirmedEvents(upload.assetId)).toBe(1);
      const stored = await first.services.storage.peek(assets[0].storageKey, 100);
      expect(stored?.bytes.toString()).toBe(body.toString());
      expect(await first.services.storage.head(`incoming/${upload.assetId}`)).toBeNull();
    }
  }, 90_000);

  it('concurrent confirms of bytes that are not what was declared: one rejection, no internal error', async () => {
    const token = first.token('liar');
    const upload = await initiate(first, token, { fileName: 'x.png', fileSize: 5, mimeType: 'text/plain' });
    expect((await putBytes(upload, PNG_1x1.subarray(0, 5))).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => confirm(i % 2 === 0 ? first : second, token, upload.assetId)),
    );
    const codes = answers.map(
      (answer) => answer.errors?.[0].extensions?.code ?? answer.data?.confirmUpload.status,
    );
    expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
    expect(codes.filter((code) => code === 'CONTENT_MISMATCH')).toHaveLength(1);
    expect(new Set(codes.filter((code) => code !== 'CONTENT_MISMATCH'))).toEqual(new Set(['REJECTED']));
  });

  it('concurrent confirms of nothing uploaded: every one says UPLOAD_NOT_FOUND and the draft stays', async () => {
    const token = first.token('early');
    const upload = await initiate(first, token, { fileName: 'e.txt', fileSize: 5, mimeType: 'text/plain' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => confirm(i % 2 === 0 ? first : second, token, upload.assetId)),
    );
    expect(answers.map((answer) => answer.errors?.[0].extensions?.code)).toEqual(
      Array(10).fill('UPLOAD_NOT_FOUND'),
    );
    expect((await first.services.assets.findById(upload.assetId))?.status).toBe('DRAFT');
  });
});

describe('an upload URL is refused once its asset has left DRAFT (local provider)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());
  afterEach(closeRawSockets);

  it('a PUT after confirm gets 409 and changes nothing', async () => {
    const token = app.token('late');
    const upload = await initiate(app, token, { fileName: 'l.txt', fileSize: 5, mimeType: 'text/plain' });
    expect((await putBytes(upload, Buffer.from('first'))).status).toBe(200);
    const confirmed = (await confirm(app, token, upload.assetId)).data!.confirmUpload;
    const late = await putBytes(upload, Buffer.from('LATER'));
    expect(late.status).toBe(409);
    expect(await app.services.storage.head(`incoming/${upload.assetId}`)).toBeNull();
    expect((await app.services.storage.peek(confirmed.storageKey, 10))?.bytes.toString()).toBe('first');
  });

  it('a PUT still streaming when confirm takes the earlier bytes is refused and leaves no orphan', async () => {
    const token = app.token('racer');
    const upload = await initiate(app, token, { fileName: 'r.txt', fileSize: 5, mimeType: 'text/plain' });
    expect((await putBytes(upload, Buffer.from('first'))).status).toBe(200);
    const streaming = await rawPut(upload, 5);
    streaming.write('LA');
    const confirmed = (await confirm(app, token, upload.assetId)).data!.confirmUpload;
    expect(confirmed.status).toBe('PROCESSING');
    streaming.write('TER');
    expect(await streaming.status).toBe(409);
    expect(await app.services.storage.head(`incoming/${upload.assetId}`)).toBeNull();
    expect((await app.services.storage.peek(confirmed.storageKey, 10))?.bytes.toString()).toBe('first');
  });
});
