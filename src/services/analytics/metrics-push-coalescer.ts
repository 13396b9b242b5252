/** Options for {@link MetricsPushCoalescer}. */
export interface MetricsPushCoalescerOptions {
  /**
   * Shortest gap between two `onChange` calls. Bounds the cost of recomputing and pushing
   * metrics however fast events arrive, while keeping pushes well under a second behind.
   * @default 250
   */
  intervalMs?: number;
  /** Receives errors thrown (or rejected) by `onChange`; without it they are dropped, never unhandled. */
  onError?: (error: unknown) => void;
}

/**
 * Turns a stream of "something changed" notifications into at most one `onChange` call per
 * interval. The first notification after a quiet spell is passed on at once (leading edge) and
 * notifications during the interval are folded into one call at its end (trailing edge), so
 * the last change is never left unpushed.
 */
export class MetricsPushCoalescer {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private closed = false;

  constructor(
    private readonly onChange: () => void | Promise<void>,
    private readonly options: MetricsPushCoalescerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 250;
    if (!(this.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  }

  /** Cheap enough to call for every event. Ignored after {@link close}. */
  notify(): void {
    if (this.closed) return;
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.fire();
  }

  /** Stops the timer; a notification still waiting for its interval is dropped. */
  close(): void {
    this.closed = true;
    this.pending = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = setTimeout(() => this.onIntervalEnd(), this.intervalMs);
    // A pending push must not keep a shutting-down process alive.
    this.timer.unref();
    try {
      Promise.resolve(this.onChange()).catch((error: unknown) => this.reportError(error));
    } catch (error) {
      this.reportError(error);
    }
  }

  private onIntervalEnd(): void {
    this.timer = undefined;
    if (this.pending && !this.closed) {
      this.pending = false;
      this.fire();
    }
  }

  private reportError(error: unknown): void {
    this.options.onError?.(error);
  }
}
