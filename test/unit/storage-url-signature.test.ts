import { describe, expect, it } from 'vitest';
import { LocalUrlSigner, type UploadGrant } from '../../src/storage/local/url-signature';

const signer = new LocalUrlSigner('a-test-secret-of-enough-length');
const now = 1_800_000_000;
const grant: UploadGrant = {
  key: 'uploads/u/1/photo.png',
  expires: now + 60,
  size: 1234,
  contentType: 'image/png',
  checksumSha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
};

function tampered(query: URLSearchParams, name: string, value: string): URLSearchParams {
  const copy = new URLSearchParams(query);
  copy.set(name, value);
  return copy;
}

describe('LocalUrlSigner uploads', () => {
  const query = signer.uploadQuery(grant);

  it('verifies its own URL and returns what it allows', () => {
    expect(signer.verifyUpload(grant.key, query, now)).toEqual({ ok: true, grant });
  });

  it.each([
    ['size', '1235'],
    ['type', 'text/html'],
    ['expires', String(now + 3600)],
    ['sha256', 'AAAAgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg='],
    ['sig', 'x'.repeat(43)],
  ])('refuses a changed %s', (name, value) => {
    expect(signer.verifyUpload(grant.key, tampered(query, name, value), now)).toEqual({
      ok: false,
      reason: 'invalid-signature',
    });
  });

  it('refuses a dropped checksum', () => {
    const copy = new URLSearchParams(query);
    copy.delete('sha256');
    expect(signer.verifyUpload(grant.key, copy, now).ok).toBe(false);
  });

  it('refuses another key', () => {
    expect(signer.verifyUpload('uploads/u/1/other.png', query, now).ok).toBe(false);
  });

  it('refuses another secret', () => {
    const other = new LocalUrlSigner('another-secret-of-enough-length');
    expect(other.verifyUpload(grant.key, query, now).ok).toBe(false);
  });

  it('says expired once the time has passed, and only for an authentic URL', () => {
    expect(signer.verifyUpload(grant.key, query, now + 61)).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verifyUpload(grant.key, tampered(query, 'size', '1'), now + 61)).toEqual({
      ok: false,
      reason: 'invalid-signature',
    });
  });

  it('refuses malformed numbers', () => {
    expect(signer.verifyUpload(grant.key, tampered(query, 'size', '1e3'), now).ok).toBe(false);
    expect(signer.verifyUpload(grant.key, tampered(query, 'expires', '-1'), now).ok).toBe(false);
  });
});

describe('LocalUrlSigner downloads', () => {
  const download = { key: grant.key, expires: now + 60, contentType: 'image/png', downloadName: 'a.png' };
  const query = signer.downloadQuery(download);

  it('verifies its own URL', () => {
    expect(signer.verifyDownload(grant.key, query, now)).toEqual({ ok: true, grant: download });
  });

  it('refuses a changed name or type', () => {
    expect(signer.verifyDownload(grant.key, tampered(query, 'name', 'b.html'), now).ok).toBe(false);
    expect(signer.verifyDownload(grant.key, tampered(query, 'type', 'text/html'), now).ok).toBe(false);
  });

  it('an upload URL is not a download URL, nor the reverse', () => {
    const upload = signer.uploadQuery(grant);
    expect(signer.verifyDownload(grant.key, upload, now).ok).toBe(false);
    expect(signer.verifyUpload(grant.key, query, now).ok).toBe(false);
  });
});
