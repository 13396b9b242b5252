import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectionReason } from '../../src/services/analytics/upload-event';
import type { OpenMultipartUpload, StorageAdapter } from '../../src/storage/storage.adapter';
import { collectSubscription, recordLog, startTestApp, type TestApp } from '../helpers/app';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';
import {
  AbortDocument,
  PartUrlsDocument,
  UploadedPartsDocument,
  cutIntoParts,
  initiateMultipart,
  partUrls,
  putPart,
  sha256Base64,
  type PartUrl,
} from '../helpers/multipart';
import { CONFIRM, INITIATE, SCAN_STATUS } from '../helpers/operations';
import { signatureFor } from '../helpers/s3-signature';
import { s3StorageEnv, startS3rver, type RunningS3rver } from '../helpers/s3rver';
import { EICAR, waitForAsset } from '../helpers/scan';
import { confirm, initiate, putBytes } from '../helpers/upload';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const PART_SIZE = 5 * MiB;

/** 11 MiB of text (three parts: 5, 5 and 1 MiB), different for every call. */
function textFile(seed: string, size = 11 * MiB): Buffer {
  const line = Buffer.from(`${seed} line of a large upload\n`);
  const file = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += line.length) line.copy(file, offset);
  return file;
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const settled = (asset: { status: string }) => asset.status === 'APPROVED' || asset.status === 'REJECTED';

async function openUploads(storage: StorageAdapter, prefix: string): Promise<OpenMultipartUpload[]> {
  const all: OpenMultipartUpload[] = [];
  for await (const page of storage.listMultipartUploads(prefix)) all.push(...page);
  return all;
}

/** Sends every part (in the given order) and returns the ETags by part number. */
async function sendParts(urls: PartUrl[], parts: Buffer[], order: number[]): Promise<Map<number, string>> {
  const etags = new Map<number, string>();
  for (const partNumber of order) {
    const url = urls.find((u) => u.partNumber === partNumber)!;
    const response = await putPart(url, parts[partNumber - 1]!);
    expect(response.status, `part ${partNumber}: ${await response.clone().text()}`).toBe(200);
    etags.set(partNumber, response.headers.get('etag')!);
  }
  return etags;
}

function asParts(etags: Map<number, string>) {
  return [...etags].map(([partNumber, etag]) => ({ partNumber, etag }));
}

let clamd: ClamdHandle;
beforeAll(async () => {
  clamd = await ensureClamd();
});
afterAll(async () => {
  await clamd?.stop();
});

const scannerEnv = () => ({ SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(clamd.port) });

describe('multipart uploads, local provider', () => {
  let app: TestApp;
  let alice: string;

  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: scannerEnv() });
    alice = app.token('mp-alice');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('three parts sent out of order, one retried after a refused try, end CLEAN and byte-identical', async () => {
    const file = textFile('ordered');
    const upload = await initiateMultipart(app, alice, {
      fileName: 'big.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    expect(upload).toMatchObject({ partSize: PART_SIZE, partCount: 3 });
    const parts = cutIntoParts(file, PART_SIZE);
    const urls = await partUrls(app, alice, upload.assetId, [3, 1, 2]);
    expect(urls.map((u) => [u.partNumber, u.headers['Content-Length']])).toEqual([
      [3, String(MiB)],
      [1, String(PART_SIZE)],
      [2, String(PART_SIZE)],
    ]);

    // Part 2 fails first: one byte short, then one byte long; storage keeps neither.
    const part2 = urls.find((u) => u.partNumber === 2)!;
    expect((await putPart(part2, parts[1]!.subarray(1))).status).toBe(403);
    expect((await putPart(part2, Buffer.concat([parts[1]!, Buffer.from('x')]))).status).toBe(403);
    // Part 1 is sent twice (a retry after a lost answer): the second replaces the first.
    const first = await putPart(
      urls.find((u) => u.partNumber === 1)!,
      parts[0]!,
    );
    expect(first.headers.get('access-control-expose-headers')).toMatch(/etag/i);
    const etags = await sendParts(urls, parts, [3, 1, 2]);
    expect(etags.get(1)).toBe(first.headers.get('etag'));

    const confirmed = await confirm(app, alice, upload.assetId, 'Big', { parts: asParts(etags) });
    expect(confirmed.errors).toBeUndefined();
    const asset = await waitForAsset(app, alice, upload.assetId, settled, 60_000);
    expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN', fileSize: file.length });
    expect((await download(asset.downloadUrl!)).equals(file)).toBe(true);
    // Completed: no upload left open, and no part URL writes any more.
    expect(await openUploads(app.services.storage, upload.storageKey)).toEqual([]);
    expect((await putPart(urls[0]!, parts[2]!)).status).toBe(409);
  });

  it('resumes: an early confirm changes nothing; uploadedParts tells what is left; confirm without parts', async () => {
    const file = textFile('resumed');
    const parts = cutIntoParts(file, PART_SIZE);
    const upload = await initiateMultipart(app, alice, {
      fileName: 'resumed.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const urls = await partUrls(app, alice, upload.assetId, [1, 3]);
    await sendParts(urls, parts, [1, 3]);

    const early = await confirm(app, alice, upload.assetId);
    expect(early.errors?.[0]?.extensions?.code).toBe('UPLOAD_INCOMPLETE');
    expect(early.errors?.[0]?.message).toMatch(/part 2 missing/);
    expect((await app.services.assets.findById(upload.assetId))?.status).toBe('DRAFT');

    // The client lost its place: storage says which parts it holds.
    const held = await app.gql(UploadedPartsDocument, { assetId: upload.assetId }, alice);
    expect(held.data!.uploadedParts.map((p) => [p.partNumber, p.size])).toEqual([
      [1, PART_SIZE],
      [3, MiB],
    ]);
    const missing = [1, 2, 3].filter((n) => !held.data!.uploadedParts.some((p) => p.partNumber === n));
    await sendParts(await partUrls(app, alice, upload.assetId, missing), parts, missing);

    expect((await confirm(app, alice, upload.assetId)).errors).toBeUndefined();
    const asset = await waitForAsset(app, alice, upload.assetId, settled, 60_000);
    expect(asset.scanStatus).toBe('CLEAN');
    expect((await download(asset.downloadUrl!)).equals(file)).toBe(true);
  });

  it('naming a part the client never sent is UPLOAD_INCOMPLETE; the asset stays DRAFT', async () => {
    const file = textFile('named', 6 * MiB);
    const upload = await initiateMultipart(app, alice, {
      fileName: 'named.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const parts = cutIntoParts(file, PART_SIZE);
    const urls = await partUrls(app, alice, upload.assetId, [1, 2]);
    const etags = await sendParts(urls, parts, [1]);
    const onlyOne = await confirm(app, alice, upload.assetId, 't', { parts: asParts(etags) });
    expect(onlyOne.errors?.[0]?.extensions).toMatchObject({ code: 'UPLOAD_INCOMPLETE', missingParts: [2] });
    const wrongEtag = await confirm(app, alice, upload.assetId, 't', {
      parts: [...asParts(etags), { partNumber: 2, etag: '"0123456789abcdef0123456789abcdef"' }],
    });
    expect(wrongEtag.errors?.[0]?.extensions?.code).toBe('UPLOAD_INCOMPLETE');
    expect((await app.services.assets.findById(upload.assetId))?.status).toBe('DRAFT');
  });

  it('EICAR inside the middle part: INFECTED and quarantined', async () => {
    const file = textFile('infected');
    EICAR.copy(file, PART_SIZE + 4096);
    const upload = await initiateMultipart(app, alice, {
      fileName: 'infected.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const parts = cutIntoParts(file, PART_SIZE);
    const etags = await sendParts(await partUrls(app, alice, upload.assetId, [1, 2, 3]), parts, [2, 1, 3]);
    expect(
      (await confirm(app, alice, upload.assetId, 'x', { parts: asParts(etags) })).errors,
    ).toBeUndefined();
    const asset = await waitForAsset(app, alice, upload.assetId, settled, 60_000);
    expect(asset).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED', downloadUrl: null });
    expect(asset.scanResult!.threats[0].name).toMatch(/Eicar/i);
    expect(asset.storageKey.startsWith('quarantine/')).toBe(true);
    expect(await app.services.storage.head(asset.storageKey)).not.toBeNull();
  });

  it('clear errors for bad part sizes and numbers, and for another user', async () => {
    const tooSmall = await app.gql(
      `mutation($input: InitiateMultipartUploadInput!) { initiateMultipartUpload(input: $input) { assetId } }`,
      { input: { fileName: 'a.txt', fileSize: 20 * MiB, mimeType: 'text/plain', partSize: MiB } },
      alice,
    );
    expect(tooSmall.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'partSize' });
    const tooMany = await app.gql(
      `mutation($input: InitiateMultipartUploadInput!) { initiateMultipartUpload(input: $input) { assetId } }`,
      {
        input: {
          fileName: 'a.txt',
          fileSize: 50 * MiB,
          mimeType: 'text/plain',
          partSize: 6 * 1024 * 1024 * 1024,
        },
      },
      alice,
    );
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'partSize' });

    // Without a part size the server picks one.
    const picked = await initiateMultipart(app, alice, {
      fileName: 'p.txt',
      fileSize: 20 * MiB,
      mimeType: 'text/plain',
    });
    expect(picked.partSize).toBeGreaterThanOrEqual(PART_SIZE);
    expect(picked.partCount).toBe(Math.ceil((20 * MiB) / picked.partSize));

    const ask = (partNumbers: number[], token = alice) =>
      app.gql(PartUrlsDocument, { assetId: picked.assetId, partNumbers }, token);
    for (const numbers of [
      [0],
      [picked.partCount + 1],
      [-1],
      [],
      [1, 1],
      Array.from({ length: 101 }, (_, i) => i + 1),
    ]) {
      const answer = await ask(numbers);
      expect(answer.errors?.[0]?.extensions, JSON.stringify(numbers)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'partNumbers',
      });
    }
    const bob = app.token('mp-bob');
    expect((await ask([1], bob)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(
      (await app.gql(UploadedPartsDocument, { assetId: picked.assetId }, bob)).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
    expect(
      (await app.gql(AbortDocument, { assetId: picked.assetId }, bob)).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
    const badPart = await app.gql(
      CONFIRM,
      { input: { assetId: picked.assetId, title: 't', parts: [{ partNumber: 0, etag: 'x' }] } },
      alice,
    );
    expect(badPart.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parts' });

    // A single-PUT asset has no parts.
    const single = await initiate(app, alice, { fileName: 's.txt', fileSize: 10, mimeType: 'text/plain' });
    const notMultipart = await app.gql(
      PartUrlsDocument,
      { assetId: single.assetId, partNumbers: [1] },
      alice,
    );
    expect(notMultipart.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'assetId' });
  });

  it('part checksums: a part whose bytes do not match its SHA-256 is refused, the right one stored; ends CLEAN', async () => {
    const file = textFile('checksummed');
    const parts = cutIntoParts(file, PART_SIZE);
    const upload = await initiateMultipart(app, alice, {
      fileName: 'checksummed.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
      partChecksums: true,
    });
    const urls = await partUrls(app, alice, upload.assetId, [1, 2, 3], parts.map(sha256Base64));
    // Part 2's URL with other bytes of the right length: refused, and storage keeps nothing.
    const part2 = urls.find((u) => u.partNumber === 2)!;
    const wrong = await putPart(part2, Buffer.alloc(PART_SIZE, 'x'));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/sha256/);
    const held = await app.gql(UploadedPartsDocument, { assetId: upload.assetId }, alice);
    expect(held.data?.uploadedParts).toEqual([]);
    // The checksum is signed: the URL does not take another one.
    const tampered = new URL(part2.url);
    tampered.searchParams.set('sha256', sha256Base64(Buffer.alloc(PART_SIZE, 'x')));
    expect((await putPart({ ...part2, url: tampered.toString() }, Buffer.alloc(PART_SIZE, 'x'))).status).toBe(
      403,
    );

    const etags = await sendParts(urls, parts, [2, 3, 1]);
    expect(
      (await confirm(app, alice, upload.assetId, 'Checksummed', { parts: asParts(etags) })).errors,
    ).toBeUndefined();
    const asset = await waitForAsset(app, alice, upload.assetId, settled, 60_000);
    expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
    expect((await download(asset.downloadUrl!)).equals(file)).toBe(true);
  });

  it('bad part checksums: wrong count, not a SHA-256, missing where required, given where not', async () => {
    const withChecksums = await initiateMultipart(app, alice, {
      fileName: 'c.txt',
      fileSize: 11 * MiB,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
      partChecksums: true,
    });
    const digest = sha256Base64(Buffer.from('part'));
    const cases: [string, number[], string[] | undefined][] = [
      [withChecksums.assetId, [1, 2], [digest]],
      [withChecksums.assetId, [1], [digest, digest]],
      [withChecksums.assetId, [1], [Buffer.alloc(31).toString('base64')]],
      [withChecksums.assetId, [1], [createHash('sha256').update('x').digest('hex')]],
      [withChecksums.assetId, [1], ['not base64 at all']],
      [withChecksums.assetId, [1], undefined],
    ];
    const without = await initiateMultipart(app, alice, {
      fileName: 'n.txt',
      fileSize: 11 * MiB,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    cases.push([without.assetId, [1], [digest]]);
    for (const [assetId, partNumbers, checksums] of cases) {
      const answer = await app.gql(PartUrlsDocument, { assetId, partNumbers, checksums }, alice);
      expect(answer.errors?.[0]?.extensions, JSON.stringify({ partNumbers, checksums })).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'checksums',
      });
    }
    // Without the flag, part URLs are asked for as before.
    expect(await partUrls(app, alice, without.assetId, [1])).toHaveLength(1);
  });

  it('abortUpload frees the parts (none listed afterwards), is idempotent, and refuses late parts', async () => {
    const file = textFile('aborted');
    const parts = cutIntoParts(file, PART_SIZE);
    const upload = await initiateMultipart(app, alice, {
      fileName: 'aborted.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const urls = await partUrls(app, alice, upload.assetId, [1, 2, 3]);
    await sendParts(urls, parts, [1, 2]);
    expect(await openUploads(app.services.storage, upload.storageKey)).toHaveLength(1);

    const stream = collectSubscription<{ assetScanStatus: { status: string; final: boolean } }>(
      app.ws(alice),
      SCAN_STATUS,
      { assetId: upload.assetId },
    );
    await stream.started;
    const aborted = await app.gql(AbortDocument, { assetId: upload.assetId }, alice);
    expect(aborted.data!.abortUpload).toMatchObject({ status: 'REJECTED', scanStatus: 'PENDING' });
    // Published: subscribers see the cancellation as the final event.
    const { events, error } = await stream.done;
    expect(error).toBeUndefined();
    expect(events.map((e) => [e.assetScanStatus.status, e.assetScanStatus.final])).toEqual([
      ['DRAFT', false],
      ['REJECTED', true],
    ]);
    const row = await app.services.assets.findById(upload.assetId);
    expect(row).toMatchObject({ rejectionReason: RejectionReason.UploadCancelled, multipartUploadId: null });
    expect(await openUploads(app.services.storage, upload.storageKey)).toEqual([]);
    expect(await app.services.storage.head(upload.storageKey)).toBeNull();
    expect((await putPart(urls[2]!, parts[2]!)).status).toBe(409);

    const again = await app.gql(AbortDocument, { assetId: upload.assetId }, alice);
    expect(again.errors).toBeUndefined();
    expect(again.data!.abortUpload.updatedAt).toBe(aborted.data!.abortUpload.updatedAt);
    const trail = await app.services.assetEvents.listForAsset(upload.assetId);
    expect(trail.filter((event) => event.type === 'ABORTED')).toHaveLength(1);
  });

  it('abortUpload ends a single-PUT upload too, deleting what was sent; a confirmed one cannot be cancelled', async () => {
    const body = Buffer.from('single upload body\n');
    const single = await initiate(app, alice, {
      fileName: 's.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(single, body)).ok).toBe(true);
    const aborted = await app.gql(AbortDocument, { assetId: single.assetId }, alice);
    expect(aborted.data!.abortUpload.status).toBe('REJECTED');
    expect(await app.services.storage.head(`incoming/${single.assetId}`)).toBeNull();
    expect((await confirm(app, alice, single.assetId)).data!.confirmUpload.status).toBe('REJECTED');

    const other = await initiate(app, alice, {
      fileName: 'o.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(other, body)).ok).toBe(true);
    expect((await confirm(app, alice, other.assetId)).errors).toBeUndefined();
    const late = await app.gql(AbortDocument, { assetId: other.assetId }, alice);
    expect(late.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'assetId' });
  });
});

describe('multipart uploads, S3 provider (s3rver)', () => {
  let s3: RunningS3rver;
  let app: TestApp;
  let alice: string;

  beforeAll(async () => {
    s3 = await startS3rver();
    app = await startTestApp({
      workers: true,
      env: { ...s3StorageEnv(s3), ...scannerEnv(), STORAGE_MAX_FILE_SIZE: String(6 * GiB) },
    });
    alice = app.token('mp-s3-alice');
  });
  afterAll(async () => {
    await app?.close();
    await s3?.stop();
  });

  it('three parts out of order, one sent again after a bad try, end CLEAN and byte-identical', async () => {
    const file = textFile('s3');
    const parts = cutIntoParts(file, PART_SIZE);
    const upload = await initiateMultipart(app, alice, {
      fileName: 's3.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const urls = await partUrls(app, alice, upload.assetId, [2, 3, 1]);
    // s3rver checks no signatures, so the bad try is bytes of the right length but wrong content;
    // the retry replaces them, and only the retry's ETag is named.
    expect((await putPart(urls[0]!, Buffer.alloc(PART_SIZE, 'x'))).status).toBe(200);
    const etags = await sendParts(urls, parts, [2, 3, 1]);
    expect(
      (await confirm(app, alice, upload.assetId, 'S3', { parts: asParts(etags) })).errors,
    ).toBeUndefined();
    const asset = await waitForAsset(app, alice, upload.assetId, settled, 60_000);
    expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
    expect((await download(asset.downloadUrl!)).equals(file)).toBe(true);
  });

  it('past 5 GiB only multipart: a single PUT upload is refused with a pointer to it', async () => {
    const single = await app.gql(
      INITIATE,
      { input: { fileName: 'huge.mp4', fileSize: 5 * GiB + 1, mimeType: 'video/mp4' } },
      alice,
    );
    expect(single.errors?.[0]?.extensions).toMatchObject({ code: 'FILE_TOO_LARGE', field: 'fileSize' });
    expect(single.errors?.[0]?.message).toMatch(/initiateMultipartUpload/);
    const multipart = await initiateMultipart(app, alice, {
      fileName: 'huge.mp4',
      fileSize: 6 * GiB,
      mimeType: 'video/mp4',
    });
    expect(multipart).toMatchObject({ partSize: 8 * MiB, partCount: 768 });
  });

  it('part URLs sign content-length: another length would not verify (recomputed with the SDK signer)', async () => {
    const upload = await initiateMultipart(app, alice, {
      fileName: 'signed.txt',
      fileSize: 11 * MiB,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const [part] = await partUrls(app, alice, upload.assetId, [3]);
    const url = new URL(part!.url);
    expect(url.searchParams.get('partNumber')).toBe('3');
    expect(url.searchParams.get('uploadId')).toBeTruthy();
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['content-length', 'host']);
    const signature = url.searchParams.get('X-Amz-Signature');
    expect(await signatureFor(s3, part!.url, part!.headers)).toBe(signature);
    for (const length of [MiB - 1, MiB + 1]) {
      expect(await signatureFor(s3, part!.url, { 'Content-Length': String(length) })).not.toBe(signature);
    }
    // Another part number or upload is another URL: its signature does not carry over.
    const moved = new URL(part!.url);
    moved.searchParams.set('partNumber', '2');
    expect(await signatureFor(s3, moved.toString(), part!.headers)).not.toBe(signature);
  });
  it('part checksums: the URL signs x-amz-checksum-sha256; another checksum would not verify', async () => {
    const upload = await initiateMultipart(app, alice, {
      fileName: 'summed.txt',
      fileSize: 11 * MiB,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
      partChecksums: true,
    });
    const checksum = sha256Base64(Buffer.alloc(MiB, 'a'));
    const [part] = await partUrls(app, alice, upload.assetId, [3], [checksum]);
    expect(part!.headers).toEqual({ 'Content-Length': String(MiB), 'x-amz-checksum-sha256': checksum });
    const url = new URL(part!.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual([
      'content-length',
      'host',
      'x-amz-checksum-sha256',
    ]);
    const signature = url.searchParams.get('X-Amz-Signature');
    expect(await signatureFor(s3, part!.url, part!.headers)).toBe(signature);
    const other = { ...part!.headers, 'x-amz-checksum-sha256': sha256Base64(Buffer.alloc(MiB, 'b')) };
    expect(await signatureFor(s3, part!.url, other)).not.toBe(signature);
    const { 'x-amz-checksum-sha256': _dropped, ...withoutChecksum } = part!.headers;
    expect(await signatureFor(s3, part!.url, withoutChecksum)).not.toBe(signature);
  });
});

describe('files larger than the scanner takes', () => {
  let app: TestApp;
  let alice: string;
  const log = recordLog('warn');

  beforeAll(async () => {
    app = await startTestApp({
      workers: true,
      log,
      env: {
        ...scannerEnv(),
        CLAMAV_MAX_STREAM_BYTES: String(8 * MiB),
        STORAGE_MAX_FILE_SIZE: String(64 * MiB),
        SCAN_ATTEMPTS: '1',
      },
    });
    alice = app.token('mp-big-alice');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('start-up warns; such an upload ends ERROR / REJECTED, never CLEAN', async () => {
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: 40,
        maxFileSize: 64 * MiB,
        maxScanBytes: 8 * MiB,
        msg: expect.stringMatching(/larger than the scanner takes/),
      }),
    );
    const file = textFile('unscannable');
    const upload = await initiateMultipart(app, alice, {
      fileName: 'unscannable.txt',
      fileSize: file.length,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const etags = await sendParts(
      await partUrls(app, alice, upload.assetId, [1, 2, 3]),
      cutIntoParts(file, PART_SIZE),
      [1, 2, 3],
    );
    expect(
      (await confirm(app, alice, upload.assetId, 'x', { parts: asParts(etags) })).errors,
    ).toBeUndefined();
    const asset = await waitForAsset(app, alice, upload.assetId, settled, 60_000);
    expect(asset).toMatchObject({ status: 'REJECTED', scanStatus: 'ERROR', downloadUrl: null });
    expect(asset.scanResult?.error).toMatch(/larger than clamd scans/);
  });
});
