import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { checkLeadingBytes } from '../../src/services/upload/content-check';
import { isMimeTypeAllowed, normalizeMimeType } from '../../src/services/upload/mime-types';

describe('MIME types', () => {
  it('normalizes case and drops parameters', () => {
    expect(normalizeMimeType('Text/Plain; charset=UTF-8')).toBe('text/plain');
    expect(normalizeMimeType('not a type')).toBeNull();
    expect(normalizeMimeType('image/')).toBeNull();
  });

  it('matches the allow-list exactly or by type/* wildcard', () => {
    expect(isMimeTypeAllowed('image/png', ['image/*'])).toBe(true);
    expect(isMimeTypeAllowed('image/png', ['image/jpeg'])).toBe(false);
    expect(isMimeTypeAllowed('video/mp4', ['image/*', 'video/mp4'])).toBe(true);
  });
});

describe('checkLeadingBytes', () => {
  it('accepts real images of their declared type and refuses other bytes', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#0f0' } })
      .jpeg()
      .toBuffer();
    expect(await checkLeadingBytes('image/png', png)).toBeNull();
    expect(await checkLeadingBytes('image/jpeg', jpeg)).toBeNull();
    expect(await checkLeadingBytes('image/png', jpeg)).toMatch(/image\/jpeg/);
    expect(await checkLeadingBytes('image/png', Buffer.from('plain text'))).toMatch(/not recognisable/);
  });

  it('treats UTF-8 without NUL bytes as text, and binary as not', async () => {
    expect(await checkLeadingBytes('text/plain', Buffer.from('héllo, wörld\n'))).toBeNull();
    expect(await checkLeadingBytes('text/csv', Buffer.from('a,b\n1,2\n'))).toBeNull();
    expect(await checkLeadingBytes('text/plain', Buffer.from([0x00, 0x01, 0x02]))).toMatch(/binary/);
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(await checkLeadingBytes('text/plain', png)).toMatch(/image\/png/);
  });

  it('accepts a UTF-8 character cut at the end of the sniffed window', async () => {
    const text = Buffer.from('abc€');
    expect(await checkLeadingBytes('text/plain', text.subarray(0, text.length - 1))).toBeNull();
  });

  it('accepts a zip container for OOXML declarations and PDFs for PDFs', async () => {
    const zipHeader = Buffer.from('504b0304140000000800', 'hex');
    expect(
      await checkLeadingBytes('application/zip', Buffer.concat([zipHeader, Buffer.alloc(100)])),
    ).toBeNull();
    const pdf = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
    expect(await checkLeadingBytes('application/pdf', pdf)).toBeNull();
  });
});
