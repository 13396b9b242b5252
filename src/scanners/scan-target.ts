import { Readable } from 'node:stream';
import type { ScanTarget } from './scanner';

/**
 * A {@link ScanTarget} over bytes already in memory, handed out in `chunkSize` pieces.
 * For small objects, tools and tests; objects in storage should be streamed, not buffered.
 */
export function scanTargetFromBuffer(assetId: string, bytes: Buffer, chunkSize = 64 * 1024): ScanTarget {
  return {
    assetId,
    size: bytes.length,
    async open() {
      // A generator (not Readable.from(bytes)) so consumers see several chunks, as from storage.
      function* chunks(): Generator<Buffer> {
        for (let offset = 0; offset < bytes.length; offset += chunkSize) {
          yield bytes.subarray(offset, offset + chunkSize);
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },
  };
}
