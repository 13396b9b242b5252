import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from '../../src/storage/content-disposition';

describe('attachmentDisposition', () => {
  it('is a bare attachment without a name', () => {
    expect(attachmentDisposition()).toBe('attachment');
    expect(attachmentDisposition('  ')).toBe('attachment');
  });

  it('gives an ASCII fallback and the exact name as filename*', () => {
    expect(attachmentDisposition('résumé 2024.pdf')).toBe(
      `attachment; filename="r_sum_ 2024.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf`,
    );
  });

  it('cannot be broken out of by quotes, backslashes or line breaks', () => {
    const header = attachmentDisposition('a"b\\c\r\nSet-Cookie: x=1.txt');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain('filename="a_b_c__Set-Cookie: x=1.txt"');
    expect(header).toContain(`filename*=UTF-8''a%22b%5Cc%0D%0ASet-Cookie%3A%20x%3D1.txt`);
  });

  it('escapes the characters RFC 5987 attr-char excludes', () => {
    expect(attachmentDisposition("it's (1)*.txt")).toContain(`filename*=UTF-8''it%27s%20%281%29%2A.txt`);
  });

  it('survives lone surrogates', () => {
    expect(attachmentDisposition('a\ud800.txt')).toContain(`filename*=UTF-8''a%EF%BF%BD.txt`);
  });
});
