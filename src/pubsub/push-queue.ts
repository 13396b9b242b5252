/**
 * An async iterator fed by callbacks (a pub/sub listener). Unlike an async generator, `return()`
 * takes effect at once even while a consumer is waiting, so a client that unsubscribes never
 * leaves a listener behind until the next message happens to arrive.
 */
export class PushQueue<T> implements AsyncIterableIterator<T> {
  private readonly queued: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private ended = false;
  private readonly closeHandlers: (() => void)[] = [];

  /** Runs once when the queue is closed by either side (end, return, or the consumer leaving). */
  onClose(handler: () => void): void {
    if (this.ended) handler();
    else this.closeHandlers.push(handler);
  }

  push(value: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
    } else {
      this.queued.push(value);
    }
  }

  /** No more values: the consumer gets what is queued, then completion. */
  end(): void {
    this.ended = true;
    this.runCloseHandlers();
    if (this.queued.length === 0 && this.waiting) this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queued.length > 0) return Promise.resolve({ value: this.queued.shift() as T, done: false });
    if (this.ended) return this.return();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.queued.length = 0;
    this.runCloseHandlers();
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(): void {
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.({ value: undefined, done: true });
  }

  private runCloseHandlers(): void {
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
