const MAX_FILE_NAME_LENGTH = 255;
/** Bytes of the file name kept inside a storage key; the rest of the key is short and ASCII. */
const MAX_KEY_NAME_BYTES = 200;

// C0/C1 controls, and bidi overrides that can make "evil\u202Egnp.exe" display as "evilexe.png".
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Characters Windows refuses in names; replaced so a downloaded file saves everywhere.
const RESERVED_CHARACTERS = /[<>:"|?*]/g;

/**
 * Makes a user-supplied file name safe to store and show: only the last path segment is kept,
 * control and bidi characters are removed, and the result is at most 255 characters with its
 * extension preserved. Returns null when nothing usable remains.
 */
export function sanitizeFileName(raw: string): string | null {
  const lastSegment = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .replace(UNSAFE_CHARACTERS, '')
    .replace(RESERVED_CHARACTERS, '_')
    .trim()
    // Leading dots would make hidden files, and "." or ".." are not names at all.
    .replace(/^\.+/, '')
    .trim();
  if (!cleaned) return null;
  return truncatePreservingExtension(cleaned, MAX_FILE_NAME_LENGTH);
}

function truncatePreservingExtension(name: string, maxLength: number): string {
  const chars = Array.from(name); // by code point, so no surrogate pair is split
  if (chars.length <= maxLength) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (extension.length === 0 || extension.length > 16) return chars.slice(0, maxLength).join('');
  return chars.slice(0, maxLength - extension.length).join('') + extension.join('');
}

/** The ASCII form of a file name used inside storage keys: [A-Za-z0-9._-] only, bounded in bytes. */
export function keySafeName(fileName: string): string {
  const ascii = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return (ascii || 'file').slice(0, MAX_KEY_NAME_BYTES);
}

/** Storage key layout: one place, so every key obeys the contract (no "..", no "\\", no leading "/"). */
export const storageKeys = {
  asset: (assetId: string, fileName: string) => `assets/${assetId}/${keySafeName(fileName)}`,
  upload: (assetId: string) => `incoming/${assetId}`,
  /** Where a DRAFT's bytes are: its recorded upload key, or the default one. */
  uploadOf: (asset: { id: string; uploadKey?: string | null }) =>
    asset.uploadKey ?? storageKeys.upload(asset.id),
  quarantine: (storageKey: string) => `quarantine/${storageKey}`,
  thumbnail: (assetId: string) => `thumbnails/${assetId}.webp`,
};
