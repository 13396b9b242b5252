import { describe, expect, it } from 'vitest';
import {
  KeyOrderError,
  KeysetCursor,
  inKeyOrder,
  mergeByKey,
  type KeysetPageRequest,
} from '../../src/services/cleanup/key-order';
import { compareKeys } from '../../src/storage/storage-key';

/** A keyset source over sorted keys that records every page request it answers. */
function source(keys: string[]) {
  const sorted = [...keys].sort(compareKeys);
  const requests: KeysetPageRequest[] = [];
  const fetch = async (request: KeysetPageRequest) => {
    requests.push(request);
    const from = request.from;
    return sorted
      .filter(
        (key) => !from || (from.inclusive ? compareKeys(key, from.key) >= 0 : compareKeys(key, from.key) > 0),
      )
      .slice(0, request.limit);
  };
  return { fetch, requests };
}

async function* pages<T>(...batches: T[][]): AsyncGenerator<T[]> {
  for (const batch of batches) yield batch;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const objects = (...keys: string[]) => keys.map((key) => ({ key }));

describe('compareKeys', () => {
  it('orders by UTF-8 bytes, as S3 and collate "C" do, not by UTF-16 units', () => {
    // U+FF61 is one UTF-16 unit above the surrogates of U+1F600, but below it in UTF-8.
    expect('\uFF61' < '\u{1F600}').toBe(false);
    expect(compareKeys('\uFF61', '\u{1F600}')).toBeLessThan(0);
    expect(compareKeys('a-b', 'a/c')).toBeLessThan(0);
    expect(compareKeys('a', 'a')).toBe(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
  });

  it('agrees with a byte comparison of the UTF-8 encodings', () => {
    const alphabet = [
      'a',
      '/',
      '-',
      '\u00e9',
      '\u4e2d',
      '\ud7ff',
      '\ue000',
      '\uff61',
      '\uffff',
      '\u{10000}',
      '\u{1f600}',
    ];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = () =>
      Array.from(
        { length: 1 + Math.floor(random() * 4) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
    for (let i = 0; i < 2000; i++) {
      const a = word();
      const b = word();
      expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
  });
});

describe('inKeyOrder', () => {
  it('flattens pages and refuses a listing that goes backwards', async () => {
    expect(await collect(inKeyOrder(pages(objects('a', 'b'), objects('c'))))).toEqual(objects('a', 'b', 'c'));
    await expect(collect(inKeyOrder(pages(objects('a', 'c'), objects('b'))))).rejects.toBeInstanceOf(
      KeyOrderError,
    );
    await expect(collect(inKeyOrder(pages(objects('a', 'a'))))).rejects.toBeInstanceOf(KeyOrderError);
  });
});

describe('KeysetCursor', () => {
  it('reads every row page by page, each page starting after the last key', async () => {
    const rows = source(['a', 'b', 'c', 'd', 'e']);
    const cursor = new KeysetCursor(rows.fetch, (key: string) => key, 2);
    const seen: string[] = [];
    for (let row = await cursor.peek(); row !== undefined; row = await cursor.peek()) {
      seen.push(row);
      cursor.advance();
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(rows.requests.map((r) => r.from)).toEqual([
      undefined,
      { key: 'b', inclusive: false },
      { key: 'd', inclusive: false },
    ]);
  });

  it('seeks within the page it holds, and re-queries only beyond it', async () => {
    const rows = source(['a', 'b', 'c', 'x', 'y', 'z']);
    const cursor = new KeysetCursor(rows.fetch, (key: string) => key, 3);
    await cursor.seek('b');
    expect(await cursor.peek()).toBe('b');
    await cursor.seek('c');
    expect(await cursor.peek()).toBe('c');
    await cursor.seek('y');
    expect(await cursor.peek()).toBe('y');
    await cursor.seek('zz');
    expect(await cursor.peek()).toBeUndefined();
    expect(rows.requests.map((r) => r.from)).toEqual([
      { key: 'b', inclusive: true },
      { key: 'y', inclusive: true },
    ]);
  });

  it('refuses rows that come back out of order', async () => {
    const cursor = new KeysetCursor(
      async () => ['b', 'a'],
      (key: string) => key,
      10,
    );
    await expect(cursor.peek()).rejects.toBeInstanceOf(KeyOrderError);
    const repeating = new KeysetCursor(
      async (request: KeysetPageRequest) => (request.from ? ['b'] : ['a', 'b']),
      (key: string) => key,
      2,
    );
    await repeating.peek();
    repeating.advance();
    repeating.advance();
    await expect(repeating.peek()).rejects.toBeInstanceOf(KeyOrderError);
  });
});

describe('mergeByKey', () => {
  it('pairs objects with rows and reports each side alone, in key order', async () => {
    const rows = source(['a', 'c', 'd', 'f']);
    const steps = await collect(
      mergeByKey(
        inKeyOrder(pages(objects('b', 'c'), objects('e', 'f', 'g'))),
        new KeysetCursor(rows.fetch, (k: string) => k, 2),
        {
          unmatchedRows: true,
        },
      ),
    );
    expect(steps.map((s) => [s.key, s.object ? 'object' : '-', s.row ? 'row' : '-'])).toEqual([
      ['a', '-', 'row'],
      ['b', 'object', '-'],
      ['c', 'object', 'row'],
      ['d', '-', 'row'],
      ['e', 'object', '-'],
      ['f', 'object', 'row'],
      ['g', 'object', '-'],
    ]);
  });

  it('without unmatched rows, seeks past the rows no object needs', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const rows = source(many);
    const steps = await collect(
      mergeByKey(
        inKeyOrder(pages(objects('k0005', 'k0500', 'k0500x', 'k0999'))),
        new KeysetCursor(rows.fetch, (k: string) => k, 10),
        {
          unmatchedRows: false,
        },
      ),
    );
    expect(steps.map((s) => [s.key, !!s.row])).toEqual([
      ['k0005', true],
      ['k0500', true],
      ['k0500x', false],
      ['k0999', true],
    ]);
    // Three seeks beyond the held page, not a hundred pages.
    expect(rows.requests.length).toBeLessThanOrEqual(3);
  });
});
