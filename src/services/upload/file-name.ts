/** Longest name kept, in code points. */
export const MAX_FILE_NAME_LENGTH = 255;
/** Bytes of the file name kept inside a storage key; the rest of the key is short and ASCII. */
const MAX_KEY_NAME_BYTES = 200;

// C0/C1 controls; bidi marks, embeddings, overrides and isolates, which can make
// "evil\u202Egnp.exe" display as "evilexe.png"; zero-width and other invisible characters, which
// make two names look alike; and the byte-order mark.
const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]/g;
// Characters drawn like a slash or backslash: replaced, so no name can look like a path.
const LOOK_ALIKE_SEPARATORS = /[\u2044\u2215\u2216\u2571\u2572\u29f5\u29f8\u29f9\ufe68\uff0f\uff3c]/g;
// Characters drawn like a full stop: made real dots, so the extension a reader sees is the one
// a downloader's system acts on.
const LOOK_ALIKE_DOTS = /[\u2024\ufe52\uff0e]/g;
// Lone surrogates cannot be stored as UTF-8 (inputs containing them are refused before this).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Characters Windows refuses in names; replaced so a downloaded file saves everywhere.
const RESERVED_CHARACTERS = /[<>:"|?*]/g;

/**
 * Makes a user-supplied file name safe to store and show: normalised to NFC, only the last path
 * segment kept, control, bidi and invisible characters removed, look-alike slashes replaced and
 * look-alike dots made dots, trailing dots and spaces dropped (Windows drops them too), and at
 * most 255 characters with its extension preserved. Returns null when nothing usable remains.
 * Idempotent: a sanitized name sanitizes to itself.
 */
export function sanitizeFileName(raw: string): string | null {
  const lastSegment = raw.replace(LONE_SURROGATE, '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .replace(UNSAFE_CHARACTERS, '')
    .replace(LOOK_ALIKE_SEPARATORS, '_')
    .replace(LOOK_ALIKE_DOTS, '.')
    .replace(RESERVED_CHARACTERS, '_')
    .trim()
    // Leading dots would make hidden files, and "." or ".." are not names at all.
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (!cleaned) return null;
  // A cut may end the name in a dot or space again.
  return truncatePreservingExtension(cleaned, MAX_FILE_NAME_LENGTH).replace(/[.\s]+$/, '');
}

/** Shortens `name` to `maxLength` code points, keeping an extension of up to 16 characters. */
export function truncatePreservingExtension(name: string, maxLength: number): string {
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
    // ".." anywhere is refused by the storage-key rules: runs of dots become one.
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '');
  return ascii.slice(0, MAX_KEY_NAME_BYTES).replace(/[-.]+$/, '') || 'file';
}

/** Storage key layout: one place, so every key obeys the contract (no "..", no "\\", no leading "/"). */
export const storageKeys = {
  asset: (assetId: string, fileName: string) => `assets/${assetId}/${keySafeName(fileName)}`,
  upload: (assetId: string) => `incoming/${assetId}`,
  /** Where a DRAFT's bytes are: its recorded upload key, or the default one. */
  uploadOf: (asset: { id: string; uploadKey?: string | null }) =>
    asset.uploadKey ?? storageKeys.upload(asset.id),
  /** The asset an upload key (or a key below it, such as a part) belongs to, or null. */
  assetIdOfUpload: (key: string): string | null =>
    /^incoming\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i.exec(key)?.[1] ??
    null,
  quarantine: (storageKey: string) => `quarantine/${storageKey}`,
  thumbnail: (assetId: string) => `thumbnails/${assetId}.webp`,
};
