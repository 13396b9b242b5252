import { describe, expect, it } from 'vitest';
import { encodeKeyForUrlPath, isValidStorageKey, isValidStoragePrefix } from '../../src/storage/storage-key';

describe('isValidStorageKey', () => {
  it.each([
    'a',
    'uploads/user-1/0b6f/photo.png',
    'quarantine/uploads/x/y z (1).pdf',
    'unicode/résumé-日本.txt',
    'emoji/😀.png',
    'dots/.hidden',
    'dots/file.tar.gz',
  ])('accepts %j', (key) => {
    expect(isValidStorageKey(key)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['parent segment', '../etc/passwd'],
    ['parent inside', 'a/../../b'],
    ['double dot anywhere', 'a..b'],
    ['leading slash', '/etc/passwd'],
    ['trailing slash', 'a/b/'],
    ['empty segment', 'a//b'],
    ['dot segment', 'a/./b'],
    ['backslash', 'a\\b'],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['lone surrogate', 'a\ud800b'],
    ['too long', 'k'.repeat(1025)],
    ['too long in UTF-8 bytes', 'é'.repeat(513)],
  ])('refuses %s', (_label, key) => {
    expect(isValidStorageKey(key)).toBe(false);
  });

  it('accepts exactly 1,024 bytes', () => {
    expect(isValidStorageKey('k'.repeat(1024))).toBe(true);
  });
});

describe('isValidStoragePrefix', () => {
  it('accepts empty, partial and directory prefixes', () => {
    expect(isValidStoragePrefix('')).toBe(true);
    expect(isValidStoragePrefix('uploads/')).toBe(true);
    expect(isValidStoragePrefix('uploads/ab')).toBe(true);
  });
  it('refuses escapes', () => {
    expect(isValidStoragePrefix('../')).toBe(false);
    expect(isValidStoragePrefix('/')).toBe(false);
  });
});

describe('encodeKeyForUrlPath', () => {
  it('keeps slashes and unreserved characters, escapes everything else RFC 3986 style', () => {
    expect(encodeKeyForUrlPath("a b/ü(1)!*'~.-_x+y&z=w?#%")).toBe(
      'a%20b/%C3%BC%281%29%21%2A%27~.-_x%2By%26z%3Dw%3F%23%25',
    );
  });
});
