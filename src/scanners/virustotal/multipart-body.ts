import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** A `multipart/form-data` body with one file field, produced as it is sent. */
export interface MultipartFileBody {
  contentType: string;
  /** Exact byte length, so the request is not chunked and the server can refuse early. */
  contentLength: number;
  chunks: AsyncIterable<Uint8Array>;
  /**
   * Why producing the body failed (the file stream's error, or a length mismatch), if it did:
   * the HTTP client reports that only as a generic failed request.
   */
  readonly sourceError: unknown;
}

/**
 * Wraps a file stream in a one-field `multipart/form-data` body without buffering it, unlike
 * FormData with a Blob, which needs the whole file in memory first. `size` must be the
 * stream's exact length: the body fails rather than send a different number of bytes.
 */
export function multipartFileBody(
  field: string,
  fileName: string,
  file: Readable,
  size: number,
): MultipartFileBody {
  const boundary = `----upload-service-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${quote(field)}"; filename="${quote(fileName)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);

  let sourceError: unknown;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield head;
    let sent = 0;
    try {
      for await (const chunk of file) {
        const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        sent += bytes.length;
        if (sent > size) throw new Error(`the object is longer than its declared ${size} bytes`);
        yield bytes;
      }
      if (sent !== size) throw new Error(`the object has ${sent} bytes, not its declared ${size}`);
    } catch (error) {
      sourceError = error;
      throw error;
    }
    yield tail;
  }

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + size + tail.length,
    chunks: chunks(),
    get sourceError() {
      return sourceError;
    },
  };
}

/** Form-data names are quoted strings; these characters would break out of the quotes or the line. */
function quote(value: string): string {
  return value.replace(/["\r\n\\]/g, '_');
}
