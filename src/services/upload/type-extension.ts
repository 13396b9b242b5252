import mime from 'mime-types';
import { truncatePreservingExtension } from './file-name';

/** Extensions to append when a type has none of its own in mime-db. */
const UNKNOWN_TYPE_EXTENSION = 'bin';

/**
 * The name a file is stored and served under, so that what a downloader's system opens it with
 * follows the type that was verified, never the name: when `fileName` does not already end in
 * one of `mimeType`'s extensions, the type's usual one is appended and the rest of the name is
 * kept as the uploader wrote it. `run.bat` declared text/plain becomes `run.bat.txt`, a PNG named
 * `x.html` becomes `x.html.png`. `maxLength` (code points) is kept by shortening the stem.
 */
export function nameForType(fileName: string, mimeType: string, maxLength: number): string {
  const extensions = mime.extensions[mimeType] ?? [];
  const current = extensionOf(fileName);
  if (current && extensions.includes(current)) return fileName;
  const wanted = extensions[0] ?? (current && mime.lookup(current) ? UNKNOWN_TYPE_EXTENSION : null);
  if (!wanted) return fileName;
  return truncatePreservingExtension(`${fileName}.${wanted}`, maxLength);
}

/** The lower-case extension after the last dot, or null when there is none. */
export function extensionOf(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return null;
  return fileName.slice(dot + 1).toLowerCase();
}
