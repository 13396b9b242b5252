/** Headers a page may not set; the browser fills them in itself (Content-Length among them). */
const FORBIDDEN_REQUEST_HEADERS = new Set([
  'content-length',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'expect',
  'te',
  'trailer',
  'upgrade',
  'cookie',
  'cookie2',
  'date',
  'origin',
  'referer',
  'via',
]);

/** What {@link putToStorage} needs: a presigned URL and the headers it was signed with. */
export interface PutOptions {
  url: string;
  headers: Record<string, unknown>;
  body: Blob;
  onProgress(event: { loaded: number; lengthComputable: boolean }): void;
  signal?: AbortSignal;
}

/** Thrown when storage answers the PUT with something other than 2xx, or not at all. */
export class StoragePutError extends Error {
  override name = 'StoragePutError';
  /** Where Uppy's multipart uploader reads the status to decide on a retry (0: no answer). */
  readonly source: { status: number };
  constructor(readonly status: number) {
    super(status === 0 ? 'Could not reach storage' : `Storage refused the upload (HTTP ${status})`);
    this.source = { status };
  }
}

/**
 * PUTs bytes to a presigned storage URL (S3, R2, MinIO or this server's local provider) with
 * progress. Resolves with the ETag when storage exposes one (S3 does; a single PUT needs none).
 */
export function putToStorage({
  url,
  headers,
  body,
  onProgress,
  signal,
}: PutOptions): Promise<{ ETag: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (FORBIDDEN_REQUEST_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-'))
        continue;
      xhr.setRequestHeader(name, String(value));
    }
    xhr.upload.addEventListener('progress', (event) => onProgress(event));
    xhr.addEventListener('load', () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(new StoragePutError(xhr.status));
        return;
      }
      onProgress({ loaded: body.size, lengthComputable: true });
      resolve({ ETag: xhr.getResponseHeader('ETag') ?? '' });
    });
    xhr.addEventListener('error', () => reject(new StoragePutError(0)));
    xhr.addEventListener('abort', () => reject(new DOMException('Upload cancelled', 'AbortError')));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
