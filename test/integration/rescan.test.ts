import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger';
import { assetTopic } from '../../src/pubsub/pubsub';
import type { AssetEventRow } from '../../src/repositories/asset-event.repository';
import { SignatureVersionRepository } from '../../src/repositories/signature-version.repository';
import { ClamAvScanner } from '../../src/scanners/clamav.scanner';
import { scanTargetFromBuffer } from '../../src/scanners/scan-target';
import type { AssetStateEvent } from '../../src/services/asset-events';
import { SignatureWatch } from '../../src/services/scan/signature-watch';
import { recordLog, startTestApp, type RecordedLog, type TestApp } from '../helpers/app';
import { writeDailyDatabase } from '../helpers/clamav-database';
import { ensureClamd, reloadClamd, type ClamdHandle } from '../helpers/clamd';
import { RescanDocument } from '../generated/graphql';
import { AssetDocument } from '../helpers/operations';
import { waitForAsset } from '../helpers/scan';
import { uploadFile } from '../helpers/upload';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const DAY = 24 * 3600 * 1000;

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The asset's audit trail, oldest first. */
function trail(app: TestApp, assetId: string): Promise<AssetEventRow[]> {
  return app.services.assetEvents.listForAsset(assetId);
}

const rescanEvents = (events: AssetEventRow[]) => events.filter((event) => event.detail?.rescan === true);

function clamdEnv(clamd: ClamdHandle, extra: Record<string, string> = {}): Record<string, string> {
  return { SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(clamd.port), ...extra };
}

describe('rescans with a real clamd', () => {
  let clamd: ClamdHandle;
  let clamav: ClamAvScanner;

  beforeAll(async () => {
    clamd = await ensureClamd({ ownDatabase: true });
    clamav = new ClamAvScanner({ host: clamd.host, port: clamd.port, timeoutMs: 10_000 });
    await writeDailyDatabase(clamd.databaseDir!, {
      version: 27001,
      builtAt: new Date(Date.now() - 3600_000),
    });
    await reloadClamd(clamd, (version) => version.includes('/27001/'));
  }, 60_000);
  afterAll(async () => {
    await clamd?.stop();
  });

  describe('rescanAsset', () => {
    let app: TestApp;
    let receiver: WebhookReceiver;
    let log: RecordedLog;
    let user: string;
    let admin: string;

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      log = recordLog('info');
      app = await startTestApp({
        workers: true,
        log,
        env: clamdEnv(clamd, { WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET: SECRET }),
      });
      user = app.token('rescan-owner');
      admin = app.token('rescan-admin', 'ADMIN');
    });
    afterAll(async () => {
      await app?.close();
      await receiver?.close();
    });

    it('with the same signatures: stays APPROVED and downloadable throughout, the trail records it', async () => {
      const body = Buffer.from(randomBytes(2.5 * 1024 * 1024).toString('hex'));
      const { assetId } = await uploadFile(app, user, { fileName: 'data.csv', mimeType: 'text/csv', body });
      await waitForAsset(app, user, assetId, (a) => a.status === 'APPROVED');
      await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 20_000 });

      // Held in the queue at first, so there is a moment the rescan is pending for certain.
      const { scan } = app.services.queues;
      await scan.pause();
      const rescan = await app.gql(RescanDocument, { id: assetId }, admin);
      expect(rescan.errors).toBeUndefined();
      expect(rescan.data!.rescanAsset).toMatchObject({
        id: assetId,
        status: 'APPROVED',
        scanStatus: 'CLEAN',
      });
      expect(rescan.data!.rescanAsset.downloadUrl).toMatch(/^https?:\/\//);

      // Every look while the rescan is pending or running finds it approved, and the bytes download.
      const look = async () => {
        const asset = (await app.gql(AssetDocument, { id: assetId }, user)).data!.asset!;
        expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
        expect((await download(asset.downloadUrl!)).equals(body)).toBe(true);
      };
      await look();
      await scan.resume();
      const deadline = Date.now() + 20_000;
      while (!(await trail(app, assetId)).some((e) => e.type === 'SCANNED_CLEAN' && e.detail?.rescan)) {
        await look();
        if (Date.now() > deadline) throw new Error('the rescan did not finish');
      }
      await look();
      expect(
        rescanEvents(await trail(app, assetId)).map((e) => [e.type, e.status, e.scanStatus, e.actor]),
      ).toEqual([
        ['SCAN_STARTED', 'APPROVED', 'CLEAN', 'system'],
        ['SCANNED_CLEAN', 'APPROVED', 'CLEAN', 'system'],
      ]);
      const [started, verdict] = rescanEvents(await trail(app, assetId));
      expect(started!.detail).toMatchObject({ rescan: true, trigger: 'admin', requestedBy: 'rescan-admin' });
      expect(verdict!.detail).toMatchObject({ rescan: true, engine: 'clamav', threats: [] });
      // Nothing changed for receivers: no second webhook.
      await app.services.outbox.flush();
      expect(receiver.received.filter((r) => r.json.data.assetId === assetId)).toHaveLength(1);
    });

    it('refuses non-admins, unknown assets and assets that are not approved', async () => {
      const { assetId } = await uploadFile(app, user, {
        fileName: 'x.txt',
        mimeType: 'text/plain',
        body: Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'),
      });
      await waitForAsset(app, user, assetId, (a) => a.status === 'REJECTED');
      expect((await app.gql(RescanDocument, { id: assetId }, user)).errors?.[0]?.extensions?.code).toBe(
        'FORBIDDEN',
      );
      expect(
        (await app.gql(RescanDocument, { id: '00000000-0000-4000-8000-000000000000' }, admin)).errors?.[0]
          ?.extensions?.code,
      ).toBe('NOT_FOUND');
      const refused = await app.gql(RescanDocument, { id: assetId }, admin);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'assetId' });
    });

    it('after the database gains a signature for its bytes: quarantined like a first-scan detection', async () => {
      const image = await sharp(randomBytes(16 * 16 * 3), { raw: { width: 16, height: 16, channels: 3 } })
        .png()
        .toBuffer();
      const { assetId } = await uploadFile(app, user, {
        fileName: 'photo.png',
        mimeType: 'image/png',
        body: image,
      });
      const approved = await waitForAsset(
        app,
        user,
        assetId,
        (a) => a.status === 'APPROVED' && a.thumbnailUrl !== null,
      );
      const row = (await app.services.assets.findById(assetId))!;
      const thumbnailKey = row.thumbnailKey!;
      expect(await app.services.storage.head(thumbnailKey)).not.toBeNull();
      expect(await download(approved.downloadUrl!)).toEqual(image);

      // The signature database learns these bytes (a .hdb line: MD5, size, name); clamd reloads.
      const md5 = createHash('md5').update(image).digest('hex');
      await writeFile(
        path.join(clamd.databaseDir!, 'rescan-test.hdb'),
        `${md5}:${image.length}:Rescan-Test-Detection\n`,
      );
      await reloadClamd(
        clamd,
        async () => (await clamav.scan(scanTargetFromBuffer('probe', image))).outcome === 'infected',
      );

      const told: AssetStateEvent[] = [];
      const unsubscribe = await app.services.bus.subscribe<AssetStateEvent>(assetTopic(assetId), (e) =>
        told.push(e),
      );
      try {
        expect((await app.gql(RescanDocument, { id: assetId }, admin)).data!.rescanAsset.status).toBe(
          'APPROVED',
        );
        const rejected = await waitForAsset(app, user, assetId, (a) => a.status === 'REJECTED');
        expect(rejected).toMatchObject({ scanStatus: 'INFECTED', downloadUrl: null, thumbnailUrl: null });
        expect(rejected.scanResult!.threats).toEqual([
          { engine: 'clamav', name: expect.stringMatching(/^Rescan-Test-Detection/) },
        ]);

        // The object is under quarantine/, the thumbnail gone.
        const quarantined = (await app.services.assets.findById(assetId))!;
        expect(quarantined.storageKey).toBe(`quarantine/${row.storageKey}`);
        expect(await app.services.storage.head(quarantined.storageKey)).not.toBeNull();
        expect(await app.services.storage.head(row.storageKey)).toBeNull();
        expect(await app.services.storage.head(thumbnailKey)).toBeNull();
        expect(quarantined.thumbnailKey).toBeNull();

        // The owner's subscribers are told, on every replica (Redis pub/sub).
        await vi.waitFor(() =>
          expect(told.at(-1)).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED', final: true }),
        );
      } finally {
        unsubscribe();
      }

      expect(rescanEvents(await trail(app, assetId)).map((e) => [e.type, e.status, e.scanStatus])).toEqual([
        ['SCAN_STARTED', 'APPROVED', 'CLEAN'],
        ['SCANNED_INFECTED', 'REJECTED', 'INFECTED'],
      ]);
      const infected = rescanEvents(await trail(app, assetId))[1]!;
      expect(infected.detail).toMatchObject({ rescan: true, reason: 'Virus detected' });

      expect(log.entries).toContainEqual(
        expect.objectContaining({
          security: true,
          event: 'infected_file',
          assetId,
          userId: 'rescan-owner',
          engine: 'clamav',
          threats: [expect.stringMatching(/^Rescan-Test-Detection/)],
        }),
      );

      await vi.waitFor(
        () => expect(receiver.received.filter((r) => r.json.data.assetId === assetId)).toHaveLength(2),
        { timeout: 20_000 },
      );
      const [approvedHook, rejectedHook] = receiver.received.filter((r) => r.json.data.assetId === assetId);
      expect(approvedHook!.json.type).toBe('asset.approved');
      expect(new Webhook(SECRET).verify(rejectedHook!.body, rejectedHook!.headers as any)).toMatchObject({
        type: 'asset.rejected',
        data: {
          assetId,
          status: 'REJECTED',
          scanStatus: 'INFECTED',
          reason: 'Virus detected',
          threats: [{ engine: 'clamav', name: expect.stringMatching(/^Rescan-Test-Detection/) }],
        },
      });
    });
  });

  describe('after a signature update', () => {
    let app: TestApp;
    let user: string;

    beforeAll(async () => {
      app = await startTestApp({
        workers: true,
        env: clamdEnv(clamd, { SIGNATURE_CHECK_INTERVAL_MS: '200', SCAN_CONCURRENCY: '1' }),
      });
      user = app.token('wave-owner');
      // The first version the workers see is only recorded: there is nothing older to compare.
      const key = `${app.services.config.redis.prefix}:signatures:clamav:current`;
      await vi.waitFor(async () => expect(await app.services.redis.get(key)).toMatch(/\/27001$/), {
        timeout: 10_000,
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('recently approved assets are rescanned once, older ones not, and new uploads jump the queue', async () => {
      const upload = async (name: string) => {
        const { assetId } = await uploadFile(app, user, {
          fileName: `${name}.txt`,
          mimeType: 'text/plain',
          body: Buffer.from(`${name} ${randomBytes(8).toString('hex')}\n`),
        });
        await waitForAsset(app, user, assetId, (a) => a.status === 'APPROVED');
        return assetId;
      };
      const recent = [await upload('recent-1'), await upload('recent-2')];
      const old = await upload('old');
      // Approved 10 days ago: outside RESCAN_AFTER_SIGNATURE_UPDATE_DAYS (7).
      await app.services.orm.em
        .getKnex()('ip_asset')
        .where('id', old)
        .update({ approved_at: new Date(Date.now() - 10 * DAY) });

      // Hold the scan queue, so the order the worker takes jobs in shows once it resumes.
      const { scan } = app.services.queues;
      await scan.pause();
      await writeDailyDatabase(clamd.databaseDir!, { version: 27002, builtAt: new Date() });
      await reloadClamd(clamd, (version) => version.includes('/27002/'));
      await vi.waitFor(
        async () => {
          const jobs = await scan.getJobs(['prioritized', 'waiting']);
          expect(
            jobs
              .filter((job) => job.name === 'rescan')
              .map((job) => job.data.assetId)
              .sort(),
          ).toEqual([...recent].sort());
        },
        { timeout: 15_000 },
      );
      const { assetId: fresh } = await uploadFile(app, user, {
        fileName: 'fresh.txt',
        mimeType: 'text/plain',
        body: Buffer.from(`fresh ${randomBytes(8).toString('hex')}\n`),
      });
      await scan.resume();

      await waitForAsset(app, user, fresh, (a) => a.status === 'APPROVED');
      await vi.waitFor(
        async () => {
          for (const id of recent) {
            expect(rescanEvents(await trail(app, id)).map((e) => e.type)).toEqual([
              'SCAN_STARTED',
              'SCANNED_CLEAN',
            ]);
          }
        },
        { timeout: 20_000 },
      );
      const verdictId = async (id: string, rescan: boolean) =>
        BigInt(
          (await trail(app, id)).find(
            (e) => e.type === 'SCANNED_CLEAN' && Boolean(e.detail?.rescan) === rescan,
          )!.id,
        );
      const freshVerdict = await verdictId(fresh, false);
      for (const id of recent) expect(freshVerdict < (await verdictId(id, true))).toBe(true);

      for (const id of recent) {
        const asset = (await app.services.assets.findById(id))!;
        expect(asset.status).toBe('APPROVED');
        expect(asset.scanResult?.signatures?.clamav).toMatch(/\/27002$/);
        expect(
          (await trail(app, id)).find((e) => e.type === 'SCAN_STARTED' && e.detail?.rescan)!.detail,
        ).toMatchObject({
          trigger: 'signature-update',
        });
      }
      expect(rescanEvents(await trail(app, old))).toEqual([]);
      expect(rescanEvents(await trail(app, fresh))).toEqual([]);

      // Once per version: another worker noticing the same version queues nothing more.
      const lateWorker = new SignatureWatch({
        scanner: clamav,
        versions: new SignatureVersionRepository(app.services.redis, `${app.services.config.redis.prefix}:`),
        onUpdate: async () => {
          throw new Error('the update was already handled');
        },
        logger: createLogger('silent'),
        intervalMs: 60_000,
      });
      await lateWorker.check();
      const counts = await scan.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
      for (const id of recent) expect(rescanEvents(await trail(app, id))).toHaveLength(2);
    });
  });
});
