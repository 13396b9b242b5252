import { Redis } from 'ioredis';
import { RedisEventBus } from '../../src/pubsub/pubsub';
import { AssetStatus, ScanStatus } from '../../src/entities/ip-asset.entity';
import type { AssetStateEvent } from '../../src/services/asset-events';
import { INITIATE } from '../../test/helpers/operations';
import { percentile } from './stats';
import { Delivery, Subscribers } from './subscribers';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** Event times are unique per event (they tell deliveries apart) and far from any real asset's. */
const BASE_TIME = Date.UTC(2030, 0, 1);

/** One event as a scan publishes it: a state with its scan result (never final: streams stay open). */
export function benchEvent(assetId: string, seq: number): AssetStateEvent {
  const at = new Date(BASE_TIME + seq).toISOString();
  return {
    assetId,
    status: AssetStatus.PROCESSING,
    scanStatus: ScanStatus.SCANNING,
    scanResult: {
      engine: 'clamav',
      engineVersion: 'ClamAV 1.4.3/27000',
      threats: [],
      scannedAt: at,
      durationMs: 42,
      attempts: 1,
      error: null,
    },
    stateVersion: 1000 + seq,
    final: false,
    at,
  };
}

/** Publishes events to one server's subscribers. */
export interface Publisher {
  publish(event: AssetStateEvent): Promise<void>;
  close(): Promise<void>;
}

/** The service's own event bus, as its workers publish (same channels, same encoding). */
export function servicePublisher(prefix: string): Publisher {
  const bus = new RedisEventBus(
    (purpose) => new Redis(REDIS_URL, { maxRetriesPerRequest: purpose === 'publisher' ? 3 : null }),
    prefix,
    (error) => console.error('bench publisher', error),
  );
  return { publish: (event) => bus.publish(event), close: () => bus.close() };
}

/** The reference server's channel: the same JSON, published with a plain client. */
export function referencePublisher(prefix: string): Publisher {
  const redis = new Redis(REDIS_URL);
  return {
    publish: async (event) => {
      await redis.publish(`${prefix}:ASSET_SCAN_STATUS:${event.assetId}`, JSON.stringify(event));
    },
    close: async () => {
      redis.disconnect();
    },
  };
}

/** Creates `count` assets owned by the token's user (initiateUpload over HTTP). */
export async function createAssets(url: string, token: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: INITIATE,
        variables: { input: { fileName: `watched-${i}.jpg`, fileSize: 1000, mimeType: 'image/jpeg' } },
      }),
    });
    const body = (await response.json()) as { data?: { initiateUpload?: { assetId: string } } };
    const id = body.data?.initiateUpload?.assetId;
    if (!id) throw new Error(`initiateUpload failed: ${JSON.stringify(body)}`);
    ids.push(id);
  }
  return ids;
}

/** One server's side of a fan-out bench: its subscribers and how to reach them. */
export class FanoutSide {
  private readonly deliveries = new Map<string, Delivery>();
  readonly subscribers = new Subscribers((at, receivedAt) => this.deliveries.get(at)?.received(receivedAt));
  private seq: number;

  constructor(
    readonly name: string,
    private readonly publisher: Publisher,
    readonly assetIds: readonly string[],
    private readonly perAsset: number,
    seqStart: number,
  ) {
    this.seq = seqStart;
  }

  get count(): number {
    return this.assetIds.length * this.perAsset;
  }

  /**
   * One event to every asset, published back to back; resolves with each delivery's latency
   * (publish → the subscriber's `next`), the number dropped, after all arrived or the timeout.
   */
  async round(timeoutMs = 15_000): Promise<{ latencies: number[]; dropped: number }> {
    const sends = this.assetIds.map((assetId) => {
      const event = benchEvent(assetId, this.seq++);
      const delivery = new Delivery(event.at, this.perAsset, timeoutMs);
      this.deliveries.set(event.at, delivery);
      return { event, delivery };
    });
    for (const { event, delivery } of sends) {
      delivery.published(performance.now());
      await this.publisher.publish(event);
    }
    await Promise.all(sends.map(({ delivery }) => delivery.done));
    for (const { event } of sends) this.deliveries.delete(event.at);
    return {
      latencies: sends.flatMap(({ delivery }) => delivery.latencies),
      dropped: sends.reduce((sum, { delivery }) => sum + delivery.dropped, 0),
    };
  }

  /**
   * Publishes until one round reaches every subscriber: a subscription is live on the server
   * some time after its connection was acknowledged, and only then can it receive events.
   */
  async untilAllListen(deadlineMs = 120_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      if ((await this.round(2_000)).dropped === 0) return;
    }
    throw new Error(`${this.name}: not every subscriber received events within ${deadlineMs} ms`);
  }

  async close(): Promise<void> {
    await this.subscribers.close();
    await this.publisher.close();
  }
}

/** p50 and p99 of one round's latencies. */
export function roundFigures(latencies: readonly number[]): { p50: number; p99: number } {
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
