import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3StorageAdapter, type S3Settings } from '../../src/storage/s3.storage';
import { InvalidStorageKey, StorageError, StorageObjectNotFound } from '../../src/storage/storage.adapter';
import { signatureFor } from '../helpers/s3-signature';
import { startS3rver, type RunningS3rver } from '../helpers/s3rver';

let s3: RunningS3rver;
let storage: S3StorageAdapter;
let settings: S3Settings;
/** Every test writes under its own prefix, so tests never see each other's objects. */
const runPrefix = () => `run-${randomUUID()}/`;

beforeAll(async () => {
  s3 = await startS3rver();
  settings = {
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    bucket: s3.bucket,
    forcePathStyle: true,
  };
  storage = new S3StorageAdapter(settings);
});

afterAll(async () => {
  await storage?.close();
  await s3?.stop();
});

async function readAll(stream: Readable): Promise<string> {
  return text(stream);
}

describe('S3StorageAdapter against s3rver', () => {
  it('answers ping, and ensureBucket creates a missing bucket once', async () => {
    await storage.ping();
    const other = new S3StorageAdapter({ ...settings, bucket: `made-${randomUUID()}` });
    try {
      await expect(other.ping()).rejects.toBeInstanceOf(StorageError);
      await other.ensureBucket();
      await other.ensureBucket();
      await other.ping();
    } finally {
      await other.close();
    }
  });

  it('accepts a PUT to a presigned URL with exactly the returned headers', async () => {
    const key = `${runPrefix()}photo.png`;
    const body = Buffer.from('not really a png, but bytes');
    const upload = await storage.presignPut({
      key,
      contentType: 'image/png',
      contentLength: body.length,
      expiresInSeconds: 300,
    });
    expect(upload.headers).toEqual({ 'Content-Type': 'image/png', 'Content-Length': String(body.length) });
    expect(upload.expiresAt.getTime()).toBeGreaterThan(Date.now() + 298_000);
    expect(upload.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 300_000);

    const response = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    expect(response.status).toBe(200);

    expect(await storage.head(key)).toMatchObject({ size: body.length, contentType: 'image/png' });
    expect(await readAll(await storage.getStream(key))).toBe(body.toString());
  });

  it('presigns keys with spaces, Unicode and reserved characters', async () => {
    const key = `${runPrefix()}a b/ü(1)!*'+&=.txt`;
    const upload = await storage.presignPut({
      key,
      contentType: 'text/plain',
      contentLength: 5,
      expiresInSeconds: 60,
    });
    const response = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: 'hello' });
    expect(response.status).toBe(200);
    expect(await storage.head(key)).toMatchObject({ size: 5 });
  });

  it('presigns a GET with an attachment name and content type', async () => {
    const key = `${runPrefix()}doc.bin`;
    await storage.put(key, Buffer.from('%PDF-1.7 body'), { contentType: 'application/octet-stream' });
    const url = await storage.presignGet(key, {
      expiresInSeconds: 60,
      downloadName: 'résumé "final".pdf',
      contentType: 'application/pdf',
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
    expect(await response.text()).toBe('%PDF-1.7 body');
  });

  it('puts streams of a declared length, and refuses one that ends early without hanging', async () => {
    const prefix = runPrefix();
    await storage.put(`${prefix}stream`, Readable.from([Buffer.from('abc'), Buffer.from('def')]), {
      contentType: 'text/plain',
      contentLength: 6,
    });
    expect(await readAll(await storage.getStream(`${prefix}stream`))).toBe('abcdef');

    await expect(
      storage.put(`${prefix}short`, Readable.from([Buffer.from('abc')]), {
        contentType: 'text/plain',
        contentLength: 6,
      }),
    ).rejects.toBeInstanceOf(StorageError);
    // Whether anything was stored is the server's business: S3 keeps nothing from a request cut
    // short of its Content-Length, while s3rver sometimes commits what it got.

    await expect(
      storage.put(`${prefix}unknown`, Readable.from([Buffer.from('abc')]), { contentType: 'text/plain' }),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it('moves an object (special characters included), then deletes idempotently', async () => {
    const prefix = runPrefix();
    // s3rver decodes x-amz-copy-source with decodeURI, which leaves %2B, %26, %3D... encoded, so
    // keys with + & = cannot be copied there (real S3, R2 and MinIO decode them fully).
    const from = `${prefix}uploads/a b/ü(1)%!.txt`;
    const to = `${prefix}quarantine/a b/ü(1)%!.txt`;
    await storage.put(from, Buffer.from('payload'), { contentType: 'text/plain' });

    await storage.move(from, to);
    expect(await storage.head(from)).toBeNull();
    expect(await storage.head(to)).toMatchObject({ size: 7, contentType: 'text/plain' });
    expect(await readAll(await storage.getStream(to))).toBe('payload');

    await expect(storage.move(from, `${prefix}elsewhere`)).rejects.toBeInstanceOf(StorageObjectNotFound);

    await storage.delete(to);
    await storage.delete(to);
    expect(await storage.head(to)).toBeNull();
  });

  it('peeks at the first bytes with the full size and type; shorter and empty objects', async () => {
    const prefix = runPrefix();
    const body = Buffer.from('0123456789'.repeat(1000));
    await storage.put(`${prefix}long`, body, { contentType: 'text/plain' });
    const long = await storage.peek(`${prefix}long`, 4100);
    expect(long?.info).toMatchObject({ size: 10_000, contentType: 'text/plain' });
    expect(long?.bytes.equals(body.subarray(0, 4100))).toBe(true);

    await storage.put(`${prefix}short`, Buffer.from('abc'), { contentType: 'text/plain' });
    expect(await storage.peek(`${prefix}short`, 4100)).toMatchObject({
      info: { size: 3 },
      bytes: Buffer.from('abc'),
    });
    await storage.put(`${prefix}empty`, Buffer.alloc(0), { contentType: 'text/plain' });
    expect(await storage.peek(`${prefix}empty`, 4100)).toMatchObject({
      info: { size: 0 },
      bytes: Buffer.alloc(0),
    });
    await expect(storage.peek(`${prefix}long`, 0)).rejects.toBeInstanceOf(RangeError);
  });

  it('peeking at a server that ignores Range takes the bytes asked for and hangs up', async () => {
    const size = 256 * 1024 * 1024;
    let sent = 0;
    let closed!: () => void;
    const hungUp = new Promise<void>((resolve) => (closed = resolve));
    // Answers every request with 200 and the whole (endless-looking) object, as if Range were unknown.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(size) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!res.write(chunk)) return;
        }
        res.end();
      };
      res.on('drain', pump);
      res.on('close', closed);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const ignoring = new S3StorageAdapter({ ...settings, endpoint: `http://127.0.0.1:${port}` });
    try {
      const peeked = await ignoring.peek('big', 4100);
      expect(peeked).toMatchObject({ info: { size, contentType: 'text/plain' } });
      expect(peeked?.bytes.length).toBe(4100);
      await hungUp;
      expect(sent).toBeLessThan(size / 4);
    } finally {
      await ignoring.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports missing objects as null or StorageObjectNotFound', async () => {
    const key = `${runPrefix()}missing`;
    expect(await storage.head(key)).toBeNull();
    expect(await storage.peek(key, 10)).toBeNull();
    await expect(storage.getStream(key)).rejects.toBeInstanceOf(StorageObjectNotFound);
  });

  it('lists in key order, page by page, with startAfter', async () => {
    const prefix = runPrefix();
    // No key pairs like 'd-e' / 'd/f' here: s3rver orders by file path, S3 by bytes ('-' < '/').
    // The local provider's tests cover that order.
    const keys = ['a', 'b/1', 'b/2', 'c', 'd/e', 'd/f'].map((k) => `${prefix}${k}`);
    for (const key of [...keys].reverse()) {
      await storage.put(key, Buffer.from(key), { contentType: 'text/plain' });
    }
    await storage.put(`${prefix.slice(0, -1)}-outside`, Buffer.from('x'), { contentType: 'text/plain' });

    const pages: string[][] = [];
    for await (const page of storage.list(prefix, { pageSize: 4 })) pages.push(page.map((o) => o.key));
    expect(pages).toEqual([keys.slice(0, 4), keys.slice(4)]);

    const after: string[] = [];
    for await (const page of storage.list(prefix, { startAfter: `${prefix}b/2`, pageSize: 2 })) {
      after.push(...page.map((o) => o.key));
    }
    expect(after).toEqual(keys.slice(3));

    const first = (await storage.list(prefix)[Symbol.asyncIterator]().next()).value as { size: number }[];
    expect(first[0]).toMatchObject({ size: keys[0]?.length });
  });

  it('refuses unsafe keys before any request', async () => {
    for (const key of ['../etc/passwd', '/abs', 'a\\b', 'a\u0000b', '']) {
      await expect(storage.head(key)).rejects.toBeInstanceOf(InvalidStorageKey);
      await expect(
        storage.presignPut({ key, contentType: 'text/plain', contentLength: 1, expiresInSeconds: 60 }),
      ).rejects.toBeInstanceOf(InvalidStorageKey);
    }
  });
});

describe('S3 presigned PUT signatures', () => {
  const body = Buffer.from('exact bytes');
  const checksum = createHash('sha256').update(body).digest('base64');

  it('sign content-length and content-type, and the checksum when given', async () => {
    const upload = await storage.presignPut({
      key: 'signed/a.png',
      contentType: 'image/png',
      contentLength: body.length,
      checksumSha256: checksum,
      expiresInSeconds: 60,
    });
    const url = new URL(upload.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual([
      'content-length',
      'content-type',
      'host',
      'x-amz-checksum-sha256',
    ]);
    // The checksum must travel as a header, where S3 checks it against the body.
    expect(url.searchParams.has('x-amz-checksum-sha256')).toBe(false);
    expect(upload.headers).toEqual({
      'Content-Type': 'image/png',
      'Content-Length': String(body.length),
      'x-amz-checksum-sha256': checksum,
    });
    const response = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    expect(response.status).toBe(200);
  });

  it('would not verify for another length, type or checksum (recomputed with the SDK signer)', async () => {
    const upload = await storage.presignPut({
      key: 'signed/ü b.png',
      contentType: 'image/png',
      contentLength: body.length,
      checksumSha256: checksum,
      expiresInSeconds: 60,
    });
    const signature = new URL(upload.url).searchParams.get('X-Amz-Signature');

    // The recomputation reproduces the URL's signature for the declared request...
    expect(await signatureFor(s3, upload.url, upload.headers)).toBe(signature);
    // ...and differs as soon as anything signed changes.
    const variants = [
      { ...upload.headers, 'Content-Length': String(body.length + 1) },
      { ...upload.headers, 'Content-Type': 'text/html' },
      { ...upload.headers, 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') },
    ];
    for (const headers of variants) {
      expect(await signatureFor(s3, upload.url, headers)).not.toBe(signature);
    }
  });

  it('sign only host for a GET', async () => {
    const url = new URL(await storage.presignGet('signed/a.png', { expiresInSeconds: 60 }));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment');
  });
});

describe('S3 errors', () => {
  function visibleParts(error: StorageError): string {
    return [error.message, String(error), error.stack ?? '', JSON.stringify(error)].join('\n');
  }

  it('never name the bucket, the endpoint or the credentials', async () => {
    const bucket = `private-bucket-${randomUUID()}`;
    const missingBucket = new S3StorageAdapter({ ...settings, bucket });
    const badCredentials = new S3StorageAdapter({
      ...settings,
      accessKeyId: 'AKIDSECRETKEYID',
      secretAccessKey: 'super/secret+access/key',
    });
    const unreachable = new S3StorageAdapter({ ...settings, bucket, endpoint: 'http://127.0.0.1:1' });
    const secrets = [bucket, s3.bucket, 'AKIDSECRETKEYID', 'super/secret+access/key', '127.0.0.1:1'];
    try {
      const failures = {
        ping: await missingBucket.ping().catch((e: unknown) => e),
        getStream: await missingBucket.getStream('k').catch((e: unknown) => e),
        peek: await missingBucket.peek('k', 10).catch((e: unknown) => e),
        put: await missingBucket
          .put('k', Buffer.from('x'), { contentType: 'text/plain' })
          .catch((e: unknown) => e),
        list: await collect(missingBucket.list('')).catch((e: unknown) => e),
        credentials: await badCredentials.head('k').catch((e: unknown) => e),
        unreachable: await unreachable.ping().catch((e: unknown) => e),
      };
      for (const failure of Object.values(failures)) {
        expect(failure).toBeInstanceOf(StorageError);
        const visible = visibleParts(failure as StorageError);
        for (const secret of secrets) expect(visible).not.toContain(secret);
        expect((failure as StorageError).cause).toBeDefined(); // kept for the log
      }
      expect(failures.ping).toMatchObject({ status: 404, operation: 'ping' });
      expect(failures.getStream).toMatchObject({ code: 'NoSuchBucket' });
      expect(failures.peek).toMatchObject({ code: 'NoSuchBucket', operation: 'peek' });
      expect(failures.credentials).toMatchObject({ status: 403 });
      expect(failures.unreachable).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await Promise.all([missingBucket.close(), badCredentials.close(), unreachable.close()]);
    }
  });
});

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
