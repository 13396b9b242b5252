/**
 * Cleanup throughput and memory, against a scratch PostgreSQL database and the local storage
 * provider in a temp directory:  npx tsx bench/cleanup.bench.ts [--quick]   (or `npm run bench`)
 *
 * 1. 100,000 expired rows (40 % abandoned DRAFTs, 40 % failed, 20 % infected) whose objects are
 *    absent: every key is still headed, so this measures the database side plus one storage
 *    round trip per key.
 * 2. 10,000 expired rows with real 1 KiB objects: head + delete of a real file per key.
 * 3. Baseline, run first: a naive per-row loop (find one, remove its object, update/delete one)
 *    over 5,000 more rows of the same table as run 1, objects absent.
 * Garbage is collected between runs (not during them) so each peak RSS is the run's own.
 * Targets: >= 2,000 rows/s and <= 200 MiB peak RSS.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MikroORM, type Knex } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import pino from 'pino';
import { ensureDatabase } from '../src/database/database';
import { ormOptions } from '../src/database/mikro-orm.config';
import { AssetStatus, IpAsset } from '../src/entities/ip-asset.entity';
import { migrationsList } from '../src/migrations';
import { Migration20261128020000_cleanup_indexes } from '../src/migrations/Migration20261128020000-cleanup-indexes';
import { AssetRepository } from '../src/repositories/asset.repository';
import { CleanupRepository } from '../src/repositories/cleanup.repository';
import { RejectionReason } from '../src/services/analytics/upload-event';
import { CleanupService, type CleanupSettings } from '../src/services/cleanup';
import { AssetLifecycle } from '../src/services/lifecycle/asset-lifecycle';
import { LocalStorageAdapter } from '../src/storage/local.storage';
import type { StorageAdapter } from '../src/storage/storage.adapter';
import { benchMain, type BenchOptions } from './lib/cli';
import { formatNumber, type BenchRow } from './lib/report';
import { MiB } from './lib/stats';

const SERVER_URL = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const DB_NAME = `upl_cleanup_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const WITH_OBJECTS_ROWS = 10_000;
const NAIVE_ROWS = 5_000;
const OBJECT_SIZE = 1024;
const TARGET_ROWS_PER_SECOND = 2_000;
const TARGET_PEAK_RSS_MIB = 200;
const SETTINGS: CleanupSettings = { abandonedAfterHours: 24, failedAfterDays: 7, quarantineAfterDays: 30 };
const DAY = 86_400_000;

const logger = pino({ level: 'silent' });

/**
 * Collects garbage between runs, so one run's peak is not inflated by the previous run's (or
 * the set-up's) garbage. The runs themselves get no forced collections.
 */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Samples RSS every 50 ms; `peak` is the highest since the last reset. */
class RssSampler {
  peak = 0;
  private readonly timer = setInterval(() => this.sample(), 50);
  reset(): void {
    this.peak = 0;
    this.sample();
  }
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

async function openScratchDatabase(url: string): Promise<MikroORM> {
  await ensureDatabase(url);
  const options = ormOptions(url, { poolMax: 10 });
  const name = 'Migration20261128020000-cleanup-indexes';
  const list = migrationsList.some((m) => m.name === name)
    ? migrationsList
    : [...migrationsList, { name, class: Migration20261128020000_cleanup_indexes }];
  const orm = await MikroORM.init({
    ...options,
    migrations: { ...options.migrations, migrationsList: list },
  });
  await orm.getMigrator().up();
  return orm;
}

/**
 * Inserts `count` expired rows in one statement: kind 0 abandoned (DRAFT, 2+ days old),
 * 1 failed (REJECTED 10+ days ago), 2 infected (quarantined 40+ days ago), in a 2:2:1 mix.
 * Returns their keys, for runs that want real objects.
 */
async function insertExpiredRows(
  knex: Knex,
  count: number,
  options: { returnKeys: boolean },
): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { key: string }[] }>(
    `with spec as (
       select gen_random_uuid() as id, n, case when n % 5 < 2 then 0 when n % 5 < 4 then 1 else 2 end as kind
       from generate_series(1, ?) as n
     )
     insert into ip_asset (id, storage_key, upload_key, file_name, file_size, mime_type, status, scan_status,
       rejection_reason, created_by, upload_expires_at, created_at, updated_at, confirmed_at, rejected_at, quarantined_at)
     select id,
       case kind when 2 then 'quarantine/assets/' || id || '/file.bin' else 'assets/' || id || '/file.bin' end,
       case kind when 0 then 'incoming/' || id end,
       'file.bin', ${OBJECT_SIZE}, 'application/octet-stream',
       case kind when 0 then 'DRAFT' else 'REJECTED' end,
       case kind when 0 then 'PENDING' when 1 then 'ERROR' else 'INFECTED' end,
       case kind when 1 then ? when 2 then ? end,
       'bench-user',
       now() - interval '50 days', now() - interval '50 days' - n * interval '1 ms', now() - interval '10 days',
       case when kind > 0 then now() - interval '45 days' end,
       case kind when 1 then now() - interval '10 days' - n * interval '1 ms' when 2 then now() - interval '40 days' - n * interval '1 ms' end,
       case kind when 2 then now() - interval '40 days' - n * interval '1 ms' end
     from spec
     ${options.returnKeys ? 'returning coalesce(upload_key, storage_key) as key' : ''}`,
    [count, RejectionReason.VirusScanFailed, RejectionReason.VirusDetected],
  );
  return (rows ?? []).map((row) => row.key);
}

/** The obvious implementation, for comparison: one row found, cleaned and written at a time. */
async function naiveCleanup(orm: MikroORM, storage: StorageAdapter, rows: number): Promise<number> {
  const now = Date.now();
  const plan = [
    {
      share: 0.4,
      where: { status: AssetStatus.DRAFT, createdAt: { $lt: new Date(now - DAY) } },
      order: 'createdAt',
    },
    {
      share: 0.4,
      where: {
        status: AssetStatus.REJECTED,
        quarantinedAt: null,
        rejectedAt: { $lt: new Date(now - 7 * DAY) },
      },
      order: 'rejectedAt',
    },
    {
      share: 0.2,
      where: { status: AssetStatus.REJECTED, quarantinedAt: { $lt: new Date(now - 30 * DAY) } },
      order: 'quarantinedAt',
    },
  ] as const;
  let done = 0;
  for (const step of plan) {
    for (let i = 0; i < Math.round(rows * step.share); i++) {
      const em = orm.em.fork();
      const asset = await em.findOne(IpAsset, step.where, { orderBy: { [step.order]: 'asc', id: 'asc' } });
      if (!asset) break;
      const key = asset.status === AssetStatus.DRAFT ? (asset.uploadKey as string) : asset.storageKey;
      if (await storage.head(key)) await storage.delete(key);
      if (asset.status === AssetStatus.DRAFT) {
        await em.nativeUpdate(
          IpAsset,
          { id: asset.id, status: AssetStatus.DRAFT },
          {
            status: AssetStatus.REJECTED,
            rejectionReason: RejectionReason.UploadAbandoned,
            rejectedAt: new Date(),
            uploadKey: null,
          },
        );
      } else {
        await em.nativeDelete(IpAsset, { id: asset.id });
      }
      done++;
    }
  }
  return done;
}

interface Measurement {
  name: string;
  rows: number;
  seconds: number;
  rssBefore: number;
  peakRss: number;
}

async function measure(name: string, sampler: RssSampler, work: () => Promise<number>): Promise<Measurement> {
  collectGarbage();
  const rssBefore = process.memoryUsage().rss;
  sampler.reset();
  const started = performance.now();
  const rows = await work();
  const seconds = (performance.now() - started) / 1000;
  sampler.sample();
  return { name, rows, seconds, rssBefore, peakRss: sampler.peak };
}

function printTable(results: Measurement[]): void {
  const header = ['run', 'rows', 'seconds', 'rows/s', 'RSS before MiB', 'peak RSS MiB'];
  const body = results.map((r) => [
    r.name,
    r.rows.toLocaleString('en-US'),
    r.seconds.toFixed(2),
    Math.round(r.rows / r.seconds).toLocaleString('en-US'),
    (r.rssBefore / MiB).toFixed(1),
    (r.peakRss / MiB).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
}

export async function runCleanupBench(options: BenchOptions): Promise<BenchRow[]> {
  const MAIN_ROWS = options.quick ? 20_000 : 100_000;
  const sampler = new RssSampler();
  const rootDir = await mkdtemp(path.join(tmpdir(), 'cleanup-bench-'));
  const storage = new LocalStorageAdapter({
    rootDir,
    signingSecret: 'cleanup-bench-signing-secret',
    publicUrl: () => 'http://127.0.0.1:1',
  });
  const orm = await openScratchDatabase(`${SERVER_URL}/${DB_NAME}`);
  const knex = orm.em.fork().getKnex();
  // Events are written to the outbox as in production; no relay runs, so none is delivered.
  const lifecycle = new AssetLifecycle(new AssetRepository(orm), { wake: () => undefined });
  const service = new CleanupService(new CleanupRepository(knex), storage, lifecycle, SETTINGS, logger);
  const results: Measurement[] = [];
  try {
    // The naive loop takes 5,000 rows of the same table first, so both see the same table size.
    let started = performance.now();
    await insertExpiredRows(knex, MAIN_ROWS + NAIVE_ROWS, { returnKeys: false });
    await knex.raw('analyze ip_asset');
    console.log(
      `inserted ${(MAIN_ROWS + NAIVE_ROWS).toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const naive = await measure('naive per-row loop, objects absent', sampler, () =>
      naiveCleanup(orm, storage, NAIVE_ROWS),
    );
    results.push(naive);
    if (naive.rows !== NAIVE_ROWS)
      throw new Error(`naive loop cleaned ${naive.rows} rows, expected ${NAIVE_ROWS}`);

    const batched = await measure('CleanupService, objects absent', sampler, async () => {
      const result = await service.run({ dryRun: false });
      if (result.errors.length > 0)
        throw new Error(`cleanup reported errors: ${result.errors.slice(0, 3).join('; ')}`);
      return result.abandonedCleaned + result.failedCleaned + result.infectedCleaned;
    });
    results.push(batched);
    if (batched.rows !== MAIN_ROWS)
      throw new Error(`expected ${MAIN_ROWS} rows cleaned, got ${batched.rows}`);

    await knex.raw('truncate ip_asset');
    started = performance.now();
    const keys = await insertExpiredRows(knex, WITH_OBJECTS_ROWS, { returnKeys: true });
    const body = Buffer.alloc(OBJECT_SIZE, 1);
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(
        keys
          .slice(i, i + 64)
          .map((key) => storage.put(key, body, { contentType: 'application/octet-stream' })),
      );
    }
    console.log(
      `wrote ${keys.length.toLocaleString('en-US')} objects in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    keys.length = 0;
    let freed = 0;
    results.push(
      await measure('CleanupService, 1 KiB objects present', sampler, async () => {
        const result = await service.run({ dryRun: false });
        freed = result.storageFreedBytes;
        return result.abandonedCleaned + result.failedCleaned + result.infectedCleaned;
      }),
    );
    if (freed !== WITH_OBJECTS_ROWS * OBJECT_SIZE)
      throw new Error(`expected ${WITH_OBJECTS_ROWS * OBJECT_SIZE} bytes freed, got ${freed}`);

    console.log();
    printTable(results);
    const rate = batched.rows / batched.seconds;
    const naiveRate = naive.rows / naive.seconds;
    const peak = Math.max(...results.filter((r) => r !== naive).map((r) => r.peakRss)) / MiB;
    console.log();
    console.log(`batched vs naive: ${(rate / naiveRate).toFixed(1)}x`);
    console.log(
      `target rows/s >= ${TARGET_ROWS_PER_SECOND}: ${rate >= TARGET_ROWS_PER_SECOND ? 'met' : 'MISSED'} (${Math.round(rate)})`,
    );
    console.log(
      `target peak RSS <= ${TARGET_PEAK_RSS_MIB} MiB: ${peak <= TARGET_PEAK_RSS_MIB ? 'met' : 'MISSED'} (${peak.toFixed(1)} MiB)`,
    );
    const [{ count }] = await knex('asset_event').count<{ count: string }[]>('*');
    console.log(`asset events recorded: ${Number(count).toLocaleString('en-US')}`);
    const ratio = rate / naiveRate;
    return [
      {
        bench: 'cleanup',
        measure: `CleanupService, ${formatNumber(batched.rows)} expired rows (objects absent) vs a naive per-row loop`,
        service: `${formatNumber(rate)} rows/s`,
        reference: `${formatNumber(naiveRate)} rows/s`,
        ratio,
        target: '≥ 2,000 rows/s',
        met: rate >= TARGET_ROWS_PER_SECOND,
      },
      {
        bench: 'cleanup',
        measure: `CleanupService, ${formatNumber(WITH_OBJECTS_ROWS)} rows with 1 KiB objects present`,
        service: `${formatNumber(results[2]!.rows / results[2]!.seconds)} rows/s`,
        reference: '',
        target: '',
      },
      {
        bench: 'cleanup',
        measure: 'peak RSS of the cleanup runs',
        service: `${formatNumber(peak, 1)} MiB`,
        reference: '',
        target: `≤ ${TARGET_PEAK_RSS_MIB} MiB`,
        met: peak <= TARGET_PEAK_RSS_MIB,
      },
    ];
  } finally {
    sampler.stop();
    await orm.close(true);
    await rm(rootDir, { recursive: true, force: true });
    const admin = new Client({ connectionString: `${SERVER_URL}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
    await admin.end();
  }
}

if (require.main === module) benchMain(runCleanupBench);
