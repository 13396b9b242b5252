import type { AssetEventRepository, AssetEventRow } from '../../repositories/asset-event.repository';
import { withTimeout } from '../../with-timeout';
import type { OutboxWakeUp } from './asset-lifecycle';

/**
 * Something that receives every committed asset event, at least once and in order per asset.
 * `deliver` must be idempotent (an event may come again after a crash or a timeout) and must
 * only resolve once the events are safe on its side: the relay marks them delivered right after,
 * and never offers them again.
 */
export interface OutboxConsumer {
  /** For logs. */
  readonly name: string;
  deliver(events: readonly AssetEventRow[]): Promise<void>;
}

/** The logging the relay needs; a pino logger fits. */
export interface RelayLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options for {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  /**
   * How often the relay looks for undelivered events it was not woken for: ones a dead process
   * committed but never delivered, or ones whose delivery failed (e.g. Redis was down).
   * @default 1000
   */
  sweepIntervalMs?: number;
  /** @default 100 */
  batchSize?: number;
  /**
   * How long one consumer may take for one batch before the batch counts as failed (and is
   * retried by the next sweep).
   * @default 5000
   */
  consumerTimeoutMs?: number;
  logger?: RelayLogger;
}

/**
 * Delivers committed asset events from the outbox (asset_event) to its consumers, and marks them
 * delivered once every consumer has them.
 *
 * Why polling with `FOR UPDATE SKIP LOCKED` and not LISTEN/NOTIFY: the process that commits an
 * event wakes its own relay at once (no added latency on the normal path), so a notification
 * would only help other processes, and they only matter when the committing process died; a
 * sweep every second covers that, and also retries what failed while Redis was down. LISTEN
 * needs a dedicated connection per process that misses notifications while it reconnects (a
 * sweep would still be needed) and does not survive transaction-pooling proxies.
 */
export class OutboxRelay implements OutboxWakeUp {
  private readonly sweepIntervalMs: number;
  private readonly batchSize: number;
  private readonly consumerTimeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wanted = false;
  private closed = false;

  constructor(
    private readonly events: AssetEventRepository,
    private readonly consumers: readonly OutboxConsumer[],
    options: OutboxRelayOptions = {},
    private readonly logger?: RelayLogger,
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.consumerTimeoutMs = options.consumerTimeoutMs ?? 5000;
    this.logger ??= options.logger;
  }

  /** Starts the periodic sweep (and one right away, for what an earlier process left). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.wake(), this.sweepIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /** Asks for a delivery pass soon; returns at once. Passes never overlap within a process. */
  wake(): void {
    if (this.closed) return;
    this.wanted = true;
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once every event committed so far has been offered (for shutdown and tests). */
  async flush(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  /**
   * Stops sweeping, delivers what this process committed if it can within `timeoutMs`, and
   * stops. Anything left is delivered by another process's sweep (or this one's next start).
   */
  async close(timeoutMs = 5000): Promise<void> {
    clearInterval(this.timer);
    await withTimeout(this.flush(), timeoutMs, 'outbox flush').catch((err: unknown) =>
      this.logger?.warn({ err }, 'outbox not flushed at shutdown; another process will deliver it'),
    );
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    // Yield first, so the transitions of one request all go out in the same pass.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.wanted && !this.closed) {
      this.wanted = false;
      try {
        // Until nothing is left: each batch holds one event per asset, so an asset's next event
        // comes in the next batch. Events committed meanwhile woke the relay (`wanted`).
        let more: boolean;
        do {
          ({ more } = await this.events.deliverBatch(this.batchSize, (batch) => this.deliver(batch)));
        } while (more && !this.closed);
      } catch (err) {
        // Left undelivered; the next sweep tries again.
        this.logger?.warn({ err }, 'outbox delivery failed; will retry');
        return;
      }
    }
  }

  private async deliver(batch: AssetEventRow[]): Promise<void> {
    for (const consumer of this.consumers) {
      await withTimeout(consumer.deliver(batch), this.consumerTimeoutMs, `outbox consumer ${consumer.name}`);
    }
  }
}
