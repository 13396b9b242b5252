import { ERRORS } from '../../errors';
import { MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE } from '../../storage/storage.adapter';

/** Part URLs one `uploadPartUrls` call may ask for. */
const MAX_PART_URLS_PER_CALL = 100;
const MiB = 1024 * 1024;
/** What the server picks when the client names no part size and the file allows it. */
const PREFERRED_PART_SIZE = 8 * MiB;

/** How a multipart upload's bytes are cut: every part `partSize` bytes except a shorter last one. */
export interface PartLayout {
  fileSize: number;
  partSize: number;
  partCount: number;
}

/**
 * The layout for `fileSize` bytes: the client's `partSize` when it keeps S3's rules (at least
 * 5 MiB, at most 5 GiB, at most 10,000 parts), else BAD_USER_INPUT on `partSize`; without one,
 * 8 MiB, or the smallest whole number of MiB that keeps within 10,000 parts.
 */
export function partLayout(fileSize: number, requested?: number | null): PartLayout {
  if (requested !== undefined && requested !== null) {
    if (!Number.isSafeInteger(requested) || requested < MIN_PART_SIZE || requested > MAX_PART_SIZE) {
      throw ERRORS.badInput(
        'partSize',
        `partSize must be a whole number of bytes from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB)`,
      );
    }
    const partCount = Math.ceil(fileSize / requested);
    if (partCount > MAX_PARTS) {
      throw ERRORS.badInput(
        'partSize',
        `partSize must be at least ${Math.ceil(fileSize / MAX_PARTS)} bytes for this file: at most ${MAX_PARTS} parts`,
      );
    }
    return { fileSize, partSize: requested, partCount };
  }
  const partSize = Math.max(PREFERRED_PART_SIZE, Math.ceil(fileSize / MAX_PARTS / MiB) * MiB);
  if (partSize > MAX_PART_SIZE) {
    throw ERRORS.badInput('fileSize', `fileSize is more than ${MAX_PARTS} parts of 5 GiB can hold`);
  }
  return { fileSize, partSize, partCount: Math.max(1, Math.ceil(fileSize / partSize)) };
}

/** Bytes in part `partNumber` (1-based) of `layout`. */
export function partLength(layout: PartLayout, partNumber: number): number {
  if (partNumber < layout.partCount) return layout.partSize;
  return layout.fileSize - layout.partSize * (layout.partCount - 1);
}

/** Checks the part numbers of one `uploadPartUrls` call; BAD_USER_INPUT on `partNumbers`. */
export function assertPartNumbers(numbers: readonly number[], partCount: number): void {
  if (numbers.length === 0) throw ERRORS.badInput('partNumbers', 'partNumbers must name at least one part');
  if (numbers.length > MAX_PART_URLS_PER_CALL) {
    throw ERRORS.badInput(
      'partNumbers',
      `partNumbers may name at most ${MAX_PART_URLS_PER_CALL} parts per call; ask again for the rest`,
    );
  }
  for (const n of numbers) {
    if (!Number.isInteger(n) || n < 1 || n > partCount) {
      throw ERRORS.badInput(
        'partNumbers',
        `part numbers run from 1 to ${partCount} for this upload (got ${n})`,
      );
    }
  }
  if (new Set(numbers).size !== numbers.length) {
    throw ERRORS.badInput('partNumbers', 'partNumbers must not name a part twice');
  }
}

/**
 * The parts 1..partCount that `held` lacks or holds with another size than the layout's, in
 * order; empty when the upload can be completed from `held`.
 */
export function partsNotReady(
  layout: PartLayout,
  held: ReadonlyMap<number, { size: number }>,
): { missing: number[]; wrongSize: number[] } {
  const missing: number[] = [];
  const wrongSize: number[] = [];
  for (let n = 1; n <= layout.partCount; n++) {
    const part = held.get(n);
    if (!part) missing.push(n);
    else if (part.size !== partLength(layout, n)) wrongSize.push(n);
  }
  return { missing, wrongSize };
}
