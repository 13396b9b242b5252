import type { ConfirmUploadInput } from '../generated/graphql';
import type { ServiceClient } from './client';
import { ConfirmDocument, InitiateDocument, type TestAssetFragment } from './operations';

export interface InitiatedUpload {
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
  assetId: string;
  storageKey: string;
  expiresAt: string;
}

export async function initiate(
  app: ServiceClient,
  token: string,
  input: { fileName: string; fileSize: number; mimeType: string; projectId?: string },
): Promise<InitiatedUpload> {
  const response = await app.gql(InitiateDocument, { input }, token);
  if (!response.data?.initiateUpload) throw new Error(`initiate failed: ${JSON.stringify(response.errors)}`);
  const { uploadHeaders, ...rest } = response.data.initiateUpload;
  return { ...rest, uploadHeaders: uploadHeaders as Record<string, string> };
}

/** PUTs bytes the way a browser would, with the headers initiateUpload returned (overridable). */
export function putBytes(
  upload: InitiatedUpload,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<Response> {
  // Like a browser, fetch sets Content-Length from the body itself (it may not be set by hand).
  const given = Object.entries({ ...upload.uploadHeaders, ...headers }).filter(
    ([name]) => name.toLowerCase() !== 'content-length',
  );
  return fetch(upload.uploadUrl, { method: 'PUT', headers: Object.fromEntries(given), body });
}

export function confirm(
  app: ServiceClient,
  token: string,
  assetId: string,
  title = 'A title',
  extra: Partial<ConfirmUploadInput> = {},
) {
  return app.gql(ConfirmDocument, { input: { assetId, title, ...extra } }, token);
}

/** initiate → PUT → confirm, returning the confirmed asset. */
export async function uploadFile(
  app: ServiceClient,
  token: string,
  file: { fileName: string; mimeType: string; body: Buffer },
): Promise<{ assetId: string; asset: TestAssetFragment; upload: InitiatedUpload }> {
  const upload = await initiate(app, token, {
    fileName: file.fileName,
    fileSize: file.body.length,
    mimeType: file.mimeType,
  });
  const put = await putBytes(upload, file.body);
  if (!put.ok) throw new Error(`PUT failed: ${put.status} ${await put.text()}`);
  const confirmed = await confirm(app, token, upload.assetId);
  if (!confirmed.data?.confirmUpload) throw new Error(`confirm failed: ${JSON.stringify(confirmed.errors)}`);
  return { assetId: upload.assetId, asset: confirmed.data.confirmUpload, upload };
}

/** A tiny valid PNG (1×1), built with sharp so it is a real image. */
export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
