import { ERRORS } from '../../errors';
import { isBase64Sha256 } from '../../storage/input-checks';
import type { CompletedPart, StoredPart } from '../../storage/storage.adapter';

/**
 * Checks `uploadPartUrls`' optional `checksums` (one base64 SHA-256 per requested part number,
 * in the same order) against how the upload was initiated: S3 refuses parts without a checksum
 * in an upload created with part checksums, and parts with one in an upload created without.
 */
export function assertPartChecksums(
  checksums: readonly string[] | null | undefined,
  partCount: number,
  partChecksums: boolean,
): void {
  if (checksums == null) {
    if (partChecksums) {
      throw ERRORS.badInput(
        'checksums',
        "this upload was initiated with partChecksums: give each part's base64 SHA-256 in checksums",
      );
    }
    return;
  }
  if (!partChecksums) {
    throw ERRORS.badInput('checksums', 'checksums need an upload initiated with partChecksums: true');
  }
  if (checksums.length !== partCount) {
    throw ERRORS.badInput('checksums', 'checksums must give one SHA-256 per part number, in the same order');
  }
  checksums.forEach((checksum, i) => {
    if (typeof checksum !== 'string' || !isBase64Sha256(checksum)) {
      throw ERRORS.badInput(
        'checksums',
        `checksums[${i}] must be a base64-encoded SHA-256 digest (32 bytes)`,
      );
    }
  });
}

/** `parts` with the checksum storage holds for each (S3 wants them at completion), by part number. */
export function withStoredChecksums(
  parts: readonly CompletedPart[],
  stored: readonly StoredPart[],
): CompletedPart[] {
  const checksums = new Map(stored.map((part) => [part.partNumber, part.checksumSha256]));
  return parts.map((part) => {
    const checksumSha256 = part.checksumSha256 ?? checksums.get(part.partNumber);
    return checksumSha256 ? { ...part, checksumSha256 } : part;
  });
}
