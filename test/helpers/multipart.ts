import { createHash } from 'node:crypto';
import type { ServiceClient } from './client';
import { ASSET_FIELDS } from './operations';

export const INITIATE_MULTIPART = `mutation InitiateMultipart($input: InitiateMultipartUploadInput!) {
  initiateMultipartUpload(input: $input) { assetId storageKey partSize partCount expiresAt }
}`;

export const PART_URLS = `mutation PartUrls($assetId: ID!, $partNumbers: [Int!]!, $checksums: [String!]) {
  uploadPartUrls(assetId: $assetId, partNumbers: $partNumbers, checksums: $checksums) {
    partNumber url headers expiresAt
  }
}`;

export const UPLOADED_PARTS = `query UploadedParts($assetId: ID!) {
  uploadedParts(assetId: $assetId) { partNumber size etag }
}`;

export const ABORT = `mutation Abort($assetId: ID!) { abortUpload(assetId: $assetId) { ${ASSET_FIELDS} } }`;

export interface MultipartUpload {
  assetId: string;
  storageKey: string;
  partSize: number;
  partCount: number;
  expiresAt: string;
}

export interface PartUrl {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export async function initiateMultipart(
  app: ServiceClient,
  token: string,
  input: { fileName: string; fileSize: number; mimeType: string; partSize?: number; partChecksums?: boolean },
): Promise<MultipartUpload> {
  const response = await app.gql<{ initiateMultipartUpload: MultipartUpload }>(
    INITIATE_MULTIPART,
    { input },
    token,
  );
  if (!response.data?.initiateMultipartUpload) {
    throw new Error(`initiateMultipartUpload failed: ${JSON.stringify(response.errors)}`);
  }
  return response.data.initiateMultipartUpload;
}

export async function partUrls(
  app: ServiceClient,
  token: string,
  assetId: string,
  partNumbers: number[],
  checksums?: string[],
): Promise<PartUrl[]> {
  const response = await app.gql<{ uploadPartUrls: PartUrl[] }>(
    PART_URLS,
    { assetId, partNumbers, checksums },
    token,
  );
  if (!response.data?.uploadPartUrls)
    throw new Error(`uploadPartUrls failed: ${JSON.stringify(response.errors)}`);
  return response.data.uploadPartUrls;
}

/** PUTs one part the way a browser would (fetch sets Content-Length from the body). */
export function putPart(part: PartUrl, body: Buffer): Promise<Response> {
  const headers = Object.entries(part.headers).filter(([name]) => name.toLowerCase() !== 'content-length');
  return fetch(part.url, { method: 'PUT', headers: Object.fromEntries(headers), body });
}

/** Base64 SHA-256, as `checksums` and x-amz-checksum-sha256 carry it. */
export function sha256Base64(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** `file` cut into parts of `partSize` bytes (the last one shorter). */
export function cutIntoParts(file: Buffer, partSize: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < file.length; offset += partSize)
    parts.push(file.subarray(offset, offset + partSize));
  return parts;
}
