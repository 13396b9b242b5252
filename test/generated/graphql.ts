/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AssetStatus =
  | 'APPROVED'
  | 'DRAFT'
  | 'PROCESSING'
  | 'REJECTED';

export type CompletedPartInput = {
  etag: string;
  partNumber: number;
};

export type ConfirmUploadInput = {
  assetId: string | number;
  description?: string | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  /** Multipart uploads only: the parts with the ETags their PUTs answered. When omitted, the server lists the parts storage holds */
  parts?: Array<CompletedPartInput> | null | undefined;
  title: string;
};

export type InitiateUploadInput = {
  /** Base64 SHA-256 of the file; when given, the upload URL accepts only these exact bytes */
  checksumSha256?: string | null | undefined;
  fileName: string;
  fileSize: number;
  mimeType: string;
  projectId?: string | number | null | undefined;
};

export type ScanStatus =
  | 'CLEAN'
  | 'ERROR'
  | 'INFECTED'
  | 'PENDING'
  | 'SCANNING';

export type TestAssetFragment = { id: string, title: string | null, description: string | null, fileName: string, storageKey: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, thumbnailUrl: string | null, downloadUrl: string | null, metadata: Record<string, unknown> | null, projectId: string | null, createdBy: string, createdAt: string, updatedAt: string, scanResult: { engine: string, scannedAt: string, durationMs: number, attempts: number, error: string | null, threats: Array<{ name: string, engine: string }> } | null };

export type InitiateMutationVariables = Exact<{
  input: InitiateUploadInput;
}>;


export type InitiateMutation = { initiateUpload: { uploadUrl: string, uploadHeaders: Record<string, unknown>, assetId: string, storageKey: string, expiresAt: string } };

export type ConfirmMutationVariables = Exact<{
  input: ConfirmUploadInput;
}>;


export type ConfirmMutation = { confirmUpload: { id: string, title: string | null, description: string | null, fileName: string, storageKey: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, thumbnailUrl: string | null, downloadUrl: string | null, metadata: Record<string, unknown> | null, projectId: string | null, createdBy: string, createdAt: string, updatedAt: string, scanResult: { engine: string, scannedAt: string, durationMs: number, attempts: number, error: string | null, threats: Array<{ name: string, engine: string }> } | null } };

export type AssetQueryVariables = Exact<{
  id: string | number;
}>;


export type AssetQuery = { asset: { id: string, title: string | null, description: string | null, fileName: string, storageKey: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, thumbnailUrl: string | null, downloadUrl: string | null, metadata: Record<string, unknown> | null, projectId: string | null, createdBy: string, createdAt: string, updatedAt: string, scanResult: { engine: string, scannedAt: string, durationMs: number, attempts: number, error: string | null, threats: Array<{ name: string, engine: string }> } | null } | null };

export type MineQueryVariables = Exact<{
  status?: AssetStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MineQuery = { myAssets: { totalCount: number, endCursor: string | null, hasNextPage: boolean, nodes: Array<{ id: string, fileName: string, status: AssetStatus, createdAt: string }> } };

export type ScanSubscriptionVariables = Exact<{
  assetId: string | number;
}>;


export type ScanSubscription = { assetScanStatus: { assetId: string, status: AssetStatus, scanStatus: ScanStatus, final: boolean, at: string, scanResult: { engine: string, attempts: number, error: string | null, threats: Array<{ name: string, engine: string }> } | null } };

export type PartsQueryVariables = Exact<{
  assetId: string | number;
}>;


export type PartsQuery = { uploadedParts: Array<{ partNumber: number, size: number }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const TestAssetFragmentDoc = new TypedDocumentString(`
    fragment TestAsset on IpAsset {
  id
  title
  description
  fileName
  storageKey
  fileSize
  mimeType
  status
  scanStatus
  scanResult {
    engine
    threats {
      name
      engine
    }
    scannedAt
    durationMs
    attempts
    error
  }
  thumbnailUrl
  downloadUrl
  metadata
  projectId
  createdBy
  createdAt
  updatedAt
}
    `, {"fragmentName":"TestAsset"}) as unknown as TypedDocumentString<TestAssetFragment, unknown>;
export const InitiateDocument = new TypedDocumentString(`
    mutation Initiate($input: InitiateUploadInput!) {
  initiateUpload(input: $input) {
    uploadUrl
    uploadHeaders
    assetId
    storageKey
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<InitiateMutation, InitiateMutationVariables>;
export const ConfirmDocument = new TypedDocumentString(`
    mutation Confirm($input: ConfirmUploadInput!) {
  confirmUpload(input: $input) {
    ...TestAsset
  }
}
    fragment TestAsset on IpAsset {
  id
  title
  description
  fileName
  storageKey
  fileSize
  mimeType
  status
  scanStatus
  scanResult {
    engine
    threats {
      name
      engine
    }
    scannedAt
    durationMs
    attempts
    error
  }
  thumbnailUrl
  downloadUrl
  metadata
  projectId
  createdBy
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<ConfirmMutation, ConfirmMutationVariables>;
export const AssetDocument = new TypedDocumentString(`
    query Asset($id: ID!) {
  asset(id: $id) {
    ...TestAsset
  }
}
    fragment TestAsset on IpAsset {
  id
  title
  description
  fileName
  storageKey
  fileSize
  mimeType
  status
  scanStatus
  scanResult {
    engine
    threats {
      name
      engine
    }
    scannedAt
    durationMs
    attempts
    error
  }
  thumbnailUrl
  downloadUrl
  metadata
  projectId
  createdBy
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<AssetQuery, AssetQueryVariables>;
export const MineDocument = new TypedDocumentString(`
    query Mine($status: AssetStatus, $first: Int, $after: String) {
  myAssets(status: $status, first: $first, after: $after) {
    nodes {
      id
      fileName
      status
      createdAt
    }
    totalCount
    endCursor
    hasNextPage
  }
}
    `) as unknown as TypedDocumentString<MineQuery, MineQueryVariables>;
export const ScanDocument = new TypedDocumentString(`
    subscription Scan($assetId: ID!) {
  assetScanStatus(assetId: $assetId) {
    assetId
    status
    scanStatus
    final
    at
    scanResult {
      engine
      threats {
        name
        engine
      }
      attempts
      error
    }
  }
}
    `) as unknown as TypedDocumentString<ScanSubscription, ScanSubscriptionVariables>;
export const PartsDocument = new TypedDocumentString(`
    query Parts($assetId: ID!) {
  uploadedParts(assetId: $assetId) {
    partNumber
    size
  }
}
    `) as unknown as TypedDocumentString<PartsQuery, PartsQueryVariables>;