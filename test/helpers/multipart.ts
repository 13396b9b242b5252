import { createHash } from 'node:crypto';
import type { ServiceClient } from './client';
import {
  AbortDocument,
  InitiateMultipartDocument,
  PartUrlsDocument,
  UploadedPartsDocument,
} from '../generated/graphql';

/** The multipart operations (test/operations/integration.graphql), as typed documents. */
export { AbortDocument, InitiateMultipartDocument, PartUrlsDocument, UploadedPartsDocument };

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
  const response = await app.gql(InitiateMultipartDocument, { input }, token);
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
  const response = await app.gql(PartUrlsDocument, { assetId, partNumbers, checksums }, token);
  if (!response.data?.uploadPartUrls)
    throw new Error(`uploadPartUrls failed: ${JSON.stringify(response.errors)}`);
  // JSON scalar in the schema; presigned part headers are strings.
  return response.data.uploadPartUrls.map(({ headers, ...rest }) => ({
    ...rest,
    headers: headers as Record<string, string>,
  }));
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
