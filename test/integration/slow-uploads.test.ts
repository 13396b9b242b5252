import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { closeRawSockets, rawPut, trackSocket } from '../helpers/raw-http';
import { initiate } from '../helpers/upload';

afterEach(closeRawSockets);

async function stagedFiles(app: TestApp): Promise<string[]> {
  const staging = path.join(app.services.config.storage.localDir, '.staging');
  return (await readdir(staging).catch(() => [] as string[])).filter((name) => name.endsWith('.part'));
}

describe('slow and stuck upload bodies (local provider)', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp({
      env: {
        UPLOAD_PUT_IDLE_TIMEOUT_MS: '1000',
        UPLOAD_PUT_MIN_BYTES_PER_SECOND: '1000',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
      },
    });
    token = app.token('dripper');
  });
  afterAll(() => app?.close());

  const newUpload = (size = 10) =>
    initiate(app, token, { fileName: 'd.txt', fileSize: size, mimeType: 'text/plain' });

  it('a body that stops arriving is answered 408 after the idle timeout, and nothing is kept', async () => {
    const upload = await newUpload();
    const startedAt = Date.now();
    const put = await rawPut(upload, 10);
    put.write('he');
    expect(await put.status).toBe(408);
    expect(await put.response).toMatch(/upload stalled/);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    await expect.poll(() => stagedFiles(app)).toEqual([]);
    expect(await app.services.storage.head(`incoming/${upload.assetId}`)).toBeNull();
  });

  it('a body dripping a byte at a time is answered 408 once it has run for the idle timeout', async () => {
    const upload = await newUpload(1000);
    const put = await rawPut(upload, 1000);
    const drip = setInterval(() => put.socket.writable && put.write('x'), 100);
    try {
      expect(await put.status).toBe(408);
      expect(await put.response).toMatch(/upload too slow/);
    } finally {
      clearInterval(drip);
    }
    await expect.poll(() => stagedFiles(app)).toEqual([]);
  });

  it('one PUT at a time per upload URL: concurrent ones get 409, a later one is accepted', async () => {
    const upload = await newUpload();
    const first = await rawPut(upload, 10);
    first.write('hello');
    // The first holds its key once its body is streaming to a staging file.
    await expect.poll(() => stagedFiles(app)).toHaveLength(1);
    const rivals = await Promise.all(Array.from({ length: 20 }, () => rawPut(upload, 10)));
    for (const rival of rivals) rival.write('HELLO-EVIL');
    expect(await Promise.all(rivals.map((rival) => rival.status))).toEqual(Array(20).fill(409));
    first.write('world');
    expect(await first.status).toBe(200);
    const stored = await app.services.storage.peek(`incoming/${upload.assetId}`, 100);
    expect(stored?.bytes.toString()).toBe('helloworld');
    // The lock went with the first body: the URL takes a new PUT (the asset is still a DRAFT).
    const again = await rawPut(upload, 10);
    again.write('HELLOWORLD');
    expect(await again.status).toBe(200);
  });

  it('the server applies its header, request and connection limits', async () => {
    const server = app.api!.httpServer;
    expect(server.headersTimeout).toBe(1000);
    expect(server.requestTimeout).toBe(app.services.config.httpLimits.requestTimeoutMs);
    expect(server.maxConnections).toBe(16_384);
    // Headers that never finish: the connection is closed close to the headers timeout.
    const url = new URL(app.url);
    const socket = net.connect(Number(url.port), url.hostname);
    trackSocket(socket);
    const startedAt = Date.now();
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => socket.writable && socket.write('a'), 100);
    const answer = await new Promise<string>((resolve) => {
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
    });
    clearInterval(drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});

describe('connection cap', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { HTTP_MAX_CONNECTIONS: '3' } });
  });
  afterAll(() => app?.close());

  it('connections past HTTP_MAX_CONNECTIONS are dropped; the ones held still work', async () => {
    const url = new URL(app.url);
    const connect = () =>
      new Promise<net.Socket>((resolve) => {
        const socket = net.connect(Number(url.port), url.hostname, () => resolve(socket));
        trackSocket(socket);
      });
    const held = [await connect(), await connect(), await connect()];
    await expect.poll(() => new Promise((r) => app.api!.httpServer.getConnections((_e, n) => r(n)))).toBe(3);
    const extra = await connect();
    const closed = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true));
      extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(closed).toBe(true);
    const answer = await new Promise<string>((resolve) => {
      held[0].once('data', (chunk) => resolve(chunk.toString()));
      held[0].write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
  });
});
