import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed local upload URL allows: one PUT of exactly this type, size and (optional) digest. */
export interface UploadGrant {
  key: string;
  /** Unix seconds. */
  expires: number;
  size: number;
  contentType: string;
  checksumSha256?: string;
}

/** What a signed local part URL allows: one PUT of exactly `size` bytes (and digest) as part `partNumber`. */
export interface PartGrant {
  key: string;
  uploadId: string;
  partNumber: number;
  /** Unix seconds. */
  expires: number;
  size: number;
  checksumSha256?: string;
}

/** What a signed local download URL allows, and how the response is labelled. */
export interface DownloadGrant {
  key: string;
  /** Unix seconds. */
  expires: number;
  contentType?: string;
  downloadName?: string;
}

export type UrlRefusal = 'invalid-signature' | 'expired';
export type Verified<T> = { ok: true; grant: T } | { ok: false; reason: UrlRefusal };

const SIGNATURE_BYTES = 32;
const UNSIGNED_INT = /^\d{1,15}$/;

/**
 * HMAC-SHA256 signatures for the local provider's URLs. The canonical string covers the method
 * (an upload URL cannot be used to download, nor the reverse), the key and every parameter the
 * server enforces; it is a JSON array, so no value can be shifted into its neighbour.
 */
export class LocalUrlSigner {
  private readonly macKey: Buffer;

  constructor(secret: string) {
    // A key of our own, so the caller's secret (possibly shared with other uses) never signs
    // anything these URLs could be confused with.
    this.macKey = createHmac('sha256', secret).update('local-storage-url/v1').digest();
  }

  uploadQuery(grant: UploadGrant): URLSearchParams {
    const query = new URLSearchParams({
      expires: String(grant.expires),
      size: String(grant.size),
      type: grant.contentType,
    });
    if (grant.checksumSha256) query.set('sha256', grant.checksumSha256);
    query.set('sig', this.sign(uploadCanonical(grant)));
    return query;
  }

  partQuery(grant: PartGrant): URLSearchParams {
    const query = new URLSearchParams({
      uploadId: grant.uploadId,
      partNumber: String(grant.partNumber),
      expires: String(grant.expires),
      size: String(grant.size),
    });
    if (grant.checksumSha256) query.set('sha256', grant.checksumSha256);
    query.set('sig', this.sign(partCanonical(grant)));
    return query;
  }

  verifyPart(key: string, query: URLSearchParams, nowSeconds: number): Verified<PartGrant> {
    const expires = parseUnsigned(query.get('expires'));
    const size = parseUnsigned(query.get('size'));
    const partNumber = parseUnsigned(query.get('partNumber'));
    const uploadId = query.get('uploadId');
    if (expires === undefined || size === undefined || partNumber === undefined || !uploadId) {
      return { ok: false, reason: 'invalid-signature' };
    }
    const grant: PartGrant = {
      key,
      uploadId,
      partNumber,
      expires,
      size,
      checksumSha256: query.get('sha256') || undefined,
    };
    return this.check(grant, partCanonical(grant), query.get('sig'), nowSeconds);
  }

  downloadQuery(grant: DownloadGrant): URLSearchParams {
    const query = new URLSearchParams({ expires: String(grant.expires) });
    if (grant.contentType) query.set('type', grant.contentType);
    if (grant.downloadName) query.set('name', grant.downloadName);
    query.set('sig', this.sign(downloadCanonical(grant)));
    return query;
  }

  verifyUpload(key: string, query: URLSearchParams, nowSeconds: number): Verified<UploadGrant> {
    const expires = parseUnsigned(query.get('expires'));
    const size = parseUnsigned(query.get('size'));
    const contentType = query.get('type');
    if (expires === undefined || size === undefined || !contentType) {
      return { ok: false, reason: 'invalid-signature' };
    }
    const grant: UploadGrant = {
      key,
      expires,
      size,
      contentType,
      checksumSha256: query.get('sha256') || undefined,
    };
    return this.check(grant, uploadCanonical(grant), query.get('sig'), nowSeconds);
  }

  verifyDownload(key: string, query: URLSearchParams, nowSeconds: number): Verified<DownloadGrant> {
    const expires = parseUnsigned(query.get('expires'));
    if (expires === undefined) return { ok: false, reason: 'invalid-signature' };
    const grant: DownloadGrant = {
      key,
      expires,
      contentType: query.get('type') || undefined,
      downloadName: query.get('name') || undefined,
    };
    return this.check(grant, downloadCanonical(grant), query.get('sig'), nowSeconds);
  }

  private check<T extends { expires: number }>(
    grant: T,
    canonical: string,
    signature: string | null,
    nowSeconds: number,
  ): Verified<T> {
    const given = Buffer.from(signature ?? '', 'base64url');
    const expected = this.mac(canonical);
    // Length first: timingSafeEqual throws on different lengths, and the length is no secret.
    if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'invalid-signature' };
    }
    if (nowSeconds > grant.expires) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  private sign(canonical: string): string {
    return this.mac(canonical).toString('base64url');
  }

  private mac(canonical: string): Buffer {
    return createHmac('sha256', this.macKey).update(canonical).digest();
  }
}

function uploadCanonical(g: UploadGrant): string {
  return JSON.stringify(['PUT', g.key, g.expires, g.size, g.contentType, g.checksumSha256 ?? '']);
}

function partCanonical(g: PartGrant): string {
  // The digest only when there is one, so part URLs signed before it existed still verify.
  const digest = g.checksumSha256 ? [g.checksumSha256] : [];
  return JSON.stringify(['PUT-PART', g.key, g.uploadId, g.partNumber, g.expires, g.size, ...digest]);
}

function downloadCanonical(g: DownloadGrant): string {
  return JSON.stringify(['GET', g.key, g.expires, g.contentType ?? '', g.downloadName ?? '']);
}

function parseUnsigned(value: string | null): number | undefined {
  return value !== null && UNSIGNED_INT.test(value) ? Number(value) : undefined;
}
