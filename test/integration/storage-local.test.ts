import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalStorageRouter } from '../../src/api/local-storage.routes';
import { LocalStorageAdapter } from '../../src/storage/local.storage';
import { InvalidStorageKey, StorageError, StorageObjectNotFound } from '../../src/storage/storage.adapter';

let root: string;
let server: Server;
let baseUrl = '';
let storage: LocalStorageAdapter;
const routeErrors: unknown[] = [];
let keyCounter = 0;
/** A fresh key per call, so tests never share objects. */
const newKey = (name = 'file.bin') => `uploads/test-${process.pid}-${++keyCounter}/${name}`;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'local-storage-'));
  storage = new LocalStorageAdapter({
    rootDir: path.join(root, 'objects'),
    signingSecret: 'a-test-signing-secret-0123456789',
    publicUrl: () => baseUrl,
  });
  const app = express();
  app.use(createLocalStorageRouter(storage, { onError: (error) => routeErrors.push(error) }));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
});

const objectsDir = () => path.join(root, 'objects');

/** Temporary files left behind; a refused upload must leave none. */
async function stagingLeftovers(): Promise<string[]> {
  try {
    return await readdir(path.join(objectsDir(), '.staging'));
  } catch {
    return [];
  }
}

async function expectNothingStored(key: string): Promise<void> {
  await vi.waitFor(async () => expect(await stagingLeftovers()).toEqual([]), { timeout: 5_000 });
  expect(await storage.head(key)).toBeNull();
}

async function presign(
  key: string,
  body: Buffer,
  options: { type?: string; sha256?: boolean; ttl?: number } = {},
) {
  return storage.presignPut({
    key,
    contentType: options.type ?? 'application/octet-stream',
    contentLength: body.length,
    expiresInSeconds: options.ttl ?? 300,
    checksumSha256: options.sha256 ? createHash('sha256').update(body).digest('base64') : undefined,
  });
}

/** Speaks HTTP/1.1 by hand, for requests fetch would refuse to send; resolves with the whole reply. */
async function rawRequest(head: string, body: Buffer = Buffer.alloc(0), endEarly = false): Promise<string> {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // a reset after the reply is fine
  socket.write(`${head}\r\nHost: 127.0.0.1\r\n\r\n`);
  socket.write(body);
  if (endEarly) socket.end();
  else setTimeout(() => socket.end(), 500);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString();
}

describe('local presigned PUT', () => {
  it('accepts the body with exactly the returned headers, streaming it to disk', async () => {
    const key = newKey('photo.png');
    const body = Buffer.from('the bytes of a picture');
    const upload = await presign(key, body, { type: 'image/png' });
    expect(upload.url.startsWith(`${baseUrl}/storage/upload/`)).toBe(true);
    expect(upload.headers).toEqual({ 'Content-Type': 'image/png', 'Content-Length': String(body.length) });

    const response = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    expect(response.status).toBe(200);
    expect(await storage.head(key)).toMatchObject({ size: body.length });
    expect(await text(await storage.getStream(key))).toBe(body.toString());
    expect(await stagingLeftovers()).toEqual([]);
  });

  it('accepts keys with spaces, Unicode and reserved characters', async () => {
    const key = newKey("a b/ü(1)!*'+&=%.txt");
    const body = Buffer.from('hi');
    const upload = await presign(key, body, { type: 'text/plain' });
    const response = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    expect(response.status).toBe(200);
    expect(await storage.head(key)).toMatchObject({ size: 2 });
  });

  it('checks a signed SHA-256 before keeping anything', async () => {
    const key = newKey();
    const body = Buffer.from('checksummed body');
    const upload = await presign(key, body, { sha256: true });
    expect(new URL(upload.url).searchParams.get('sha256')).toBe(
      createHash('sha256').update(body).digest('base64'),
    );

    const forged = Buffer.from('CHECKSUMMED BODY');
    const refused = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: forged });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('sha256');
    await expectNothingStored(key);

    const accepted = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    expect(accepted.status).toBe(200);
  });

  it('refuses another Content-Type', async () => {
    const key = newKey();
    const body = Buffer.from('<script>alert(1)</script>');
    const upload = await presign(key, body, { type: 'image/png' });
    const response = await fetch(upload.url, {
      method: 'PUT',
      headers: { ...upload.headers, 'Content-Type': 'text/html' },
      body,
    });
    expect(response.status).toBe(403);
    await expectNothingStored(key);
  });

  it('refuses a declared length other than the signed one', async () => {
    const key = newKey();
    const upload = await presign(key, Buffer.alloc(10));
    const bigger = Buffer.alloc(11);
    const response = await fetch(upload.url, {
      method: 'PUT',
      headers: { ...upload.headers, 'Content-Length': String(bigger.length) },
      body: bigger,
    });
    expect(response.status).toBe(403);
    await expectNothingStored(key);
  });

  it('refuses a body without Content-Length (chunked) with 411', async () => {
    const key = newKey();
    const body = Buffer.alloc(10, 1);
    const upload = await presign(key, body);
    const response = await fetch(upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': upload.headers['Content-Type'] as string },
      body: Readable.toWeb(Readable.from([body])) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(411);
    await expectNothingStored(key);
  });

  it('keeps nothing when the client sends more than it declared', async () => {
    const key = newKey();
    const upload = await presign(key, Buffer.alloc(10));
    // The client declares the signed 10 bytes, then tries to send 13: it gets cut off after the
    // first chunk, and the server sees a body that never completes.
    const overlong = Readable.from([Buffer.alloc(8, 1), Buffer.alloc(5, 2)]);
    const attempt = fetch(upload.url, {
      method: 'PUT',
      headers: upload.headers,
      body: Readable.toWeb(overlong) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    await expect(attempt).rejects.toThrow();
    await expectNothingStored(key);
  });

  it('keeps nothing when the body is shorter than declared', async () => {
    const key = newKey();
    const upload = await presign(key, Buffer.alloc(100));
    const url = new URL(upload.url);
    const reply = await rawRequest(
      `PUT ${url.pathname}${url.search} HTTP/1.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 100`,
      Buffer.alloc(60, 7),
      true,
    );
    expect(reply).not.toContain('200 OK');
    await expectNothingStored(key);
  });

  it('refuses a tampered signature, size or type', async () => {
    const key = newKey();
    const body = Buffer.alloc(10);
    const upload = await presign(key, body);
    const tamper = (name: string, value: string) => {
      const url = new URL(upload.url);
      url.searchParams.set(name, value);
      return url.toString();
    };
    const sig = new URL(upload.url).searchParams.get('sig') ?? '';
    const flipped = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const [url, headers, sent] of [
      [tamper('sig', flipped), upload.headers, body],
      [tamper('size', '11'), { ...upload.headers, 'Content-Length': '11' }, Buffer.alloc(11)],
      [tamper('type', 'text/html'), { ...upload.headers, 'Content-Type': 'text/html' }, body],
      [upload.url.replace(encodeURI(key), encodeURI(newKey())), upload.headers, body],
    ] as const) {
      const response = await fetch(url, { method: 'PUT', headers, body: sent });
      expect(response.status).toBe(403);
      expect(await response.text()).toBe('invalid signature');
    }
    await expectNothingStored(key);
  });

  it('refuses an expired URL', async () => {
    const key = newKey();
    const body = Buffer.alloc(10);
    const upload = await presign(key, body, { ttl: 60 });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(upload.expiresAt.getTime() + 1_000);
    const response = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('expired');
    await expectNothingStored(key);
  });

  it('leaves the previous object intact when a replacement is refused', async () => {
    const key = newKey();
    await storage.put(key, Buffer.from('original'), { contentType: 'text/plain' });
    const body = Buffer.from('replaced');
    const upload = await presign(key, body, { sha256: true });
    const response = await fetch(upload.url, {
      method: 'PUT',
      headers: upload.headers,
      body: Buffer.from('REPLACED'),
    });
    expect(response.status).toBe(400);
    expect(await text(await storage.getStream(key))).toBe('original');
  });

  it('answers a storage failure with a bare 500 that names no path', async () => {
    const blocker = newKey('blocker');
    await storage.put(blocker, Buffer.from('a file where a directory should be'), {
      contentType: 'text/plain',
    });
    const key = `${blocker}/child`;
    const body = Buffer.alloc(4);
    const upload = await presign(key, body);
    const before = routeErrors.length;
    const response = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    expect(response.status).toBe(500);
    const answer = await response.text();
    expect(answer).toBe('storage error');
    expect(answer).not.toContain(root);
    expect(routeErrors.length).toBe(before + 1);
    expect(String(routeErrors.at(-1))).not.toContain(root);
    expect(await stagingLeftovers()).toEqual([]);
  });
});

describe('local presigned GET', () => {
  it('serves the object with the signed type and an attachment name, and answers HEAD', async () => {
    const key = newKey('report.pdf');
    await storage.put(key, Buffer.from('%PDF-1.7 content'), { contentType: 'application/pdf' });
    const url = await storage.presignGet(key, {
      expiresInSeconds: 60,
      downloadName: 'Rapport été.pdf',
      contentType: 'application/pdf',
    });
    expect(url.startsWith(`${baseUrl}/storage/object/`)).toBe(true);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-length')).toBe('16');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Rapport _t_.pdf"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9.pdf`,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe('%PDF-1.7 content');

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('16');
    expect(await head.text()).toBe('');
  });

  it('defaults to application/octet-stream, and always to attachment', async () => {
    const key = newKey('page.html');
    await storage.put(key, Buffer.from('<html></html>'), { contentType: 'text/html' });
    const response = await fetch(await storage.presignGet(key, { expiresInSeconds: 60 }));
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBe('attachment');
  });

  it('refuses tampered, expired and upload URLs; 404s a missing object', async () => {
    const key = newKey();
    await storage.put(key, Buffer.from('secret'), { contentType: 'text/plain' });
    const url = new URL(await storage.presignGet(key, { expiresInSeconds: 60, contentType: 'text/plain' }));

    const tampered = new URL(url);
    tampered.searchParams.set('type', 'text/html');
    expect((await fetch(tampered)).status).toBe(403);

    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace('file.bin', 'other.bin');
    expect((await fetch(otherKey)).status).toBe(403);

    const upload = await presign(key, Buffer.from('secret'));
    const asDownload = new URL(upload.url);
    asDownload.pathname = asDownload.pathname.replace('/storage/upload/', '/storage/object/');
    expect((await fetch(asDownload)).status).toBe(403);

    await storage.delete(key);
    expect((await fetch(url)).status).toBe(404);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 120_000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toBe('expired');
  });
});

describe('local key safety', () => {
  it.each([
    '/storage/upload/../../escaped',
    '/storage/upload/a/%2e%2e/%2e%2e/%2e%2e/escaped',
    '/storage/upload/a%2F..%2F..%2Fescaped',
    '/storage/upload/a%5C..%5Cescaped',
    '/storage/upload/a%00b',
    '/storage/upload/%2Fetc%2Fpasswd',
    '/storage/upload/.staging/x',
    '/storage/upload/a/%E0%A4%A',
    '/storage/object/../../../etc/passwd',
  ])('refuses %s before looking at the signature', async (requestPath) => {
    const method = requestPath.startsWith('/storage/object') ? 'GET' : 'PUT';
    const reply = await rawRequest(
      `${method} ${requestPath}?expires=9999999999&size=1&type=a%2Fb&sig=x HTTP/1.1\r\nContent-Type: a/b\r\nContent-Length: 1\r\nConnection: close`,
      Buffer.from('x'),
    );
    expect(reply.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 (400|404)/);
    expect(reply).not.toContain(root);
    expect(existsSync(path.join(root, 'escaped'))).toBe(false);
  });

  it('refuses unsafe keys in every adapter method, before touching the disk', async () => {
    const outside = path.join(root, 'escaped');
    const keys = ['../escaped', 'a/../../escaped', '/etc/passwd', 'a\\b', 'a\u0000b', '.staging/x', ''];
    for (const key of keys) {
      await expect(
        storage.presignPut({ key, contentType: 'text/plain', contentLength: 1, expiresInSeconds: 60 }),
      ).rejects.toBeInstanceOf(InvalidStorageKey);
      await expect(storage.presignGet(key, { expiresInSeconds: 60 })).rejects.toBeInstanceOf(
        InvalidStorageKey,
      );
      await expect(storage.put(key, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toBeInstanceOf(
        InvalidStorageKey,
      );
      await expect(storage.head(key)).rejects.toBeInstanceOf(InvalidStorageKey);
      await expect(storage.peek(key, 10)).rejects.toBeInstanceOf(InvalidStorageKey);
      await expect(storage.getStream(key)).rejects.toBeInstanceOf(InvalidStorageKey);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidStorageKey);
      await expect(storage.move(newKey(), key)).rejects.toBeInstanceOf(InvalidStorageKey);
    }
    await expect(storage.list('../')[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
      InvalidStorageKey,
    );
    expect(existsSync(outside)).toBe(false);
  });
});

describe('LocalStorageAdapter', () => {
  it('reports missing objects', async () => {
    await expect(storage.getStream(newKey())).rejects.toBeInstanceOf(StorageObjectNotFound);
    expect(await storage.head(newKey())).toBeNull();
  });

  it('peeks at the first bytes with the full size; shorter and empty objects; missing is null', async () => {
    const long = newKey();
    const body = Buffer.from('0123456789'.repeat(1000));
    await storage.put(long, body, { contentType: 'text/plain' });
    const peeked = await storage.peek(long, 4100);
    expect(peeked?.info.size).toBe(10_000);
    expect(peeked?.bytes.equals(body.subarray(0, 4100))).toBe(true);

    const short = newKey();
    await storage.put(short, Buffer.from('abc'), { contentType: 'text/plain' });
    expect(await storage.peek(short, 4100)).toMatchObject({ info: { size: 3 }, bytes: Buffer.from('abc') });
    const empty = newKey();
    await storage.put(empty, Buffer.alloc(0), { contentType: 'text/plain' });
    expect(await storage.peek(empty, 4100)).toMatchObject({ info: { size: 0 }, bytes: Buffer.alloc(0) });
    expect(await storage.peek(newKey(), 4100)).toBeNull();
    await expect(storage.peek(long, 0)).rejects.toBeInstanceOf(RangeError);
  });

  it('puts streams, refusing one that is not the declared length', async () => {
    const key = newKey();
    await storage.put(key, Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {
      contentType: 'text/plain',
      contentLength: 4,
    });
    expect(await readFile(path.join(objectsDir(), ...key.split('/')), 'utf8')).toBe('abcd');
    const short = newKey();
    await expect(
      storage.put(short, Readable.from([Buffer.from('ab')]), { contentType: 'text/plain', contentLength: 4 }),
    ).rejects.toBeInstanceOf(StorageError);
    await expectNothingStored(short);
  });

  it('moves (creating directories), deletes idempotently, and prunes empty directories', async () => {
    const from = newKey('deep/er/file.txt');
    const to = `quarantine/${from}`;
    await storage.put(from, Buffer.from('moved'), { contentType: 'text/plain' });
    await storage.move(from, to);
    expect(await storage.head(from)).toBeNull();
    expect(await text(await storage.getStream(to))).toBe('moved');
    expect(existsSync(path.join(objectsDir(), path.dirname(from)))).toBe(false);
    await expect(storage.move(from, newKey())).rejects.toBeInstanceOf(StorageObjectNotFound);

    await storage.delete(to);
    await storage.delete(to);
    expect(existsSync(path.join(objectsDir(), 'quarantine'))).toBe(false);
  });

  it('lists in S3 key order, page by page, with prefix and startAfter', async () => {
    const prefix = `list-${process.pid}/`;
    // '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f), '0' after it: a walk that sorts directory
    // entries by bare name lists these in the wrong order.
    const names = ['a-b', 'a.txt', 'a/b', 'a/b-c/d', 'a/bc/d', 'a0', 'b', 'é', '😀'];
    for (const name of [...names].reverse()) {
      await storage.put(`${prefix}${name}`, Buffer.from(name), { contentType: 'text/plain' });
    }
    const all = names.map((n) => `${prefix}${n}`);
    expect([...all].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(all);

    const pages: string[][] = [];
    for await (const page of storage.list(prefix, { pageSize: 4 })) pages.push(page.map((o) => o.key));
    expect(pages).toEqual([all.slice(0, 4), all.slice(4, 8), all.slice(8)]);

    const after: string[] = [];
    for await (const page of storage.list(prefix, { startAfter: `${prefix}a/b` }))
      after.push(...page.map((o) => o.key));
    expect(after).toEqual(all.slice(3));

    const partial: string[] = [];
    for await (const page of storage.list(`${prefix}a/b`)) partial.push(...page.map((o) => o.key));
    expect(partial).toEqual([`${prefix}a/b`, `${prefix}a/b-c/d`, `${prefix}a/bc/d`]);

    const first = await storage.list(prefix)[Symbol.asyncIterator]().next();
    expect(first.value?.[0]).toMatchObject({ key: `${prefix}a-b`, size: 3 });
  });

  it('cannot hold a key and keys below it (a file is not a directory)', async () => {
    const key = newKey('parent');
    await storage.put(key, Buffer.from('x'), { contentType: 'text/plain' });
    await expect(
      storage.put(`${key}/child`, Buffer.from('y'), { contentType: 'text/plain' }),
    ).rejects.toBeInstanceOf(StorageError);
  });

  it('never lists temporary files', async () => {
    await writeFile(path.join(objectsDir(), '.staging', 'stray.part'), 'x');
    try {
      for await (const page of storage.list('')) {
        expect(page.some((o) => o.key.startsWith('.staging'))).toBe(false);
      }
    } finally {
      await rm(path.join(objectsDir(), '.staging', 'stray.part'));
    }
  });

  it('with the root gone, aborting or listing multipart uploads is an outage, not "nothing there"', async () => {
    const rootDir = path.join(root, 'vanishing');
    const vanishing = new LocalStorageAdapter({
      rootDir,
      signingSecret: 'a-test-signing-secret-0123456789',
      publicUrl: () => baseUrl,
    });
    await vanishing.ping();
    const key = newKey('big.bin');
    const uploadId = await vanishing.createMultipartUpload(key, { contentType: 'application/octet-stream' });
    await rm(rootDir, { recursive: true, force: true });
    const aborted = await vanishing.abortMultipartUpload(key, uploadId).catch((e: unknown) => e);
    expect(aborted).toMatchObject({ name: 'StorageError', unavailable: true });
    const listing = (async () => {
      for await (const page of vanishing.listMultipartUploads('')) void page;
    })();
    await expect(listing).rejects.toMatchObject({ unavailable: true });
    expect(existsSync(rootDir)).toBe(false);
  });

  it('pings by writing, and fails without naming the path when it cannot', async () => {
    await storage.ping();
    const blocked = path.join(root, 'not-a-dir');
    await writeFile(blocked, 'x');
    const broken = new LocalStorageAdapter({
      rootDir: blocked,
      signingSecret: 'a-test-signing-secret-0123456789',
      publicUrl: () => baseUrl,
    });
    const error = await broken.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(String(error)).not.toContain(root);
  });
});
