import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListedObject } from '../storage.adapter';
import { compareKeys, isValidStorageKey } from '../storage-key';
import { isMissing } from './fs-errors';

export interface WalkOptions {
  /** Absolute root directory; keys are paths relative to it. */
  root: string;
  prefix: string;
  /** Only keys strictly greater than this (UTF-8 byte order, as S3). */
  startAfter?: string;
  /** Top-level entries that are not objects (the staging directory). */
  skipTopLevel: ReadonlySet<string>;
}

/**
 * Yields the files under `root` in S3's key order, one directory listing per level in memory.
 * Sorting each directory by name alone would be wrong: "a-b" sorts before "a/c" ('-' < '/'), yet
 * a depth-first walk visits directory "a" first. Sorting directories by "name/" fixes that, so a
 * depth-first walk yields keys in exactly the order S3 would list them.
 */
export async function* walkInKeyOrder(options: WalkOptions): AsyncGenerator<ListedObject> {
  const { prefix } = options;
  // Start at the deepest directory the prefix names entirely ("a/b/c" → "a/b/").
  const baseKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  yield* walkDirectory(options, path.join(options.root, baseKey), baseKey);
}

async function* walkDirectory(
  options: WalkOptions,
  directory: string,
  directoryKey: string,
): AsyncGenerator<ListedObject> {
  const { prefix, startAfter } = options;
  for (const entry of await sortedEntries(options, directory, directoryKey)) {
    if (entry.isDirectory) {
      // Every key below starts with entry.sortKey: prune subtrees outside the prefix, and
      // subtrees wholly at or before startAfter.
      if (!entry.sortKey.startsWith(prefix) && !prefix.startsWith(entry.sortKey)) continue;
      if (
        startAfter !== undefined &&
        !startAfter.startsWith(entry.sortKey) &&
        compareKeys(entry.sortKey, startAfter) < 0
      ) {
        continue;
      }
      yield* walkDirectory(options, path.join(directory, entry.name), entry.sortKey);
      continue;
    }
    const key = entry.sortKey;
    if (!key.startsWith(prefix) || (startAfter !== undefined && compareKeys(key, startAfter) <= 0)) continue;
    if (!isValidStorageKey(key)) continue; // a stray file no key could name
    try {
      const info = await stat(path.join(directory, entry.name));
      yield { key, size: info.size, lastModified: info.mtime };
    } catch (error) {
      if (!isMissing(error)) throw error; // deleted while we walked: simply not listed
    }
  }
}

interface WalkEntry {
  name: string;
  isDirectory: boolean;
  sortKey: string;
}

async function sortedEntries(
  options: WalkOptions,
  directory: string,
  directoryKey: string,
): Promise<WalkEntry[]> {
  let dirents: Dirent[];
  try {
    dirents = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return dirents
    .filter((d) => d.isFile() || d.isDirectory()) // symlinks and sockets are never objects
    .filter((d) => directoryKey !== '' || !options.skipTopLevel.has(d.name))
    .map((d) => ({
      name: d.name,
      isDirectory: d.isDirectory(),
      sortKey: `${directoryKey}${d.name}${d.isDirectory() ? '/' : ''}`,
    }))
    .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
}
