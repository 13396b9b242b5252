import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorageRouter } from '../../src/api/local-storage.routes';
import { LocalStorageAdapter } from '../../src/storage/local.storage';
import {
  MIN_PART_SIZE,
  MultipartIncomplete,
  MultipartUploadNotFound,
  type OpenMultipartUpload,
  type StorageAdapter,
} from '../../src/storage/storage.adapter';

let root: string;
let server: Server;
let baseUrl = '';
let storage: LocalStorageAdapter;
let counter = 0;
const newKey = () => `assets/mp-${process.pid}-${++counter}/file.bin`;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'local-multipart-'));
  storage = new LocalStorageAdapter({
    rootDir: path.join(root, 'objects'),
    signingSecret: 'a-test-signing-secret-0123456789',
    publicUrl: () => baseUrl,
  });
  const app = express();
  app.use(createLocalStorageRouter(storage));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(root, { recursive: true, force: true });
});

async function listUploads(adapter: StorageAdapter, prefix = ''): Promise<OpenMultipartUpload[]> {
  const all: OpenMultipartUpload[] = [];
  for await (const page of adapter.listMultipartUploads(prefix)) all.push(...page);
  return all;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function sendPart(key: string, uploadId: string, partNumber: number, body: Buffer) {
  const url = await storage.presignUploadPart({
    key,
    uploadId,
    partNumber,
    contentLength: body.length,
    expiresInSeconds: 60,
  });
  return fetch(url.url, { method: 'PUT', body });
}

describe('LocalStorageAdapter multipart', () => {
  it('stores parts with MD5 ETags, lists them, and assembles them in part order', async () => {
    const key = newKey();
    const uploadId = await storage.createMultipartUpload(key, { contentType: 'application/octet-stream' });
    expect(await listUploads(storage, key)).toEqual([{ key, uploadId, initiated: expect.any(Date) }]);
    const one = Buffer.alloc(MIN_PART_SIZE, 'a');
    const two = Buffer.from('the end');
    const second = await sendPart(key, uploadId, 2, two);
    const first = await sendPart(key, uploadId, 1, one);
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await storage.listParts(key, uploadId)).toEqual([
      { partNumber: 1, size: one.length, etag: first.headers.get('etag') },
      { partNumber: 2, size: two.length, etag: second.headers.get('etag') },
    ]);
    await storage.completeMultipartUpload(key, uploadId, [
      { partNumber: 2, etag: second.headers.get('etag')! },
      { partNumber: 1, etag: first.headers.get('etag')! },
    ]);
    expect(await text(await storage.getStream(key))).toBe(one.toString() + two.toString());
    expect(await listUploads(storage, key)).toEqual([]);
    await expect(storage.listParts(key, uploadId)).rejects.toBeInstanceOf(MultipartUploadNotFound);
    // Nothing of the upload or its assembly is left in staging.
    expect((await readdir(path.join(root, 'objects', '.staging', 'multipart'))).includes(uploadId)).toBe(
      false,
    );
  });

  it('refuses completion with a missing part, another ETag, or a small middle part', async () => {
    const key = newKey();
    const uploadId = await storage.createMultipartUpload(key, { contentType: 'text/plain' });
    const small = await sendPart(key, uploadId, 1, Buffer.from('too small to be first'));
    const last = await sendPart(key, uploadId, 2, Buffer.from('last'));
    const etag1 = small.headers.get('etag')!;
    const etag2 = last.headers.get('etag')!;
    const attempts = [
      [
        { partNumber: 1, etag: etag1 },
        { partNumber: 3, etag: etag2 },
      ],
      [{ partNumber: 1, etag: etag2 }],
      [
        { partNumber: 1, etag: etag1 },
        { partNumber: 2, etag: etag2 },
      ],
    ];
    for (const parts of attempts) {
      await expect(storage.completeMultipartUpload(key, uploadId, parts)).rejects.toBeInstanceOf(
        MultipartIncomplete,
      );
    }
    expect(await storage.head(key)).toBeNull();
    // Still open, with both parts: the client can fix it and complete.
    expect((await storage.listParts(key, uploadId)).map((part) => part.partNumber)).toEqual([1, 2]);
  });

  it('a part whose connection drops midway keeps nothing; the retry is stored', async () => {
    const key = newKey();
    const uploadId = await storage.createMultipartUpload(key, { contentType: 'text/plain' });
    const body = Buffer.alloc(64 * 1024, 'p');
    const url = new URL(
      (
        await storage.presignUploadPart({
          key,
          uploadId,
          partNumber: 1,
          contentLength: body.length,
          expiresInSeconds: 60,
        })
      ).url,
    );
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    socket.write(
      `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 1000));
    const dir = path.join(root, 'objects', '.staging', 'multipart', uploadId);
    const streaming = async () => (await readdir(dir)).some((file) => file.endsWith('.tmp'));
    await waitUntil(streaming); // the server is writing the part
    socket.destroy();
    // It notices the hang-up and drops the temporary file; no part is listed.
    await waitUntil(async () => !(await streaming()));
    expect((await readdir(dir)).filter((file) => file !== 'upload.json')).toEqual([]);
    expect(await storage.listParts(key, uploadId)).toEqual([]);
    const retry = await fetch(url, { method: 'PUT', body });
    expect(retry.status).toBe(200);
    expect(await storage.listParts(key, uploadId)).toEqual([
      { partNumber: 1, size: body.length, etag: retry.headers.get('etag') },
    ]);
    await storage.abortMultipartUpload(key, uploadId);
  });

  it('a part URL refuses another length, another upload or part number, and a closed upload', async () => {
    const key = newKey();
    const uploadId = await storage.createMultipartUpload(key, { contentType: 'text/plain' });
    const url = await storage.presignUploadPart({
      key,
      uploadId,
      partNumber: 1,
      contentLength: 10,
      expiresInSeconds: 60,
    });
    for (const body of [Buffer.alloc(9), Buffer.alloc(11)]) {
      expect((await fetch(url.url, { method: 'PUT', body })).status).toBe(403);
    }
    const otherPart = new URL(url.url);
    otherPart.searchParams.set('partNumber', '2');
    expect((await fetch(otherPart, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(403);
    expect(await storage.listParts(key, uploadId)).toEqual([]);

    await storage.abortMultipartUpload(key, uploadId);
    await storage.abortMultipartUpload(key, uploadId); // idempotent
    expect((await fetch(url.url, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(409);
    expect(await listUploads(storage, key)).toEqual([]);
    // An upload id only works with its own key.
    const mine = await storage.createMultipartUpload(key, { contentType: 'text/plain' });
    await expect(storage.listParts(newKey(), mine)).rejects.toBeInstanceOf(MultipartUploadNotFound);
    await storage.abortMultipartUpload(key, mine);
  });
});
