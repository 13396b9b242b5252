import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3Multipart, toStorageError } from '../../src/storage/s3/s3-multipart';
import {
  MultipartIncomplete,
  MultipartUploadNotFound,
  StorageError,
} from '../../src/storage/storage.adapter';

/**
 * What the S3 provider's multipart calls put on the wire, as the SDK serialises them: s3rver
 * does not implement ListParts, AbortMultipartUpload or ListMultipartUploads, so these requests
 * are checked here, where they leave the SDK, and the request is then stopped.
 */
interface SentRequest {
  method: string;
  path: string;
  query: Record<string, string | null>;
  headers: Record<string, string>;
  body: string;
}

const STOP = new Error('stopped before sending');

function recordingClient(): { client: S3Client; sent: SentRequest[] } {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const sent: SentRequest[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as {
        method: string;
        path: string;
        query: Record<string, string | null>;
        headers: Record<string, string>;
        body?: unknown;
      };
      sent.push({
        method: request.method,
        path: request.path,
        query: { ...request.query },
        headers: { ...request.headers },
        body: typeof request.body === 'string' ? request.body : '',
      });
      throw STOP;
    },
    { step: 'finalizeRequest', name: 'recordAndStop', priority: 'low' },
  );
  return { client, sent };
}

async function firstRequest(call: (multipart: S3Multipart) => Promise<unknown>): Promise<SentRequest> {
  const { client, sent } = recordingClient();
  await expect(call(new S3Multipart(client, 'bucket'))).rejects.toBeInstanceOf(StorageError);
  client.destroy();
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

describe('S3 multipart requests as the SDK sends them', () => {
  it('ListParts: GET on the key with the upload id', async () => {
    const request = await firstRequest((m) => m.listParts('assets/a b/ü.txt', 'UP-1'));
    expect(request).toMatchObject({ method: 'GET', path: '/bucket/assets/a%20b/%C3%BC.txt' });
    expect(request.query).toMatchObject({ uploadId: 'UP-1' });
  });

  it('AbortMultipartUpload: DELETE on the key with the upload id', async () => {
    const request = await firstRequest((m) => m.abort('assets/x/f.bin', 'UP-2'));
    expect(request).toMatchObject({ method: 'DELETE', path: '/bucket/assets/x/f.bin' });
    expect(request.query).toMatchObject({ uploadId: 'UP-2' });
  });

  it('ListMultipartUploads: GET on the bucket with ?uploads and the prefix', async () => {
    const request = await firstRequest(async (m) => {
      for await (const page of m.list('assets/')) return page;
    });
    expect(request.method).toBe('GET');
    expect(request.path).toMatch(/^\/bucket\/?$/);
    expect(request.query).toHaveProperty('uploads');
    expect(request.query.prefix).toBe('assets/');
  });

  it('CompleteMultipartUpload: POST with the parts in part-number order', async () => {
    const request = await firstRequest((m) =>
      m.complete('k', 'UP-3', [
        { partNumber: 2, etag: '"b"' },
        { partNumber: 1, etag: '"a"' },
      ]),
    );
    expect(request).toMatchObject({ method: 'POST', path: '/bucket/k' });
    expect(request.query).toMatchObject({ uploadId: 'UP-3' });
    const numbers = [...request.body.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => m[1]);
    expect(numbers).toEqual(['1', '2']);
  });
});

describe('S3 multipart requests with part checksums', () => {
  const checksum = (c: string) => Buffer.alloc(32, c).toString('base64');

  it('CreateMultipartUpload asks for SHA256 only when part checksums are wanted', async () => {
    const summed = await firstRequest((m) =>
      m.create('k', { contentType: 'text/plain', partChecksums: true }),
    );
    expect(summed).toMatchObject({ method: 'POST', path: '/bucket/k' });
    expect(summed.query).toHaveProperty('uploads');
    expect(summed.headers['x-amz-checksum-algorithm']).toBe('SHA256');
    const plain = await firstRequest((m) => m.create('k', { contentType: 'text/plain' }));
    expect(plain.headers).not.toHaveProperty('x-amz-checksum-algorithm');
  });

  it("CompleteMultipartUpload names each part's ChecksumSHA256, and none when there is none", async () => {
    const summed = await firstRequest((m) =>
      m.complete('k', 'UP-4', [
        { partNumber: 2, etag: '"b"', checksumSha256: checksum('b') },
        { partNumber: 1, etag: '"a"', checksumSha256: checksum('a') },
      ]),
    );
    const sums = [...summed.body.matchAll(/<ChecksumSHA256>([^<]+)<\/ChecksumSHA256>/g)].map((m) => m[1]);
    expect(sums).toEqual([checksum('a'), checksum('b')]);
    const plain = await firstRequest((m) => m.complete('k', 'UP-5', [{ partNumber: 1, etag: '"a"' }]));
    expect(plain.body).not.toMatch(/Checksum/);
  });
});

describe("S3's multipart errors, as the adapter's", () => {
  const s3Error = (name: string, status: number) =>
    new S3ServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
    });

  it('an upload that is not open, parts that are not complete, a store without the call, an outage', () => {
    expect(toStorageError('listParts', s3Error('NoSuchUpload', 404))).toBeInstanceOf(MultipartUploadNotFound);
    for (const name of ['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']) {
      expect(toStorageError('completeMultipartUpload', s3Error(name, 400))).toBeInstanceOf(
        MultipartIncomplete,
      );
    }
    const missing = toStorageError('listMultipartUploads', s3Error('NotImplemented', 501));
    expect(missing).toMatchObject({ code: 'NotImplemented' });
    const down = toStorageError('listParts', s3Error('SlowDown', 503));
    expect(down.unavailable).toBe(true);
    // Never the provider's message (it may name the bucket).
    expect(toStorageError('abortMultipartUpload', s3Error('AccessDenied', 403)).message).toBe(
      'Storage abortMultipartUpload failed',
    );
  });
});
