import AwsS3 from '@uppy/aws-s3';
import Uppy, { type Body, type UppyFile } from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import GoldenRetriever from '@uppy/golden-retriever';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { PageInitiateUploadDocument, type PageUploadLimitsQuery } from '../../generated/graphql';
import { request } from '../shared/api';
import { formatBytes } from '../shared/format';
import { MULTIPART_THRESHOLD, multipartHooks } from './multipart';
import { putToStorage } from './storage-put';

/** What the page keeps per file: the title to confirm with, and the asset once initiated. */
export type FileMeta = { title: string; assetId?: string };
export type PageFile = UppyFile<FileMeta, Body>;
export type Limits = PageUploadLimitsQuery['uploadLimits'];

/** Events of the upload widget the page reacts to. */
export interface UploaderEvents {
  /** The bytes are in storage: confirm and follow the scan. */
  uploaded(file: PageFile, assetId: string): void;
  /** Refused by the server before the bytes went, or the PUT failed for good. */
  failed(file: PageFile, error: unknown): void;
  /** Not added at all: a client-side check (the server's limits) refused it. */
  refused(fileName: string, reason: string): void;
}

/**
 * The Uppy widget (Dashboard: drag and drop, batches, a progress bar per file, pause, resume,
 * retry) uploading straight to storage through our GraphQL API: initiateUpload hands a small
 * file a presigned PUT URL and the headers it was signed with; a large one goes up in parts
 * (initiateMultipartUpload, uploadPartUrls), which survive a pause or a network cut.
 */
export function createUploader(
  target: HTMLElement,
  token: () => string,
  events: UploaderEvents,
): {
  uppy: Uppy<FileMeta, Body>;
  applyLimits(limits: Limits | null): void;
} {
  const uppy = new Uppy<FileMeta, Body>({
    id: 'upload-page',
    autoProceed: false,
    allowMultipleUploadBatches: true,
    onBeforeFileAdded: (file) => {
      // The title confirm needs: the file's name without its extension, editable per file.
      if (!file.meta.title)
        file.meta.title = (file.name ?? '').replace(/\.[^.]+$/, '') || (file.name ?? 'Upload');
      return file;
    },
  });

  uppy.use(Dashboard, {
    inline: true,
    target,
    width: '100%',
    height: 420,
    proudlyDisplayPoweredByUppy: false,
    hideProgressDetails: false,
    metaFields: [{ id: 'title', name: 'Title', placeholder: 'Defaults to the file name' }],
    theme: 'light',
  });
  // Uppy renders a single file's item (role="listitem") without the list around it, which
  // screen readers (and axe) reject: the wrapper is given the list role it lacks.
  new MutationObserver(() => {
    for (const files of target.querySelectorAll('.uppy-Dashboard-files:not([role])'))
      files.setAttribute('role', 'list');
  }).observe(target, { childList: true, subtree: true });

  uppy.use(AwsS3<FileMeta, Body>, {
    limit: 3,
    shouldUseMultipart: (file) => (file.size ?? 0) >= MULTIPART_THRESHOLD,
    ...multipartHooks(token, (fileId, assetId) =>
      uppy.setFileMeta(fileId, { ...uppy.getFile(fileId).meta, assetId }),
    ),
    getUploadParameters: async (file: PageFile) => {
      const { initiateUpload } = await request(
        PageInitiateUploadDocument,
        {
          input: {
            fileName: file.name ?? 'upload',
            fileSize: file.size ?? 0,
            mimeType: file.type || 'application/octet-stream',
          },
        },
        token(),
      );
      uppy.setFileMeta(file.id, { ...file.meta, assetId: initiateUpload.assetId });
      return {
        method: 'PUT',
        url: initiateUpload.uploadUrl,
        headers: stringHeaders(initiateUpload.uploadHeaders),
      };
    },
    uploadPartBytes: ({ signature, body, onProgress, signal }) =>
      putToStorage({
        url: signature.url,
        headers: signature.headers ?? {},
        body: body as Blob,
        onProgress,
        signal,
      }),
  });

  // Resume after a reload or a crashed tab: the files being uploaded (kept in this browser's
  // IndexedDB for a day, never the token) come back, and a multipart upload goes on from the
  // parts storage holds. Completed files are dropped from it.
  // Its blob store keeps files up to 10 MiB by default; its types omit the limits it reads.
  const blobLimits = { maxFileSize: 2 * 1024 ** 3, maxTotalSize: 4 * 1024 ** 3 };
  uppy.use(GoldenRetriever, {
    expires: 24 * 60 * 60 * 1000,
    indexedDB: blobLimits as { name?: string },
  });

  uppy.on('upload-success', (file) => {
    const current = file && uppy.getFile(file.id);
    if (current?.meta.assetId) events.uploaded(current, current.meta.assetId);
  });
  uppy.on('upload-error', (file, error) => {
    if (file) events.failed(file, (error as { cause?: unknown }).cause ?? error);
  });
  uppy.on('restriction-failed', (file, error) => {
    events.refused(file?.name ?? 'A file', error.message);
  });

  return {
    uppy,
    applyLimits(limits) {
      uppy.setOptions({
        restrictions: {
          maxFileSize: limits?.maxFileSize ?? null,
          allowedFileTypes: limits ? [...limits.allowedMimeTypes] : null,
        },
      });
      uppy.getPlugin('Dashboard')?.setOptions({
        note: limits
          ? `Up to ${formatBytes(limits.maxFileSize)} per file. Every file is scanned for viruses before anyone can download it.`
          : 'Sign in to upload.',
      });
    },
  };
}

/** uploadHeaders as the string map XMLHttpRequest wants. */
function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
}
