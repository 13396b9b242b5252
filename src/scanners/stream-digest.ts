import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/**
 * Reads a stream to its end, handing each chunk to `onChunk`. Destroys the stream when done or
 * aborted; an abort rejects with the signal's reason.
 */
export async function forEachChunk(
  stream: Readable,
  signal: AbortSignal | undefined,
  onChunk: (bytes: Buffer) => void,
): Promise<void> {
  const onAbort = () => stream.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream)
      onChunk(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    signal?.throwIfAborted();
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}

/** SHA-256 (hex) of a stream, read chunk by chunk. */
export async function sha256OfStream(stream: Readable, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await forEachChunk(stream, signal, (bytes) => hash.update(bytes));
  return hash.digest('hex');
}
