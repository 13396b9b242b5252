import type { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/database/database';
import { AssetStatus, IpAsset, ScanStatus } from '../../src/entities/ip-asset.entity';
import { AssetEventRepository, type AssetEventRow } from '../../src/repositories/asset-event.repository';
import { AssetRepository } from '../../src/repositories/asset.repository';
import { AssetLifecycle } from '../../src/services/lifecycle/asset-lifecycle';
import { OutboxRelay, type OutboxConsumer } from '../../src/services/lifecycle/outbox-relay';
import { dropDatabase, freshDatabaseUrl } from '../helpers/app';

const logger = pino({ level: 'silent' });
const alice = { userId: 'alice', role: 'USER' as const };
const databaseUrl = freshDatabaseUrl();
let orm: MikroORM;
let assets: AssetRepository;
let events: AssetEventRepository;

beforeAll(async () => {
  orm = await openDatabase(databaseUrl, logger, { poolMax: 6 });
  assets = new AssetRepository(orm);
  events = new AssetEventRepository(orm);
});

afterAll(async () => {
  await orm?.close(true);
  await dropDatabase(databaseUrl);
});

const noWake = { wake: () => undefined };

function newAsset(): IpAsset {
  const asset = new IpAsset();
  asset.fileName = 'a.txt';
  asset.fileSize = 5;
  asset.mimeType = 'text/plain';
  asset.createdBy = alice.userId;
  asset.storageKey = `assets/${asset.id}/a.txt`;
  asset.uploadKey = `incoming/${asset.id}`;
  asset.uploadExpiresAt = new Date(Date.now() + 60_000);
  return asset;
}

class RecordingConsumer implements OutboxConsumer {
  readonly name = 'recording';
  readonly seen: AssetEventRow[] = [];
  failNext = 0;
  async deliver(batch: readonly AssetEventRow[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('consumer down');
    }
    this.seen.push(...batch);
  }
}

describe('lifecycle transitions', () => {
  it('writes the change and its event together; a refused transition writes neither', async () => {
    const lifecycle = new AssetLifecycle(assets, noWake);
    const asset = await lifecycle.create(alice, newAsset(), { fileSize: 5 });
    const confirmed = await lifecycle.transition('confirm', asset.id, {
      actor: alice,
      changes: { title: 'T' },
    });
    expect(confirmed).toMatchObject({ status: AssetStatus.PROCESSING, stateVersion: 2, title: 'T' });
    expect(confirmed?.confirmedAt).toBeInstanceOf(Date);

    // Refused: already confirmed; and a scan verdict before the scan started.
    expect(await lifecycle.transition('confirm', asset.id, { actor: alice })).toBeNull();
    expect(await lifecycle.transition('scannedClean', asset.id)).toBeNull();

    const trail = await events.listForAsset(asset.id);
    expect(trail.map((e) => [e.type, e.status, e.scanStatus, e.stateVersion, e.actor])).toEqual([
      ['INITIATED', AssetStatus.DRAFT, ScanStatus.PENDING, 1, 'alice'],
      ['CONFIRMED', AssetStatus.PROCESSING, ScanStatus.PENDING, 2, 'alice'],
    ]);
    expect((await assets.findById(asset.id))?.stateVersion).toBe(2);
  });

  it('a transaction that fails after a transition leaves neither the change nor the event', async () => {
    const lifecycle = new AssetLifecycle(assets, noWake);
    const asset = await lifecycle.create(alice, newAsset(), {});
    await expect(
      lifecycle.transaction(async (db) => {
        await lifecycle.transition('confirm', asset.id, { actor: alice, db });
        throw new Error('something after it failed');
      }),
    ).rejects.toThrow('something after it failed');
    expect((await assets.findById(asset.id))?.status).toBe(AssetStatus.DRAFT);
    expect((await events.listForAsset(asset.id)).map((e) => e.type)).toEqual(['INITIATED']);
  });

  it('a user transition without its user is a programming error, not a silent system event', async () => {
    const lifecycle = new AssetLifecycle(assets, noWake);
    const asset = await lifecycle.create(alice, newAsset(), {});
    await expect(lifecycle.transition('confirm', asset.id)).rejects.toThrow(/needs the user/);
  });
});

describe('the outbox relay', () => {
  it('delivers every event once, in order per asset, even with two relays racing', async () => {
    await new OutboxRelay(events, []).flush(); // earlier tests' events out of the way
    const lifecycle = new AssetLifecycle(assets, noWake);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const asset = await lifecycle.create(alice, newAsset(), {});
      ids.push(asset.id);
      await lifecycle.transition('confirm', asset.id, { actor: alice });
      await lifecycle.transition('startScan', asset.id);
      await lifecycle.transition('scannedClean', asset.id);
    }
    const first = new RecordingConsumer();
    const second = new RecordingConsumer();
    const relays = [
      new OutboxRelay(events, [first], { batchSize: 3 }),
      new OutboxRelay(events, [second], { batchSize: 3 }),
    ];
    await Promise.all(relays.map((relay) => relay.flush()));

    const seen = [...first.seen, ...second.seen].filter((e) => ids.includes(e.assetId));
    expect(seen).toHaveLength(32);
    expect(new Set(seen.map((e) => e.id)).size).toBe(32);
    for (const id of ids) {
      // Each relay saw an asset's events in version order; together, each version exactly once.
      for (const consumer of [first, second]) {
        const versions = consumer.seen.filter((e) => e.assetId === id).map((e) => e.stateVersion);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
      }
      const all = seen.filter((e) => e.assetId === id).map((e) => e.stateVersion);
      expect(all.sort()).toEqual([1, 2, 3, 4]);
    }
    expect(await events.countUndelivered()).toBe(0);
  });

  it('an asset never has two events in flight: the next waits until the first is delivered', async () => {
    await new OutboxRelay(events, []).flush();
    const lifecycle = new AssetLifecycle(assets, noWake);
    const asset = await lifecycle.create(alice, newAsset(), {});
    await lifecycle.transition('confirm', asset.id, { actor: alice });
    const batches: string[][] = [];
    await new OutboxRelay(events, [
      { name: 'batches', deliver: async (batch) => void batches.push(batch.map((e) => e.type)) },
    ]).flush();
    expect(batches).toEqual([['INITIATED'], ['CONFIRMED']]);
  });

  it('a pass ends with its last batch: no empty claim transaction to learn that nothing is left', async () => {
    await new OutboxRelay(events, []).flush();
    const lifecycle = new AssetLifecycle(assets, noWake);
    await lifecycle.create(alice, newAsset(), {});
    await lifecycle.create(alice, newAsset(), {});
    const claims = vi.spyOn(events, 'deliverBatch');
    try {
      await new OutboxRelay(events, []).flush();
      expect(claims).toHaveBeenCalledTimes(1);
      expect(await claims.mock.results[0]!.value).toEqual({ delivered: 2, more: false });
    } finally {
      claims.mockRestore();
    }
  });

  it('a failing consumer leaves the events undelivered; the next sweep delivers them', async () => {
    await new OutboxRelay(events, []).flush();
    const lifecycle = new AssetLifecycle(assets, noWake);
    const asset = await lifecycle.create(alice, newAsset(), {});
    const consumer = new RecordingConsumer();
    consumer.failNext = 2;
    const relay = new OutboxRelay(events, [consumer], { sweepIntervalMs: 50 }, logger);
    relay.start();
    try {
      await vi.waitFor(() => expect(consumer.seen.map((e) => e.assetId)).toContain(asset.id), {
        timeout: 5000,
      });
      expect(consumer.failNext).toBe(0);
      await vi.waitFor(async () => expect(await events.countUndelivered()).toBe(0));
    } finally {
      await relay.close();
    }
  });

  it('a committed transition wakes its relay at once', async () => {
    await new OutboxRelay(events, []).flush();
    const consumer = new RecordingConsumer();
    // A sweep far away, so only the wake-up can deliver within the test.
    const relay = new OutboxRelay(events, [consumer], { sweepIntervalMs: 60_000 });
    const lifecycle = new AssetLifecycle(assets, relay);
    try {
      const asset = await lifecycle.create(alice, newAsset(), {});
      await lifecycle.transition('confirm', asset.id, { actor: alice });
      await vi.waitFor(() =>
        expect(consumer.seen.filter((e) => e.assetId === asset.id).map((e) => e.type)).toEqual([
          'INITIATED',
          'CONFIRMED',
        ]),
      );
    } finally {
      await relay.close();
    }
  });
});
