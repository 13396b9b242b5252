import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/**
 * SHA-256 (hex) of a stream, read chunk by chunk. Destroys the stream when aborted and then
 * rejects with the signal's reason.
 */
export async function sha256OfStream(stream: Readable, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const onAbort = () => stream.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) hash.update(chunk as Buffer);
    signal?.throwIfAborted();
    return hash.digest('hex');
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}
