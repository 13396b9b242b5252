import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { CONFIRM } from '../helpers/operations';
import { confirm, initiate, PNG_1x1, putBytes, uploadFile } from '../helpers/upload';
import { waitForAsset } from '../helpers/scan';

const NUL = 'a\u0000b';
const LONE = 'a\ud800b';

describe('bad input gets BAD_USER_INPUT naming the field, never a 500', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp({ workers: true });
    token = app.token('typist');
  });
  afterAll(() => app?.close());

  const valid = { fileName: 'ok.txt', fileSize: 5, mimeType: 'text/plain' };
  const initiateWith = (input: Record<string, unknown>) =>
    app.gql(
      `mutation($input: InitiateUploadInput!) { initiateUpload(input: $input) { assetId storageKey } }`,
      { input: { ...valid, ...input } },
      token,
    );
  const draft = async () => {
    const upload = await initiate(app, token, valid);
    expect((await putBytes(upload, Buffer.from('hello'))).status).toBe(200);
    return upload.assetId;
  };

  it.each([
    ['fileName', NUL],
    ['fileName', LONE],
    ['projectId', NUL],
    ['projectId', LONE],
  ])('initiateUpload with %s holding %j', async (field, value) => {
    const result = await initiateWith({ [field]: value });
    expect(result.status).not.toBe(500);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it.each([
    ['title', { title: NUL }],
    ['title', { title: LONE }],
    ['description', { description: NUL }],
    ['description', { description: LONE }],
    ['metadata', { metadata: { note: NUL } }],
    ['metadata', { metadata: { [NUL]: 1 } }],
    ['metadata', { metadata: { deep: [{ list: ['x', LONE] }] } }],
    ['metadata', { metadata: { [LONE]: 'x' } }],
  ])('confirmUpload with bad %s', async (field, extra) => {
    const assetId = await draft();
    const result = await confirm(app, token, assetId, (extra as { title?: string }).title ?? 'Title', extra);
    expect(result.status).not.toBe(500);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    // Nothing was lost: the draft can still be confirmed with good input.
    const retried = await confirm(app, token, assetId, 'Title');
    expect(retried.data?.confirmUpload.status).toBe('PROCESSING');
  });

  it('metadata nested 10,000 levels, or with too many keys, is refused as metadata', async () => {
    // Written as text: JSON.stringify itself would overflow the stack on this.
    const deepAssetId = await draft();
    const deepJson = `${'{"k":'.repeat(10_000)}"leaf"${'}'.repeat(10_000)}`;
    const input = `{"assetId":"${deepAssetId}","title":"T","metadata":${deepJson}}`;
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: `{"query":${JSON.stringify(CONFIRM)},"variables":{"input":${input}}}`,
    });
    expect(response.status).not.toBe(500);
    const deepResult = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect(deepResult.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metadata' });

    const manyKeys = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    for (const metadata of [
      manyKeys,
      { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } },
    ]) {
      const assetId = await draft();
      const result = await confirm(app, token, assetId, 'Title', { metadata });
      expect(result.status).not.toBe(500);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metadata' });
    }
    const assetId = await draft();
    const ten = await confirm(app, token, assetId, 'Title', {
      metadata: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } },
    });
    expect(ten.data?.confirmUpload.status).toBe('PROCESSING');
  });

  it.each([
    ['a..b.txt', 'a..b.txt'],
    ['x...y....txt', 'x...y....txt'],
    ['in\u200bvoice\u200d.txt', 'invoice.txt'],
    ['a\u2215b\uff0fc.txt', 'a_b_c.txt'],
    ['evil\u202egnp.txt', 'evilgnp.txt'],
    ['cafe\u0301.txt', 'caf\u00e9.txt'],
    ['report\uff0etxt', 'report.txt'],
    ['trailing dots....txt...', 'trailing dots....txt'],
  ])('a name initiate accepts can be confirmed: %j is served as %j', async (fileName, served) => {
    const { asset } = await uploadFile(app, token, {
      fileName,
      mimeType: 'text/plain',
      body: Buffer.from('hello'),
    });
    expect(asset.status).toBe('PROCESSING');
    expect(asset.fileName).toBe(served);
  });

  it.each([
    ['run.bat', 'text/plain', Buffer.from('@echo off\r\n'), 'run.bat.txt'],
    ['x.hta', 'text/plain', Buffer.from('<script>alert(1)</script>'), 'x.hta.txt'],
    ['x.ps1', 'text/plain', Buffer.from('Write-Host hi'), 'x.ps1.txt'],
    ['image.html', 'image/png', PNG_1x1, 'image.html.png'],
    ['photo.PNG', 'image/png', PNG_1x1, 'photo.PNG'],
    ['notes', 'text/plain', Buffer.from('hello'), 'notes.txt'],
  ])('%s declared %s is downloaded as %s', async (fileName, mimeType, body, served) => {
    const { assetId, asset } = await uploadFile(app, token, { fileName, mimeType, body });
    expect(asset.fileName).toBe(served);
    expect(asset.storageKey.endsWith(served)).toBe(true);
    const final = await waitForAsset(
      app,
      token,
      assetId,
      (a) => a.status === 'APPROVED' || a.status === 'REJECTED',
    );
    expect(final.status).toBe('APPROVED');
    const download = await fetch(final.downloadUrl!);
    expect(download.status).toBe(200);
    const disposition = download.headers.get('content-disposition') ?? '';
    expect(disposition).toContain(`filename="${served}"`);
    await download.arrayBuffer();
  });
});
