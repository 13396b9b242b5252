import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from '../../error-details';

/** The path, or one of its directories, does not exist. */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Codes that say the filesystem cannot serve right now (unwritable, full, I/O or network-mount
 * failure, out of descriptors), whatever the object: an outage to wait out.
 */
const DOWN_CODES = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'EIO',
  'ENOSPC',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
  'ESTALE',
  'ENOTCONN',
  'ETIMEDOUT',
  'EHOSTDOWN',
  'StorageRootMissing',
]);

export function isStorageDown(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && DOWN_CODES.has(code);
}

/** The storage root is gone (unmounted, moved away): storage is down, and is not re-created here. */
export class StorageRootMissing extends Error {
  override name = 'StorageRootMissing';
  readonly code = 'StorageRootMissing';
  constructor() {
    super('The storage root does not exist');
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * `mkdir -p` of `dir` that stops at `root`: directories below the root are created, the root
 * itself never is (a missing root means the volume is gone; writing into a fresh empty one would
 * hide that). Usually one syscall: parents are only walked when the first mkdir says ENOENT.
 */
export async function mkdirBelow(root: string, dir: string): Promise<void> {
  if (dir === root || !dir.startsWith(root + path.sep)) throw new StorageRootMissing();
  try {
    await mkdir(dir);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT') throw error;
    await mkdirBelow(root, path.dirname(dir));
    await mkdir(dir).catch((again: unknown) => {
      if (errorCode(again) !== 'EEXIST') throw again;
    });
  }
}
