import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { SCAN_STATUS } from '../../test/helpers/operations';

/** What a subscriber hands to the bench for every event it receives. */
export type EventListener = (at: string, receivedAt: number) => void;

/** Many graphql-ws clients, one `assetScanStatus` subscription each, opened a few at a time. */
export class Subscribers {
  private readonly clients: Client[] = [];
  readonly errors: unknown[] = [];
  /** Subscriptions the server completed (it only does so after a final event, which the bench never sends). */
  completed = 0;

  constructor(private readonly onEvent: EventListener) {}

  /**
   * Opens `count` connections to `wsUrl`, subscriptions spread evenly over `assetIds`. Resolves
   * once every connection is acknowledged (the subscription itself may still be on its way).
   */
  async open(wsUrl: string, token: string | null, assetIds: readonly string[], count: number): Promise<void> {
    const batch = 200;
    for (let first = 0; first < count; first += batch) {
      const opened: Promise<void>[] = [];
      for (let i = first; i < Math.min(count, first + batch); i++) {
        opened.push(this.openOne(wsUrl, token, assetIds[i % assetIds.length]!));
      }
      await Promise.all(opened);
    }
  }

  private openOne(wsUrl: string, token: string | null, assetId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: false,
        on: { connected: () => resolve(), error: reject },
      });
      this.clients.push(client);
      client.subscribe(
        { query: SCAN_STATUS, variables: { assetId } },
        {
          next: (result) => {
            const receivedAt = performance.now();
            const event = (result.data as { assetScanStatus?: { at: string } } | undefined)?.assetScanStatus;
            if (result.errors || !event) this.errors.push(result.errors ?? 'event without data');
            else this.onEvent(event.at, receivedAt);
          },
          error: (error) => this.errors.push(error),
          complete: () => this.completed++,
        },
      );
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.dispose()));
  }
}

/**
 * Deliveries of one published event: resolves when `expected` subscribers have it, or after
 * `timeoutMs` with what arrived (the rest count as dropped).
 */
export class Delivery {
  readonly latencies: number[] = [];
  private publishedAt = 0;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));
  private timer?: NodeJS.Timeout;

  constructor(
    readonly at: string,
    private readonly expected: number,
    timeoutMs = 15_000,
  ) {
    this.timer = setTimeout(() => this.resolveDone(), timeoutMs);
  }

  published(at: number): void {
    this.publishedAt = at;
  }

  received(receivedAt: number): void {
    this.latencies.push(receivedAt - this.publishedAt);
    if (this.latencies.length === this.expected) {
      clearTimeout(this.timer);
      this.resolveDone();
    }
  }

  get dropped(): number {
    return this.expected - this.latencies.length;
  }
}
