import type { IncomingMessage } from 'node:http';

/** How fast a body streamed to this server must arrive. */
export interface UploadPace {
  /** Cut off a body that sends nothing for this long. */
  idleTimeoutMs: number;
  /**
   * Cut off a body whose average rate, once it has been arriving for `idleTimeoutMs`, is below
   * this; 0 = no minimum. Dripping one byte a second is not idle, but it is not an upload either.
   */
  minBytesPerSecond: number;
}

export type TooSlow = 'idle' | 'slow';

/**
 * Watches the bytes a request's socket reads (not its stream: listening for 'data' would start
 * the flow before the body's consumer is attached) and calls `onTooSlow` once when the body
 * stalls or crawls. Returns a function that stops watching; call it when the body is done.
 */
export function watchUploadPace(
  req: IncomingMessage,
  pace: UploadPace,
  onTooSlow: (reason: TooSlow) => void,
): () => void {
  const socket = req.socket;
  const startedAt = Date.now();
  const startBytes = socket.bytesRead;
  let lastBytes = startBytes;
  let lastProgressAt = startedAt;
  const timer = setInterval(
    () => {
      if (req.complete || socket.destroyed) return stop();
      const now = Date.now();
      const bytes = socket.bytesRead;
      if (bytes !== lastBytes) {
        lastBytes = bytes;
        lastProgressAt = now;
      }
      const elapsedMs = now - startedAt;
      let verdict: TooSlow | null = null;
      if (now - lastProgressAt >= pace.idleTimeoutMs) verdict = 'idle';
      else if (
        pace.minBytesPerSecond > 0 &&
        elapsedMs >= pace.idleTimeoutMs &&
        ((bytes - startBytes) * 1000) / elapsedMs < pace.minBytesPerSecond
      ) {
        verdict = 'slow';
      }
      if (verdict) {
        stop();
        onTooSlow(verdict);
      }
    },
    Math.min(Math.max(pace.idleTimeoutMs / 4, 50), 1000),
  );
  timer.unref();
  function stop() {
    clearInterval(timer);
  }
  return stop;
}
