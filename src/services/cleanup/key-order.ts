/**
 * Ordered streams of storage keys and their merge. Storage lists keys in UTF-8 byte order and
 * PostgreSQL's "C" collation compares the same bytes, so a listing and a query ordered
 * `collate "C"` can be walked side by side in one pass, holding one page of each.
 */

import type { KeysetPageRequest } from '../../repositories/cleanup.repository';
import { compareKeys } from '../../storage/storage-key';

/**
 * A stream turned out not to be in key order. Merging it anyway would take owned objects for
 * orphans, so the scan stops instead.
 */
export class KeyOrderError extends Error {
  override name = 'KeyOrderError';
  constructor(readonly source: 'storage' | 'database') {
    super(`${source} keys are not in byte order`);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export type { KeysetPageRequest };

/** Reads one page of rows in key order starting at `request.from`. */
export type KeysetPageFetcher<R> = (request: KeysetPageRequest) => Promise<R[]>;

/**
 * Rows in key order, read with keyset paging (never OFFSET) and holding one page at a time.
 * `seek` jumps forward with a fresh indexed query instead of reading every row in between,
 * for merges that only look rows up.
 */
export class KeysetCursor<R> {
  private page: R[] = [];
  private index = 0;
  private exhausted = false;
  private lastKey: string | undefined;

  constructor(
    private readonly fetch: KeysetPageFetcher<R>,
    readonly keyOf: (row: R) => string,
    private readonly pageSize: number,
  ) {}

  /** The current row, or undefined when none are left. */
  async peek(): Promise<R | undefined> {
    if (this.index >= this.page.length && !this.exhausted) {
      await this.load(this.lastKey === undefined ? undefined : { key: this.lastKey, inclusive: false });
    }
    return this.page[this.index];
  }

  advance(): void {
    this.index++;
  }

  /** Moves to the first row whose key is at or after `key`; `key` must not go backwards. */
  async seek(key: string): Promise<void> {
    const last = this.page.at(-1);
    if (last !== undefined && compareKeys(this.keyOf(last), key) >= 0) {
      while (this.index < this.page.length && compareKeys(this.keyOf(this.page[this.index] as R), key) < 0)
        this.index++;
      return;
    }
    if (this.exhausted) {
      this.index = this.page.length;
      return;
    }
    await this.load({ key, inclusive: true });
  }

  private async load(from: KeysetPageRequest['from']): Promise<void> {
    const page = await this.fetch({ from, limit: this.pageSize });
    this.assertAscending(page, from);
    this.page = page;
    this.index = 0;
    this.exhausted = page.length < this.pageSize;
    const last = page.at(-1);
    if (last !== undefined) this.lastKey = this.keyOf(last);
  }

  /** Keys must strictly increase, from the page's start bound on. */
  private assertAscending(page: R[], from: KeysetPageRequest['from']): void {
    let floor = from?.key;
    let floorIncluded = from?.inclusive ?? false;
    for (const row of page) {
      const key = this.keyOf(row);
      if (floor !== undefined) {
        const order = compareKeys(key, floor);
        if (order < 0 || (order === 0 && !floorIncluded)) throw new KeyOrderError('database');
      }
      floor = key;
      floorIncluded = false;
    }
  }
}

/** Flattens listing pages into single objects, checking that keys strictly increase. */
export async function* inKeyOrder<T extends { key: string }>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  let previous: string | undefined;
  for await (const page of pages) {
    for (const item of page) {
      if (previous !== undefined && compareKeys(previous, item.key) >= 0) throw new KeyOrderError('storage');
      previous = item.key;
      yield item;
    }
  }
}

/** One key of a merge: an object with its row, an object alone, or (when asked for) a row alone. */
export type MergeStep<O, R> =
  { key: string; object: O; row: R | undefined } | { key: string; object: undefined; row: R };

/**
 * Walks objects and rows (both in key order) side by side. With `unmatchedRows` it also yields
 * rows that have no object, and so reads every row; without, it seeks past rows no object needs.
 */
export async function* mergeByKey<O extends { key: string }, R>(
  objects: AsyncIterable<O>,
  rows: KeysetCursor<R>,
  options: { unmatchedRows: boolean },
): AsyncGenerator<MergeStep<O, R>> {
  for await (const object of objects) {
    if (!options.unmatchedRows) await rows.seek(object.key);
    let row = await rows.peek();
    while (row !== undefined && compareKeys(rows.keyOf(row), object.key) < 0) {
      // Only reached with unmatchedRows: a seek leaves no row before the object's key.
      yield { key: rows.keyOf(row), object: undefined, row };
      rows.advance();
      row = await rows.peek();
    }
    if (row !== undefined && rows.keyOf(row) === object.key) {
      rows.advance();
      yield { key: object.key, object, row };
    } else {
      yield { key: object.key, object, row: undefined };
    }
  }
  if (!options.unmatchedRows) return;
  for (let row = await rows.peek(); row !== undefined; row = await rows.peek()) {
    yield { key: rows.keyOf(row), object: undefined, row };
    rows.advance();
  }
}
