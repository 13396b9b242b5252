import type { AwsS3Part, UploadResult } from '@uppy/aws-s3';
import {
  PageAbortUploadDocument,
  PageInitiateMultipartUploadDocument,
  PageUploadedPartsDocument,
  PageUploadPartUrlsDocument,
} from '../../generated/graphql';
import { request } from '../shared/api';

/** Files from this size on go up in parts: each part on its own, retried and resumed on its own. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** S3's smallest part (all but the last) and its most parts per upload; the server keeps the same rules. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/**
 * The part size for a file: 5 MiB, or more when the file would need over 10,000 parts. Uppy cuts
 * the file with it and the server is told the same (`partSize`), so every part but the last
 * has exactly this many bytes.
 */
export function partSizeFor(fileSize: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(fileSize / MAX_PARTS));
}

interface MultipartFile {
  id: string;
  name?: string;
  size: number | null;
  type: string;
}

/**
 * Uppy's multipart hooks (@uppy/aws-s3 without Companion), each one GraphQL call: the "upload
 * id" Uppy carries is our asset id, and its "key" the storage key. Completing is left to the
 * page's confirm (confirmUpload assembles the parts storage lists, so no ETag header has to be
 * readable across origins); `onCreated` records the asset id on the file for it.
 */
export function multipartHooks(token: () => string, onCreated: (fileId: string, assetId: string) => void) {
  return {
    getChunkSize: (file: { size: number }) => partSizeFor(file.size),

    createMultipartUpload: async (file: MultipartFile): Promise<UploadResult> => {
      const size = file.size ?? 0;
      const { initiateMultipartUpload } = await request(
        PageInitiateMultipartUploadDocument,
        {
          input: {
            fileName: file.name ?? 'upload',
            fileSize: size,
            mimeType: file.type || 'application/octet-stream',
            partSize: partSizeFor(size),
          },
        },
        token(),
      );
      onCreated(file.id, initiateMultipartUpload.assetId);
      return { uploadId: initiateMultipartUpload.assetId, key: initiateMultipartUpload.storageKey };
    },

    signPart: async (_file: MultipartFile, options: { uploadId: string; partNumber: number }) => {
      const [part] = (
        await request(
          PageUploadPartUrlsDocument,
          { assetId: options.uploadId, partNumbers: [options.partNumber] },
          token(),
        )
      ).uploadPartUrls;
      return {
        method: 'PUT' as const,
        url: part.url,
        headers: Object.fromEntries(
          Object.entries(part.headers).map(([name, value]) => [name, String(value)]),
        ),
        expires: Math.max(1, Math.floor((Date.parse(part.expiresAt) - Date.now()) / 1000)),
      };
    },

    // After a pause, a network cut or a reload: the parts storage already holds are skipped.
    listParts: async (_file: MultipartFile, options: { uploadId?: string }): Promise<AwsS3Part[]> => {
      if (!options.uploadId) return [];
      const { uploadedParts } = await request(
        PageUploadedPartsDocument,
        { assetId: options.uploadId },
        token(),
      );
      return uploadedParts.map((part) => ({ PartNumber: part.partNumber, Size: part.size, ETag: part.etag }));
    },

    completeMultipartUpload: async () => ({}),

    abortMultipartUpload: async (_file: MultipartFile, options: { uploadId?: string }) => {
      if (options.uploadId) await request(PageAbortUploadDocument, { assetId: options.uploadId }, token());
    },
  };
}
