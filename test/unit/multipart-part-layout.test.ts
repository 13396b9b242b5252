import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import {
  assertPartNumbers,
  partLayout,
  partLength,
  partsNotReady,
} from '../../src/services/upload/part-layout';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function fieldOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    if (error instanceof AppError) return String(error.extensions.field);
    throw error;
  }
  return undefined;
}

describe('part layout', () => {
  it("keeps the client's part size within S3's rules", () => {
    expect(partLayout(11 * MiB, 5 * MiB)).toEqual({ fileSize: 11 * MiB, partSize: 5 * MiB, partCount: 3 });
    expect(partLayout(3 * MiB, 5 * MiB).partCount).toBe(1);
    expect(fieldOf(() => partLayout(20 * MiB, 5 * MiB - 1))).toBe('partSize');
    expect(fieldOf(() => partLayout(20 * GiB, 5 * GiB + 1))).toBe('partSize');
    expect(fieldOf(() => partLayout(10_001 * 5 * MiB, 5 * MiB))).toBe('partSize');
    expect(fieldOf(() => partLayout(20 * MiB, 1.5 * 5 * MiB + 0.5))).toBe('partSize');
  });

  it('picks 8 MiB, or whole MiB enough for 10,000 parts, when none is asked for', () => {
    expect(partLayout(100, undefined)).toEqual({ fileSize: 100, partSize: 8 * MiB, partCount: 1 });
    expect(partLayout(2 * GiB, null)).toMatchObject({ partSize: 8 * MiB, partCount: 256 });
    const huge = partLayout(5 * 1024 * GiB);
    expect(huge.partCount).toBeLessThanOrEqual(10_000);
    expect(huge.partSize % MiB).toBe(0);
    expect(huge.partSize).toBeLessThanOrEqual(5 * GiB);
  });

  it('every part but the last is partSize; the last holds the rest', () => {
    const layout = partLayout(11 * MiB + 7, 5 * MiB);
    expect([1, 2, 3].map((n) => partLength(layout, n))).toEqual([5 * MiB, 5 * MiB, MiB + 7]);
    const exact = partLayout(10 * MiB, 5 * MiB);
    expect(partLength(exact, 2)).toBe(5 * MiB);
  });

  it('part numbers: 1-based, within the upload, at most 100 a call, no repeats', () => {
    expect(() => assertPartNumbers([1, 2, 3], 3)).not.toThrow();
    for (const numbers of [[], [0], [4], [1.5], [2, 2], Array.from({ length: 101 }, (_, i) => i + 1)]) {
      expect(fieldOf(() => assertPartNumbers(numbers, 3))).toBe('partNumbers');
    }
  });

  it('finds missing and wrong-sized parts', () => {
    const layout = partLayout(11 * MiB, 5 * MiB);
    const held = new Map([
      [1, { size: 5 * MiB }],
      [3, { size: MiB - 1 }],
    ]);
    expect(partsNotReady(layout, held)).toEqual({ missing: [2], wrongSize: [3] });
    held.set(2, { size: 5 * MiB });
    held.set(3, { size: MiB });
    expect(partsNotReady(layout, held)).toEqual({ missing: [], wrongSize: [] });
  });
});
