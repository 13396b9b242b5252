import { describe, expect, it } from 'vitest';
import { keySafeName, sanitizeFileName, storageKeys } from '../../src/services/upload/file-name';

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
    ['report.pdf', 'report.pdf'],
    ['nul\u0000byte.txt', 'nulbyte.txt'],
    ['tab\tand\nnewline.txt', 'tabandnewline.txt'],
    ['evil\u202Egnp.exe', 'evilgnp.exe'],
    ['.hidden', 'hidden'],
    ['what?<is>this:"|*.txt', 'what__is_this____.txt'],
    ['  spaced  .txt ', 'spaced  .txt'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it('refuses names with nothing usable left', () => {
    for (const name of ['', '..', '../..', '/', '\u0000\u0001', '   '])
      expect(sanitizeFileName(name)).toBeNull();
  });

  it('caps at 255 characters and keeps the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(2000)}.jpeg`)!;
    expect(name).toHaveLength(255);
    expect(name.endsWith('.jpeg')).toBe(true);
  });

  it('never splits a surrogate pair when truncating', () => {
    const name = sanitizeFileName('😀'.repeat(300))!;
    expect(Array.from(name)).toHaveLength(255);
    expect(name).toBe('😀'.repeat(255));
  });
});

describe('storage keys', () => {
  it('are ASCII, bounded, and never contain "..", "\\\\" or a leading "/"', () => {
    for (const name of ['../../etc/passwd', 'a\\b', `${'é'.repeat(500)}.txt`, '...', 'x'.repeat(255)]) {
      const key = storageKeys.asset('0b1e4a56-3c2d-4e8f-9a0b-1c2d3e4f5a6b', sanitizeFileName(name) ?? 'file');
      expect(key).not.toMatch(/\.\.|\\|^\//);
      expect(key).toMatch(/^[A-Za-z0-9._/-]+$/);
      expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
    }
  });

  it('transliterate accents and collapse other characters', () => {
    expect(keySafeName('Résumé final (v2).pdf')).toBe('Resume-final-v2-.pdf');
    expect(keySafeName('日本語')).toBe('file');
  });

  it('quarantine keys live under quarantine/', () => {
    expect(storageKeys.quarantine('assets/x/y.txt')).toBe('quarantine/assets/x/y.txt');
  });

  it('name the asset an upload key belongs to, and nothing else', () => {
    const id = '0b0e6f0e-1d2c-4a5b-8c9d-0e1f2a3b4c5d';
    expect(storageKeys.assetIdOfUpload(`incoming/${id}`)).toBe(id);
    expect(storageKeys.assetIdOfUpload(`incoming/${id}/part-3`)).toBe(id);
    expect(storageKeys.assetIdOfUpload(`incoming/${id}x`)).toBeNull();
    expect(storageKeys.assetIdOfUpload(`assets/${id}/a.txt`)).toBeNull();
    expect(storageKeys.assetIdOfUpload('incoming/not-an-id')).toBeNull();
  });
});
