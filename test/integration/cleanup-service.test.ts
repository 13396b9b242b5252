import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureDatabase, openDatabase } from '../../src/database/database';
import { ormOptions } from '../../src/database/mikro-orm.config';
import { AssetStatus, ScanStatus, ThumbnailStatus } from '../../src/entities/ip-asset.entity';
import { Migration20261128020000_cleanup_indexes } from '../../src/migrations/Migration20261128020000-cleanup-indexes';
import { migrationsList } from '../../src/migrations';
import { createAppMetrics, type AppMetrics } from '../../src/observability/metrics';
import { AssetRepository } from '../../src/repositories/asset.repository';
import {
  RejectionReason,
  UploadEventType,
  type UploadEvent,
} from '../../src/services/analytics/upload-event';
import { AssetLifecycle } from '../../src/services/lifecycle/asset-lifecycle';
import { analyticsEventsOf } from '../../src/services/lifecycle/outbox-consumers';
import { CleanupRepository } from '../../src/repositories/cleanup.repository';
import { CleanupService, type CleanupResult, type CleanupSettings } from '../../src/services/cleanup';
import { storageKeys } from '../../src/services/upload/file-name';
import { LocalStorageAdapter } from '../../src/storage/local.storage';
import { S3StorageAdapter } from '../../src/storage/s3.storage';
import { StorageError, type StorageAdapter } from '../../src/storage/storage.adapter';
import { startS3rver, type RunningS3rver } from '../helpers/s3rver';

const SERVER_URL = 'postgres://postgres@127.0.0.1:5432';
const DB_NAME = `upl_cleanup_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
const CLEANUP_MIGRATION = {
  name: 'Migration20261128020000-cleanup-indexes',
  class: Migration20261128020000_cleanup_indexes,
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Short, so one test can hold objects on both sides of it; long enough to survive a slow write. */
const GRACE_MS = 1_500;
const SETTINGS: CleanupSettings = {
  abandonedAfterHours: 24,
  failedAfterDays: 7,
  quarantineAfterDays: 30,
  orphanGraceMs: GRACE_MS,
  // Tiny batches, so every category and the orphan merges cross page boundaries.
  batchSize: 2,
};

const logger = pino({ level: 'silent' });
let orm: MikroORM;
let knex: Knex;

/** Opens this file's own database, with the cleanup migration even before index.ts lists it. */
async function openTestDatabase(url: string): Promise<MikroORM> {
  if (migrationsList.some((m) => m.name === CLEANUP_MIGRATION.name))
    return openDatabase(url, logger, { poolMax: 5 });
  await ensureDatabase(url);
  const options = ormOptions(url, { poolMax: 5 });
  const db = await MikroORM.init({
    ...options,
    migrations: { ...options.migrations, migrationsList: [...migrationsList, CLEANUP_MIGRATION] },
  });
  await db.getMigrator().up();
  return db;
}

beforeAll(async () => {
  orm = await openTestDatabase(`${SERVER_URL}/${DB_NAME}`);
  knex = orm.em.fork().getKnex();
});

afterAll(async () => {
  await orm?.close(true);
  const admin = new Client({ connectionString: `${SERVER_URL}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  await admin.end();
});

// --- fixtures --------------------------------------------------------------------------------

/**
 * A lifecycle whose outbox is read back by the test: `events()` are the analytics events the
 * asset_event rows written since it was made will count once delivered.
 */
class RecordingSink {
  readonly lifecycle = new AssetLifecycle(new AssetRepository(orm), { wake: () => undefined });

  private constructor(private readonly since: string) {}

  /** Reads the newest event id first, so no event the test then causes can precede it. */
  static async start(): Promise<RecordingSink> {
    const [row] = await knex('asset_event').max<{ max: string | null }[]>('id as max');
    return new RecordingSink(row?.max ?? '0');
  }

  async events(): Promise<UploadEvent[]> {
    const since = this.since;
    const rows = await knex('asset_event').where('id', '>', since).orderBy('id');
    return rows.flatMap((row) =>
      analyticsEventsOf({
        ...row,
        id: String(row.id),
        assetId: row.asset_id,
        ownerId: row.owner_id,
        scanStatus: row.scan_status,
        stateVersion: row.state_version,
        mimeType: row.mime_type,
        fileSize: Number(row.file_size),
        scanResult: row.scan_result,
        deliveredAt: null,
        at: new Date(row.at),
      }),
    );
  }
}

interface AssetSeed {
  id?: string;
  status: AssetStatus;
  scanStatus?: ScanStatus;
  storageKey?: string;
  uploadKey?: string | null;
  thumbnailKey?: string | null;
  rejectionReason?: string | null;
  createdAgo?: number;
  confirmedAgo?: number | null;
  rejectedAgo?: number | null;
  quarantinedAgo?: number | null;
  updatedAgo?: number;
}

const ago = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(Date.now() - ms);

/** Inserts one row straight into the table, back-dated as asked; returns its id. */
async function insertAsset(seed: AssetSeed): Promise<string> {
  const id = seed.id ?? randomUUID();
  await knex('ip_asset').insert({
    id,
    storage_key: seed.storageKey ?? storageKeys.asset(id, 'file.bin'),
    upload_key: seed.uploadKey === undefined ? null : seed.uploadKey,
    file_name: 'file.bin',
    file_size: 123,
    mime_type: 'application/octet-stream',
    status: seed.status,
    scan_status: seed.scanStatus ?? ScanStatus.PENDING,
    thumbnail_key: seed.thumbnailKey ?? null,
    thumbnail_status: seed.thumbnailKey ? ThumbnailStatus.DONE : ThumbnailStatus.NONE,
    rejection_reason: seed.rejectionReason ?? null,
    created_by: 'user-1',
    upload_expires_at: ago((seed.createdAgo ?? 0) - 15 * 60_000),
    created_at: ago(seed.createdAgo ?? 0),
    confirmed_at: ago(seed.confirmedAgo),
    rejected_at: ago(seed.rejectedAgo),
    quarantined_at: ago(seed.quarantinedAgo),
    updated_at: ago(
      seed.updatedAgo ??
        Math.min(seed.rejectedAgo ?? Infinity, seed.confirmedAgo ?? Infinity, seed.createdAgo ?? 0),
    ),
  });
  return id;
}

async function putObject(storage: StorageAdapter, key: string, size: number): Promise<void> {
  await storage.put(key, Buffer.alloc(size, 7), {
    contentType: 'application/octet-stream',
    contentLength: size,
  });
}

async function listAll(storage: StorageAdapter): Promise<Map<string, number>> {
  const objects = new Map<string, number>();
  for await (const page of storage.list('')) for (const object of page) objects.set(object.key, object.size);
  return objects;
}

async function tableSnapshot(): Promise<Record<string, unknown>[]> {
  return knex('ip_asset').select('*').orderBy('id');
}

async function wipe(storage: StorageAdapter): Promise<void> {
  await knex.raw('truncate ip_asset');
  for (const key of (await listAll(storage)).keys()) await storage.delete(key);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every category and orphan kind, with what a run must do to each. Objects written before the
 * pause are older than the grace period; those written after it are in flight.
 */
async function seedScenario(storage: StorageAdapter) {
  const sizes = new Map<string, number>();
  const put = async (key: string, size: number) => {
    await putObject(storage, key, size);
    sizes.set(key, size);
  };
  const id = () => randomUUID();
  const ids = {
    abandoned1: id(),
    abandoned2: id(),
    abandoned3: id(),
    freshDraft: id(),
    failed1: id(),
    failedMismatch: id(),
    recentFailed: id(),
    infected1: id(),
    infectedNoObject: id(),
    recentInfected: id(),
    approved: id(),
    rowWithoutObject: id(),
    rejectedWithoutObject: id(),
    processingInGrace: id(),
    rejectedWithUpload: id(),
  };
  const key = {
    failed1: storageKeys.asset(ids.failed1, 'f.bin'),
    failed1Thumb: storageKeys.thumbnail(ids.failed1),
    recentFailed: storageKeys.asset(ids.recentFailed, 'r.bin'),
    infected1: storageKeys.quarantine(storageKeys.asset(ids.infected1, 'i.bin')),
    recentInfected: storageKeys.quarantine(storageKeys.asset(ids.recentInfected, 'i.bin')),
    approved: storageKeys.asset(ids.approved, 'p.png'),
    approvedThumb: storageKeys.thumbnail(ids.approved),
    goneThumb: storageKeys.thumbnail(ids.rowWithoutObject),
    orphanAsset: storageKeys.asset(id(), 'x.bin'),
    orphanUpload: storageKeys.upload(id()),
    orphanThumb: storageKeys.thumbnail(id()),
    orphanQuarantine: storageKeys.quarantine(storageKeys.asset(id(), 'q.bin')),
    strayThumb: 'thumbnails/not-an-asset.webp',
    freshOrphanAsset: storageKeys.asset(id(), 'fresh.bin'),
    freshOrphanUpload: storageKeys.upload(id()),
  };

  // Abandoned: DRAFTs past 24 h, with and without an upload.
  await insertAsset({
    id: ids.abandoned1,
    status: AssetStatus.DRAFT,
    uploadKey: storageKeys.upload(ids.abandoned1),
    createdAgo: 25 * HOUR,
  });
  await put(storageKeys.upload(ids.abandoned1), 100);
  await insertAsset({
    id: ids.abandoned2,
    status: AssetStatus.DRAFT,
    uploadKey: storageKeys.upload(ids.abandoned2),
    createdAgo: 30 * HOUR,
  });
  await put(storageKeys.upload(ids.abandoned2), 200);
  await insertAsset({
    id: ids.abandoned3,
    status: AssetStatus.DRAFT,
    uploadKey: storageKeys.upload(ids.abandoned3),
    createdAgo: 48 * HOUR,
  });
  // A DRAFT inside the limit, its upload already there: never touched, and not an orphan.
  await insertAsset({
    id: ids.freshDraft,
    status: AssetStatus.DRAFT,
    uploadKey: storageKeys.upload(ids.freshDraft),
    createdAgo: HOUR,
  });
  await put(storageKeys.upload(ids.freshDraft), 50);

  // Failed: REJECTED past 7 days (scan error with object and thumbnail; content mismatch without).
  await insertAsset({
    id: ids.failed1,
    status: AssetStatus.REJECTED,
    scanStatus: ScanStatus.ERROR,
    storageKey: key.failed1,
    thumbnailKey: key.failed1Thumb,
    createdAgo: 9 * DAY,
    confirmedAgo: 9 * DAY,
    rejectedAgo: 8 * DAY,
    rejectionReason: RejectionReason.VirusScanFailed,
  });
  await put(key.failed1, 300);
  await put(key.failed1Thumb, 40);
  await insertAsset({
    id: ids.failedMismatch,
    status: AssetStatus.REJECTED,
    createdAgo: 10 * DAY,
    rejectedAgo: 10 * DAY,
    rejectionReason: RejectionReason.ContentMismatch,
  });
  await insertAsset({
    id: ids.recentFailed,
    status: AssetStatus.REJECTED,
    scanStatus: ScanStatus.ERROR,
    storageKey: key.recentFailed,
    createdAgo: 2 * DAY,
    confirmedAgo: 2 * DAY,
    rejectedAgo: DAY,
    rejectionReason: RejectionReason.VirusScanFailed,
  });
  await put(key.recentFailed, 70);

  // Infected: quarantined past 30 days (one with its object already gone), and a recent one.
  await insertAsset({
    id: ids.infected1,
    status: AssetStatus.REJECTED,
    scanStatus: ScanStatus.INFECTED,
    storageKey: key.infected1,
    createdAgo: 31 * DAY,
    confirmedAgo: 31 * DAY,
    rejectedAgo: 31 * DAY,
    quarantinedAgo: 31 * DAY,
    rejectionReason: RejectionReason.VirusDetected,
  });
  await put(key.infected1, 500);
  await insertAsset({
    id: ids.infectedNoObject,
    status: AssetStatus.REJECTED,
    scanStatus: ScanStatus.INFECTED,
    storageKey: storageKeys.quarantine(storageKeys.asset(ids.infectedNoObject, 'gone.bin')),
    createdAgo: 40 * DAY,
    confirmedAgo: 40 * DAY,
    rejectedAgo: 40 * DAY,
    quarantinedAgo: 40 * DAY,
    rejectionReason: RejectionReason.VirusDetected,
  });
  await insertAsset({
    id: ids.recentInfected,
    status: AssetStatus.REJECTED,
    scanStatus: ScanStatus.INFECTED,
    storageKey: key.recentInfected,
    createdAgo: 5 * DAY,
    confirmedAgo: 5 * DAY,
    rejectedAgo: 5 * DAY,
    quarantinedAgo: 5 * DAY,
    rejectionReason: RejectionReason.VirusDetected,
  });
  await put(key.recentInfected, 60);

  // Live assets, and rows whose object is gone.
  await insertAsset({
    id: ids.approved,
    status: AssetStatus.APPROVED,
    scanStatus: ScanStatus.CLEAN,
    storageKey: key.approved,
    thumbnailKey: key.approvedThumb,
    createdAgo: 2 * DAY,
    confirmedAgo: 2 * DAY,
  });
  await put(key.approved, 1000);
  await put(key.approvedThumb, 30);
  await insertAsset({
    id: ids.rowWithoutObject,
    status: AssetStatus.APPROVED,
    scanStatus: ScanStatus.CLEAN,
    thumbnailKey: key.goneThumb,
    createdAgo: 2 * DAY,
    confirmedAgo: 2 * DAY,
  });
  await put(key.goneThumb, 25);
  await insertAsset({
    id: ids.rejectedWithoutObject,
    status: AssetStatus.REJECTED,
    scanStatus: ScanStatus.ERROR,
    createdAgo: 2 * DAY,
    confirmedAgo: 2 * DAY,
    rejectedAgo: DAY,
    rejectionReason: RejectionReason.VirusScanFailed,
  });
  // Rejected at confirm, yet its upload came back: only a DRAFT owns an upload.
  await insertAsset({
    id: ids.rejectedWithUpload,
    status: AssetStatus.REJECTED,
    createdAgo: DAY,
    rejectedAgo: DAY,
    rejectionReason: RejectionReason.ContentMismatch,
  });
  await put(storageKeys.upload(ids.rejectedWithUpload), 15);

  // Orphan objects, old enough.
  await put(key.orphanAsset, 11);
  await put(key.orphanUpload, 12);
  await put(key.orphanThumb, 13);
  await put(key.orphanQuarantine, 14);
  await put(key.strayThumb, 18);

  await sleep(GRACE_MS + 300);
  // In flight: written within the grace period, so not orphans yet.
  await put(key.freshOrphanAsset, 16);
  await put(key.freshOrphanUpload, 17);
  // Confirmed a moment ago, no object yet: its object may be in the middle of a move.
  await insertAsset({
    id: ids.processingInGrace,
    status: AssetStatus.PROCESSING,
    createdAgo: HOUR,
    confirmedAgo: 0,
  });

  const deletedKeys = [
    storageKeys.upload(ids.abandoned1),
    storageKeys.upload(ids.abandoned2),
    key.failed1,
    key.failed1Thumb,
    key.infected1,
    key.goneThumb,
    storageKeys.upload(ids.rejectedWithUpload),
    key.orphanAsset,
    key.orphanUpload,
    key.orphanThumb,
    key.orphanQuarantine,
    key.strayThumb,
  ];
  return {
    ids,
    key,
    sizes,
    deletedKeys,
    /** Read after the last write: runs that use it as their clock judge ages as of seeding. */
    seededAt: new Date(),
    deletedRows: [
      ids.failed1,
      ids.failedMismatch,
      ids.infected1,
      ids.infectedNoObject,
      ids.rowWithoutObject,
      ids.rejectedWithoutObject,
    ],
    abandoned: [ids.abandoned1, ids.abandoned2, ids.abandoned3],
    freedBytes: deletedKeys.reduce((sum, k) => sum + (sizes.get(k) ?? 0), 0),
  };
}

async function counterValue(
  metrics: AppMetrics,
  name: 'cleanupItems' | 'cleanupRuns',
  labels: Record<string, string>,
) {
  const { values } = await metrics[name].get();
  return (
    values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k as never] === want))?.value ?? 0
  );
}

/** Wraps a storage so that deleting the given keys fails, as a provider outage would. */
function failingDeletes(storage: StorageAdapter, failing: Set<string>): StorageAdapter {
  return new Proxy(storage, {
    get(target, property, receiver) {
      if (property === 'delete') {
        return async (key: string) => {
          if (failing.has(key))
            throw new StorageError('Storage delete failed', { operation: 'delete', code: 'AccessDenied' });
          return target.delete(key);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// --- the same behaviour on both providers ------------------------------------------------------

interface ProviderHarness {
  storage: StorageAdapter;
  /** Where the provider keeps its data, which must never appear in an error. */
  secretLocation: string;
  close(): Promise<void>;
}

const providers: [string, () => Promise<ProviderHarness>][] = [
  [
    'local',
    async () => {
      const rootDir = await mkdtemp(path.join(tmpdir(), 'cleanup-local-'));
      const storage = new LocalStorageAdapter({
        rootDir,
        signingSecret: 'cleanup-test-signing-secret',
        publicUrl: () => 'http://127.0.0.1:1',
      });
      return { storage, secretLocation: rootDir, close: () => rm(rootDir, { recursive: true, force: true }) };
    },
  ],
  [
    's3',
    async () => {
      const s3: RunningS3rver = await startS3rver();
      const storage = new S3StorageAdapter({
        endpoint: s3.endpoint,
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        bucket: s3.bucket,
        forcePathStyle: true,
      });
      return {
        storage,
        secretLocation: s3.bucket,
        close: async () => {
          await storage.close();
          await s3.stop();
        },
      };
    },
  ],
];

describe.each(providers)('CleanupService with the %s provider', (_name, startProvider) => {
  let harness: ProviderHarness;
  let storage: StorageAdapter;

  beforeAll(async () => {
    harness = await startProvider();
    storage = harness.storage;
  });
  afterAll(async () => harness?.close());
  beforeEach(async () => wipe(storage));

  it('dry run reports exactly what the real run then does; a re-run does nothing', async () => {
    const scenario = await seedScenario(storage);
    const sink = await RecordingSink.start();
    const metrics = createAppMetrics({ collectDefaultMetrics: false });
    // The three runs share one clock reading: on a slow machine they can outlast the grace
    // period, and the in-flight objects must stay in flight for all of them.
    const settings = { ...SETTINGS, now: () => scenario.seededAt };
    const service = new CleanupService(
      new CleanupRepository(knex),
      storage,
      sink.lifecycle,
      settings,
      logger,
      metrics,
    );
    const tableBefore = await tableSnapshot();
    const objectsBefore = await listAll(storage);

    const dry = await service.run({ dryRun: true });

    expect(await tableSnapshot()).toEqual(tableBefore);
    expect(await listAll(storage)).toEqual(objectsBefore);
    expect(await sink.events()).toEqual([]);
    expect(await counterValue(metrics, 'cleanupRuns', { result: 'success' })).toBe(0);
    const expected: CleanupResult = {
      dryRun: true,
      abandonedCleaned: 3,
      failedCleaned: 2,
      infectedCleaned: 2,
      storageFreedBytes: scenario.freedBytes,
      errors: [],
      orphans: {
        objectsWithoutRow: 6,
        rowsWithoutObject: 2,
        multipartUploadsWithoutAsset: 0,
        examples: expect.any(Array) as unknown as string[],
      },
    };
    expect(dry).toEqual(expected);
    expect(new Set(dry.orphans.examples)).toEqual(
      new Set([
        scenario.key.orphanAsset,
        scenario.key.orphanQuarantine,
        scenario.key.orphanUpload,
        storageKeys.upload(scenario.ids.rejectedWithUpload),
        scenario.key.orphanThumb,
        scenario.key.strayThumb,
        scenario.ids.rowWithoutObject,
        scenario.ids.rejectedWithoutObject,
      ]),
    );

    const real = await service.run({ dryRun: false });
    expect(real).toEqual({ ...dry, dryRun: false });

    // Rows: the deleted ones are gone, everything else is still there.
    const after = await tableSnapshot();
    const afterIds = new Set(after.map((row) => row.id));
    for (const id of scenario.deletedRows) expect(afterIds.has(id)).toBe(false);
    expect(afterIds.size).toBe(tableBefore.length - scenario.deletedRows.length);
    // Abandoned DRAFTs are REJECTED, their uploads forgotten, their version bumped.
    for (const id of scenario.abandoned) {
      const row = after.find((r) => r.id === id) as Record<string, unknown>;
      const before = tableBefore.find((r) => r.id === id) as Record<string, unknown>;
      expect(row).toMatchObject({
        status: AssetStatus.REJECTED,
        rejection_reason: RejectionReason.UploadAbandoned,
        upload_key: null,
        state_version: (before.state_version as number) + 1,
      });
      expect(row.rejected_at).not.toBeNull();
    }
    // Rows nobody should touch are byte-for-byte as they were (the fresh DRAFT among them).
    const untouched = [
      scenario.ids.freshDraft,
      scenario.ids.recentFailed,
      scenario.ids.recentInfected,
      scenario.ids.approved,
      scenario.ids.processingInGrace,
      scenario.ids.rejectedWithUpload,
    ];
    for (const id of untouched)
      expect(after.find((r) => r.id === id)).toEqual(tableBefore.find((r) => r.id === id));

    // Objects: exactly the expected ones are gone.
    const objectsAfter = await listAll(storage);
    const expectedObjects = new Map(objectsBefore);
    for (const key of scenario.deletedKeys) expectedObjects.delete(key);
    expect(objectsAfter).toEqual(expectedObjects);
    expect(objectsAfter.has(storageKeys.upload(scenario.ids.freshDraft))).toBe(true);
    expect(objectsAfter.has(scenario.key.freshOrphanAsset)).toBe(true);
    expect(objectsAfter.has(scenario.key.freshOrphanUpload)).toBe(true);

    // Analytics: one Rejected/'Upload abandoned' per abandoned asset; one CleanedUp per deleted row.
    const rejected = (await sink.events()).filter((e) => e.type === UploadEventType.Rejected);
    expect(rejected.map((e) => e.assetId).sort()).toEqual([...scenario.abandoned].sort());
    expect(rejected.every((e) => e.reason === RejectionReason.UploadAbandoned && e.userId === 'user-1')).toBe(
      true,
    );
    const cleanedUp = (await sink.events()).filter((e) => e.type === UploadEventType.CleanedUp);
    expect(cleanedUp.map((e) => e.assetId).sort()).toEqual([...scenario.deletedRows].sort());

    expect(await counterValue(metrics, 'cleanupItems', { category: 'abandoned', result: 'cleaned' })).toBe(3);
    expect(await counterValue(metrics, 'cleanupItems', { category: 'failed', result: 'cleaned' })).toBe(2);
    expect(await counterValue(metrics, 'cleanupItems', { category: 'infected', result: 'cleaned' })).toBe(2);
    expect(await counterValue(metrics, 'cleanupRuns', { result: 'success' })).toBe(1);

    // A re-run finds nothing; the run after it neither.
    const again = await service.run({ dryRun: false });
    expect(again).toEqual({
      dryRun: false,
      abandonedCleaned: 0,
      failedCleaned: 0,
      infectedCleaned: 0,
      storageFreedBytes: 0,
      errors: [],
      orphans: { objectsWithoutRow: 0, rowsWithoutObject: 0, multipartUploadsWithoutAsset: 0, examples: [] },
    });
    expect(await listAll(storage)).toEqual(objectsAfter);
    expect(await tableSnapshot()).toEqual(after);
    expect((await sink.events()).filter((e) => e.type === UploadEventType.Rejected)).toHaveLength(3);
  });

  it('reports a failing delete safely, keeps that row, finishes the rest, and retries it next run', async () => {
    const abandoned = await insertAsset({ status: AssetStatus.DRAFT, uploadKey: null, createdAgo: 2 * DAY });
    const abandonedOk = await insertAsset({
      status: AssetStatus.DRAFT,
      uploadKey: null,
      createdAgo: 2 * DAY,
    });
    const failed = await insertAsset({
      status: AssetStatus.REJECTED,
      scanStatus: ScanStatus.ERROR,
      createdAgo: 9 * DAY,
      confirmedAgo: 9 * DAY,
      rejectedAgo: 8 * DAY,
    });
    const failedOk = await insertAsset({
      status: AssetStatus.REJECTED,
      scanStatus: ScanStatus.ERROR,
      createdAgo: 9 * DAY,
      confirmedAgo: 9 * DAY,
      rejectedAgo: 8 * DAY,
    });
    for (const id of [abandoned, abandonedOk]) await putObject(storage, storageKeys.upload(id), 10);
    for (const id of [failed, failedOk]) await putObject(storage, storageKeys.asset(id, 'file.bin'), 20);
    const brokenKeys = new Set([storageKeys.upload(abandoned), storageKeys.asset(failed, 'file.bin')]);
    const metrics = createAppMetrics({ collectDefaultMetrics: false });
    const sink = await RecordingSink.start();
    const broken = new CleanupService(
      new CleanupRepository(knex),
      failingDeletes(storage, brokenKeys),
      sink.lifecycle,
      { ...SETTINGS, batchSize: 1 },
      logger,
      metrics,
    );

    const result = await broken.run({ dryRun: false });

    expect(result).toMatchObject({
      abandonedCleaned: 1,
      failedCleaned: 1,
      infectedCleaned: 0,
      storageFreedBytes: 30,
    });
    expect(result.errors).toHaveLength(2);
    expect(result.errors.find((e) => e.includes(abandoned))).toMatch(
      /^abandoned asset .+: storage delete failed \(AccessDenied\)$/,
    );
    expect(result.errors.find((e) => e.includes(failed))).toMatch(
      /^failed asset .+: storage delete failed \(AccessDenied\)$/,
    );
    for (const error of result.errors) {
      expect(error).not.toContain(harness.secretLocation);
      expect(error).not.toContain('/file.bin');
      expect(error).not.toContain('incoming/');
    }
    const rows = await knex('ip_asset').select('id', 'status');
    expect(rows).toEqual(
      expect.arrayContaining([
        { id: abandoned, status: AssetStatus.DRAFT },
        { id: abandonedOk, status: AssetStatus.REJECTED },
        { id: failed, status: AssetStatus.REJECTED },
      ]),
    );
    expect(rows).toHaveLength(3);
    expect([...(await listAll(storage)).keys()].sort()).toEqual([...brokenKeys].sort());
    expect(
      (await sink.events()).filter((e) => e.type === UploadEventType.Rejected).map((e) => e.assetId),
    ).toEqual([abandonedOk]);
    expect(await counterValue(metrics, 'cleanupItems', { category: 'abandoned', result: 'failed' })).toBe(1);
    expect(await counterValue(metrics, 'cleanupItems', { category: 'failed', result: 'failed' })).toBe(1);
    // Item failures do not fail the run; only a phase that stops does.
    expect(await counterValue(metrics, 'cleanupRuns', { result: 'success' })).toBe(1);

    const healthy = new CleanupService(
      new CleanupRepository(knex),
      storage,
      sink.lifecycle,
      SETTINGS,
      logger,
    );
    const retry = await healthy.run({ dryRun: false });
    expect(retry).toMatchObject({ abandonedCleaned: 1, failedCleaned: 1, storageFreedBytes: 30, errors: [] });
    expect(await listAll(storage)).toEqual(new Map());
    expect(await knex('ip_asset').pluck('id')).toEqual(expect.arrayContaining([abandoned, abandonedOk]));
    expect((await sink.events()).filter((e) => e.type === UploadEventType.Rejected)).toHaveLength(2);
  });

  it('never clobbers a confirm that holds the row: the DRAFT is skipped, not rejected', async () => {
    const id = randomUUID();
    await insertAsset({
      id,
      status: AssetStatus.DRAFT,
      uploadKey: storageKeys.upload(id),
      createdAgo: 2 * DAY,
    });
    await putObject(storage, storageKeys.upload(id), 10);
    const service = new CleanupService(
      new CleanupRepository(knex),
      storage,
      (await RecordingSink.start()).lifecycle,
      SETTINGS,
      logger,
    );

    // A confirm in progress holds the row lock (UploadService.confirm uses SELECT … FOR UPDATE).
    const confirm = await knex.transaction();
    try {
      await confirm.raw('select id from ip_asset where id = ? for update', [id]);
      const result = await service.run({ dryRun: false });
      expect(result.abandonedCleaned).toBe(0);
      await confirm('ip_asset')
        .where({ id })
        .update({ status: AssetStatus.PROCESSING, upload_key: null, confirmed_at: new Date() });
      await confirm.commit();
    } catch (error) {
      await confirm.rollback();
      throw error;
    }
    const row = await knex('ip_asset').where({ id }).first();
    expect(row).toMatchObject({ status: AssetStatus.PROCESSING, rejection_reason: null });
    expect(await storage.head(storageKeys.upload(id))).not.toBeNull();
    // Once confirmed, a later run leaves it alone as well.
    expect((await service.run({ dryRun: false })).abandonedCleaned).toBe(0);
  });

  it('reports a phase that stops as a failed run, and still runs the other phases', async () => {
    const id = await insertAsset({
      status: AssetStatus.REJECTED,
      createdAgo: 9 * DAY,
      rejectedAgo: 8 * DAY,
    });
    const unlistable = new Proxy(storage, {
      get(target, property, receiver) {
        if (property === 'list') {
          const failure = new StorageError('Storage list failed', { operation: 'list', code: 'SlowDown' });
          return () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(failure) }) });
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const metrics = createAppMetrics({ collectDefaultMetrics: false });
    const service = new CleanupService(
      new CleanupRepository(knex),
      unlistable,
      (await RecordingSink.start()).lifecycle,
      SETTINGS,
      logger,
      metrics,
    );

    const result = await service.run({ dryRun: false });

    expect(result.failedCleaned).toBe(1);
    expect(result.errors).toEqual(['orphan scan stopped early: storage list failed (SlowDown)']);
    expect(await knex('ip_asset').where({ id }).first()).toBeUndefined();
    expect(await counterValue(metrics, 'cleanupRuns', { result: 'failure' })).toBe(1);
    expect(await counterValue(metrics, 'cleanupRuns', { result: 'success' })).toBe(0);
  });

  it('does not delete rows on the evidence of an empty listing', async () => {
    const id = await insertAsset({
      status: AssetStatus.APPROVED,
      scanStatus: ScanStatus.CLEAN,
      createdAgo: 2 * DAY,
      confirmedAgo: 2 * DAY,
    });
    const service = new CleanupService(
      new CleanupRepository(knex),
      storage,
      (await RecordingSink.start()).lifecycle,
      SETTINGS,
      logger,
    );

    const result = await service.run({ dryRun: false });

    expect(result.orphans.rowsWithoutObject).toBe(0);
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^orphan rows not removed: storage listed no objects where 1 confirmed assets expect one/,
      ),
    ]);
    expect(await knex('ip_asset').where({ id }).first()).toBeDefined();
  });
});

// --- database specifics --------------------------------------------------------------------------

describe('cleanup queries and migration', () => {
  afterEach(async () => {
    await knex.raw('truncate ip_asset');
  });

  it('reads orphan-scan rows through the "C" collation indexes', async () => {
    const queries = new CleanupRepository(knex);
    const explain = async (query: Knex.Raw) => {
      const { sql, bindings } = query.toSQL();
      return knex.transaction(async (trx) => {
        await trx.raw('set local enable_seqscan = off');
        await trx.raw('set local enable_bitmapscan = off');
        const { rows } = await trx.raw<{ rows: { 'QUERY PLAN': string }[] }>(`explain ${sql}`, bindings);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    };
    expect(
      await explain(
        queries.storageKeyRowsQuery(
          { from: 'assets/', to: 'assets0' },
          { from: { key: 'assets/a', inclusive: false }, limit: 10 },
          {
            cutoffs: { abandoned: new Date(), failed: new Date(), infected: new Date() },
            graceCutoff: new Date(),
          },
        ),
      ),
    ).toContain('ip_asset_storage_key_c_idx');
    expect(
      await explain(queries.uploadKeysQuery({ from: { key: 'incoming/a', inclusive: true }, limit: 10 })),
    ).toContain('ip_asset_draft_upload_key_c_idx');
  });

  it('pages expired rows by keyset without losing microseconds', async () => {
    const queries = new CleanupRepository(knex);
    // Same millisecond, different microseconds: a Date cursor would skip or repeat one.
    const base = '2020-01-01 00:00:00.123';
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) {
      await insertAsset({ id, status: AssetStatus.DRAFT, createdAgo: DAY });
      await knex.raw(`update ip_asset set created_at = ?::timestamptz where id = ?`, [
        `${base}${i + 1}+00`,
        id,
      ]);
    }
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await queries.selectExpired('abandoned', {
        cutoff: new Date(),
        after,
        limit: 1,
        lock: false,
      });
      if (page.length === 0) break;
      seen.push(...page.map((row) => row.id));
      after = page.at(-1)?.keyset;
    }
    expect(seen).toEqual(ids);
  });

  it('migrates down and up again', async () => {
    const migrator = orm.getMigrator();
    await migrator.down({ to: 'Migration20261128011839-init' });
    const indexes = async () =>
      (await knex('pg_indexes').where({ tablename: 'ip_asset' }).pluck('indexname')).filter((n: string) =>
        n.endsWith('_c_idx'),
      );
    expect(await indexes()).toEqual([]);
    await migrator.up();
    expect((await indexes()).sort()).toEqual([
      'ip_asset_draft_upload_key_c_idx',
      'ip_asset_storage_key_c_idx',
    ]);
  });
});
