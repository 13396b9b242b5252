/** Longest key S3 accepts, in UTF-8 bytes; the API contract promises the same bound. */
const MAX_STORAGE_KEY_BYTES = 1024;

/**
 * True when `key` follows the rules every provider relies on: relative, '/'-separated, no empty,
 * '.' or '..' segments (the contract forbids '..' anywhere), no backslash, no control characters,
 * valid Unicode, at most 1,024 UTF-8 bytes. Checked before any I/O so a hostile key can reach
 * neither the filesystem nor a signed URL.
 */
export function isValidStorageKey(key: string): boolean {
  if (typeof key !== 'string' || key.length === 0) return false;
  if (key.startsWith('/') || key.endsWith('/')) return false;
  if (key.includes('..') || key.includes('\\') || key.includes('//')) return false;
  if (hasControlCharacter(key) || !isWellFormedUnicode(key)) return false;
  if (Buffer.byteLength(key, 'utf8') > MAX_STORAGE_KEY_BYTES) return false;
  return !key.split('/').includes('.');
}

/** A list prefix is '' or a key, optionally ending in '/'. */
export function isValidStoragePrefix(prefix: string): boolean {
  if (prefix === '') return true;
  return isValidStorageKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/**
 * Percent-encodes a key for a URL path the way S3 canonicalises it (RFC 3986 unreserved
 * characters kept, '/' kept between segments), so the path we sign is the path S3 verifies.
 */
export function encodeKeyForUrlPath(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/');
}

/** encodeURIComponent also leaves !'()* alone; RFC 3986 (and SigV4) escape them. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates cannot be encoded as UTF-8, so no provider could store such a key faithfully. */
function isWellFormedUnicode(value: string): boolean {
  // search() ignores the g flag and lastIndex.
  return value.search(LONE_SURROGATE) === -1;
}

/** `value` with each lone surrogate replaced by U+FFFD, so it can be UTF-8 encoded. */
export function replaceLoneSurrogates(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * UTF-8 byte order (that is, code point order), as S3 lists keys. JS string order compares
 * UTF-16 units, which differs only between a surrogate (a character above U+FFFF) and a unit in
 * U+E000..U+FFFF; remapping both fixes that without allocating, since this runs for every key.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
