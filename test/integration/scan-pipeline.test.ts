import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import sharp from 'sharp';
import { collectSubscription, recordLog, startTestApp, type TestApp } from '../helpers/app';
import { AssetEngineVersionDocument } from '../generated/graphql';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';
import { AssetDocument, SCAN_STATUS } from '../helpers/operations';
import { confirm, initiate, putBytes, uploadFile } from '../helpers/upload';
import { EICAR, waitForAsset } from '../helpers/scan';
import { startVirusTotalStub, type VirusTotalStub } from '../helpers/virustotal-stub';

interface ScanEvent {
  assetScanStatus: { assetId: string; status: string; scanStatus: string; final: boolean; scanResult: any };
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('scanning with a real clamd', () => {
  let clamd: ClamdHandle;
  let app: TestApp;
  let user: string;
  const log = recordLog('warn');

  beforeAll(async () => {
    clamd = await ensureClamd();
    app = await startTestApp({
      workers: true,
      log,
      env: { SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(clamd.port), SCAN_BACKOFF_MS: '100' },
    });
    user = app.token('scan-user');
  });
  afterAll(async () => {
    await app?.close();
    await clamd?.stop();
  });

  it('a clean file: the subscriber sees every state, the asset is APPROVED and serves the same bytes', async () => {
    const text = Buffer.from('clean text file\n'.repeat(10_000));
    const textUpload = await initiate(app, user, {
      fileName: 'clean.txt',
      fileSize: text.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(textUpload, text)).ok).toBe(true);

    const stream = collectSubscription<ScanEvent>(app.ws(user), SCAN_STATUS, { assetId: textUpload.assetId });
    await stream.started;
    expect((await confirm(app, user, textUpload.assetId)).errors).toBeUndefined();
    const { events, error } = await stream.done;
    expect(error).toBeUndefined();
    expect(
      events.map((e) => [e.assetScanStatus.status, e.assetScanStatus.scanStatus, e.assetScanStatus.final]),
    ).toEqual([
      ['DRAFT', 'PENDING', false],
      ['PROCESSING', 'PENDING', false],
      ['PROCESSING', 'SCANNING', false],
      ['APPROVED', 'CLEAN', true],
    ]);
    expect(events.at(-1)!.assetScanStatus.scanResult).toMatchObject({
      engine: 'clamav',
      threats: [],
      attempts: 1,
    });
    const version = (await app.gql(AssetEngineVersionDocument, { id: textUpload.assetId }, user)).data!.asset!
      .scanResult!.engineVersion;
    expect(version).toMatch(/^ClamAV \d/);
    const ready = (await (await fetch(app.url.replace('/graphql', '/readyz'))).json()) as {
      scanner: unknown;
    };
    expect(ready.scanner).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^ClamAV \d/),
      // The project's test database has no daily.cvd: the engine version alone, and no date.
      signatures: [
        { engine: 'clamav', version: expect.stringMatching(/^\d+\.\d+/), updatedAt: null, ageSeconds: null },
      ],
    });

    // The old upload URL is refused once the asset has left DRAFT, and nothing changes what is served.
    const overwrite = Buffer.from('X'.repeat(text.length));
    expect((await putBytes(textUpload, overwrite)).status).toBe(409);
    const asset = (await app.gql(AssetDocument, { id: textUpload.assetId }, user)).data!.asset!;
    expect(asset.downloadUrl).toMatch(/^https?:\/\//);
    expect(await download(asset.downloadUrl!)).toEqual(text);
  });

  it('EICAR: INFECTED, REJECTED, moved under quarantine/, never downloadable', async () => {
    const { assetId } = await uploadFile(app, user, {
      fileName: 'eicar.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    const { events } = await collectSubscription<ScanEvent>(app.ws(user), SCAN_STATUS, { assetId }).done;
    const last = events.at(-1)!.assetScanStatus;
    expect(last).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED', final: true });
    expect(last.scanResult.threats[0]).toMatchObject({
      engine: 'clamav',
      name: expect.stringMatching(/Eicar/i),
    });

    const asset = (await app.gql(AssetDocument, { id: assetId }, user)).data!.asset!;
    expect(asset.storageKey.startsWith('quarantine/')).toBe(true);
    expect(asset.downloadUrl).toBeNull();
    expect(await app.services.storage.head(asset.storageKey)).not.toBeNull();
    expect(await app.services.storage.head(asset.storageKey.replace(/^quarantine\//, ''))).toBeNull();

    // The security team's trail: who uploaded what, which engine caught it, and as what.
    const securityEvents = log.entries.filter((entry) => entry.security && entry.assetId === assetId);
    expect(securityEvents).toEqual([
      expect.objectContaining({
        level: 40,
        event: 'infected_file',
        userId: 'scan-user',
        engine: 'clamav',
        threats: [expect.stringMatching(/Eicar/i)],
      }),
    ]);
  });

  it('a late duplicate scan job for a decided asset does nothing', async () => {
    const { assetId } = await uploadFile(app, user, {
      fileName: 'again.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    await collectSubscription<ScanEvent>(app.ws(user), SCAN_STATUS, { assetId }).done;
    const decided = await app.services.assets.findById(assetId);
    expect(decided).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED' });

    // As a redelivery would: same payload, a job of its own.
    const late = await app.services.queues.scan.add('scan', { assetId }, { jobId: `late-${assetId}` });
    const finished = await vi.waitFor(
      async () => {
        const job = await app.services.queues.scan.getJob(late.id!);
        expect(job?.finishedOn).toBeDefined();
        return job!;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(finished.returnvalue).toBe('skipped');
    const after = await app.services.assets.findById(assetId);
    expect(after).toMatchObject({
      status: decided!.status,
      scanStatus: decided!.scanStatus,
      stateVersion: decided!.stateVersion,
      storageKey: decided!.storageKey,
      scanResult: decided!.scanResult,
    });
    expect(await app.services.storage.head(decided!.storageKey)).not.toBeNull();
  });

  it('images get a 320 px WebP thumbnail with no EXIF; the final event waits for it', async () => {
    const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3366cc' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret-owner', Artist: 'someone' } })
      .toBuffer();
    const png = await sharp({ create: { width: 500, height: 1000, channels: 4, background: '#ff000080' } })
      .png()
      .toBuffer();
    for (const [fileName, mimeType, body] of [
      ['photo.jpg', 'image/jpeg', jpeg],
      ['pic.png', 'image/png', png],
    ] as const) {
      const { assetId } = await uploadFile(app, user, { fileName, mimeType, body });
      const asset = await waitForAsset(
        app,
        user,
        assetId,
        (a) => a.thumbnailUrl !== null || a.status === 'REJECTED',
      );
      expect(asset.status).toBe('APPROVED');
      const thumbnail = await download(asset.thumbnailUrl!);
      const meta = await sharp(thumbnail).metadata();
      expect(meta.format).toBe('webp');
      expect(Math.max(meta.width!, meta.height!)).toBe(320);
      expect(meta.exif).toBeUndefined();
      expect(thumbnail.includes(Buffer.from('secret-owner'))).toBe(false);
    }
  });

  it('a corrupt image is APPROVED without a thumbnail, and its stream still ends', async () => {
    const real = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const corrupt = Buffer.concat([real.subarray(0, 64), Buffer.alloc(2000, 7)]);
    const { assetId } = await uploadFile(app, user, {
      fileName: 'broken.png',
      mimeType: 'image/png',
      body: corrupt,
    });
    const { events, error } = await collectSubscription<ScanEvent>(app.ws(user), SCAN_STATUS, { assetId })
      .done;
    expect(error).toBeUndefined();
    expect(events.at(-1)!.assetScanStatus).toMatchObject({
      status: 'APPROVED',
      scanStatus: 'CLEAN',
      final: true,
    });
    const asset = (await app.gql(AssetDocument, { id: assetId }, user)).data!.asset!;
    expect(asset.thumbnailUrl).toBeNull();
    expect(asset.downloadUrl).not.toBeNull();
  });

  it("another user's subscription is refused as NOT_FOUND", async () => {
    const { assetId } = await uploadFile(app, user, {
      fileName: 'mine.txt',
      mimeType: 'text/plain',
      body: Buffer.from('mine'),
    });
    const { error } = await collectSubscription(app.ws(app.token('intruder')), SCAN_STATUS, { assetId }).done;
    expect(JSON.stringify(error)).toContain('NOT_FOUND');
  });
});

describe('when clamd cannot scan', () => {
  let small: ClamdHandle;
  afterAll(() => small?.stop());

  it('clamd unreachable past SCAN_UNAVAILABLE_RETRY_SECONDS (0 here): retries, then ERROR / REJECTED, and the subscriber is told', async () => {
    const app = await startTestApp({
      workers: true,
      env: {
        SCANNER_PROVIDER: 'clamav',
        CLAMAV_PORT: '1',
        SCAN_BACKOFF_MS: '50',
        SCAN_ATTEMPTS: '3',
        SCAN_UNAVAILABLE_RETRY_SECONDS: '0',
      },
    });
    try {
      const user = app.token('u');
      const upload = await initiate(app, user, { fileName: 'a.txt', fileSize: 5, mimeType: 'text/plain' });
      await putBytes(upload, Buffer.from('hello'));
      const sub = collectSubscription<ScanEvent>(app.ws(user), SCAN_STATUS, { assetId: upload.assetId });
      await sub.started;
      await confirm(app, user, upload.assetId);
      const { events } = await sub.done;
      // Retries scan again without announcing SCANNING again.
      expect(events.map(({ assetScanStatus: e }) => `${e.status}/${e.scanStatus}`)).toEqual([
        'DRAFT/PENDING',
        'PROCESSING/PENDING',
        'PROCESSING/SCANNING',
        'REJECTED/ERROR',
      ]);
      const last = events.at(-1)!.assetScanStatus;
      expect(last).toMatchObject({ status: 'REJECTED', scanStatus: 'ERROR', final: true });
      expect(last.scanResult).toMatchObject({ attempts: 3, error: expect.any(String) });
      const asset = (await app.gql(AssetDocument, { id: upload.assetId }, user)).data!.asset!;
      expect(asset.downloadUrl).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('a file larger than StreamMaxLength ends ERROR / REJECTED, never CLEAN', async () => {
    small = await ensureClamd({ streamMaxLength: '1M' });
    const app = await startTestApp({
      workers: true,
      env: {
        SCANNER_PROVIDER: 'clamav',
        CLAMAV_PORT: String(small.port),
        SCAN_BACKOFF_MS: '50',
        SCAN_ATTEMPTS: '2',
      },
    });
    try {
      const user = app.token('u');
      const body = Buffer.from('x'.repeat(3 * 1024 * 1024));
      const { assetId } = await uploadFile(app, user, { fileName: 'big.txt', mimeType: 'text/plain', body });
      const asset = await waitForAsset(app, user, assetId, (a) => a.status !== 'PROCESSING');
      expect(asset).toMatchObject({ status: 'REJECTED', scanStatus: 'ERROR' });
      expect(asset.scanResult!.error).toMatch(/size limit|StreamMaxLength/i);
    } finally {
      await app.close();
    }
  });
});

describe('several engines at once: clamav and virustotal (its API served by a local stub)', () => {
  let clamd: ClamdHandle;
  let virustotal: VirusTotalStub;
  let app: TestApp;
  beforeAll(async () => {
    clamd = await ensureClamd();
    virustotal = await startVirusTotalStub();
    app = await startTestApp({
      workers: true,
      env: {
        SCANNER_PROVIDER: 'clamav,virustotal',
        CLAMAV_PORT: String(clamd.port),
        VIRUSTOTAL_URL: virustotal.url,
        VIRUSTOTAL_API_KEY: virustotal.apiKey,
        VIRUSTOTAL_POLL_INTERVAL_MS: '20',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await virustotal?.close();
    await clamd?.stop();
  });

  it('any engine detecting makes it INFECTED, with each threat named by its engine', async () => {
    const user = app.token('multi');
    const { assetId } = await uploadFile(app, user, {
      fileName: 'eicar.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    const asset = await waitForAsset(app, user, assetId, (a) => a.status !== 'PROCESSING');
    expect(asset).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED' });
    expect(asset.scanResult!.engine).toBe('clamav+virustotal');
    const engines = new Set(asset.scanResult!.threats.map((t) => t.engine));
    expect(engines).toEqual(new Set(['clamav', 'virustotal']));
    expect(virustotal.uploads).toHaveLength(1);
  });

  it('a file both engines pass is CLEAN', async () => {
    const user = app.token('multi');
    const { assetId } = await uploadFile(app, user, {
      fileName: 'ok.txt',
      mimeType: 'text/plain',
      body: Buffer.from('fine\n'),
    });
    const asset = await waitForAsset(app, user, assetId, (a) => a.status !== 'PROCESSING');
    expect(asset).toMatchObject({
      status: 'APPROVED',
      scanStatus: 'CLEAN',
      scanResult: { engine: 'clamav+virustotal', threats: [] },
    });
  });
});
