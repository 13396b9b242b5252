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

export type InitiateMultipartUploadInput = {
  fileName: string;
  fileSize: number;
  mimeType: string;
  /** Optional. When true, every part URL must be asked for with its part's SHA-256 (uploadPartUrls' checksums), and storage accepts only those exact bytes */
  partChecksums?: boolean | null | undefined;
  /** Bytes per part; optional. The server picks one (at least 5 MiB, at most 10,000 parts) when omitted */
  partSize?: number | null | undefined;
  projectId?: string | number | null | undefined;
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

export type InitiateMultipartMutationVariables = Exact<{
  input: InitiateMultipartUploadInput;
}>;


export type InitiateMultipartMutation = { initiateMultipartUpload: { assetId: string, storageKey: string, partSize: number, partCount: number, expiresAt: string } };

export type PartUrlsMutationVariables = Exact<{
  assetId: string | number;
  partNumbers: Array<number> | number;
  checksums?: Array<string> | string | null | undefined;
}>;


export type PartUrlsMutation = { uploadPartUrls: Array<{ partNumber: number, url: string, headers: Record<string, unknown>, expiresAt: string }> };

export type UploadedPartsQueryVariables = Exact<{
  assetId: string | number;
}>;


export type UploadedPartsQuery = { uploadedParts: Array<{ partNumber: number, size: number, etag: string }> };

export type AbortMutationVariables = Exact<{
  assetId: string | number;
}>;


export type AbortMutation = { abortUpload: { id: string, title: string | null, description: string | null, fileName: string, storageKey: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, thumbnailUrl: string | null, downloadUrl: string | null, metadata: Record<string, unknown> | null, projectId: string | null, createdBy: string, createdAt: string, updatedAt: string, scanResult: { engine: string, scannedAt: string, durationMs: number, attempts: number, error: string | null, threats: Array<{ name: string, engine: string }> } | null } };

export type AdminMetricsQueryVariables = Exact<{
  start?: string | null | undefined;
  end?: string | null | undefined;
}>;


export type AdminMetricsQuery = { uploadMetrics: { totalUploads: number, successfulUploads: number, failedUploads: number, successRate: number, averageFileSize: number, totalStorageUsed: number, from: string, to: string, byMimeType: Array<{ key: string, count: number }>, byStatus: Array<{ key: string, count: number }>, virusScans: { total: number, clean: number, infected: number, failed: number } } };

export type TriggerCleanupMutationVariables = Exact<{ [key: string]: never; }>;


export type TriggerCleanupMutation = { triggerUploadCleanup: { dryRun: boolean, abandonedCleaned: number, failedCleaned: number, infectedCleaned: number, storageFreedBytes: number, errors: Array<string> } };

export type QueueDepthQueryVariables = Exact<{ [key: string]: never; }>;


export type QueueDepthQuery = { uploadQueueDepth: { pending: number, scanning: number, processing: number } };

export type FailureBreakdownQueryVariables = Exact<{ [key: string]: never; }>;


export type FailureBreakdownQuery = { uploadFailureBreakdown: Array<{ key: string, count: number }> };

export type TopTwoUploadersQueryVariables = Exact<{ [key: string]: never; }>;


export type TopTwoUploadersQuery = { topUploaders: Array<{ userId: string, uploads: number, totalBytes: number }> };

export type RebuildMetricsMutationVariables = Exact<{
  date: string;
}>;


export type RebuildMetricsMutation = { rebuildUploadMetrics: { day: string, rowsRead: number, rowsCounted: number } };

export type FiguresQueryVariables = Exact<{ [key: string]: never; }>;


export type FiguresQuery = { uploadMetrics: { totalUploads: number, successfulUploads: number, failedUploads: number, successRate: number, averageFileSize: number, totalStorageUsed: number, byMimeType: Array<{ key: string, count: number }>, byStatus: Array<{ key: string, count: number }>, virusScans: { total: number, clean: number, infected: number, failed: number } }, uploadFailureBreakdown: Array<{ key: string, count: number }>, topUploaders: Array<{ userId: string, uploads: number, totalBytes: number }> };

export type RebuildCountsMutationVariables = Exact<{
  date: string;
}>;


export type RebuildCountsMutation = { rebuildUploadMetrics: { rowsRead: number, rowsCounted: number } };

export type OutboxMetricsQueryVariables = Exact<{ [key: string]: never; }>;


export type OutboxMetricsQuery = { uploadMetrics: { totalUploads: number, successfulUploads: number, failedUploads: number, virusScans: { total: number, clean: number, infected: number, failed: number } }, uploadFailureBreakdown: Array<{ key: string, count: number }> };

export type ClusterMetricsQueryVariables = Exact<{ [key: string]: never; }>;


export type ClusterMetricsQuery = { uploadMetrics: { totalUploads: number, successfulUploads: number, failedUploads: number, virusScans: { total: number, clean: number, infected: number } } };

export type InitiateKeyMutationVariables = Exact<{
  input: InitiateUploadInput;
}>;


export type InitiateKeyMutation = { initiateUpload: { assetId: string, storageKey: string } };

export type AssetFileNameQueryVariables = Exact<{
  id: string | number;
}>;


export type AssetFileNameQuery = { asset: { fileName: string } | null };

export type RescanMutationVariables = Exact<{
  id: string | number;
}>;


export type RescanMutation = { rescanAsset: { id: string, status: AssetStatus, scanStatus: ScanStatus, downloadUrl: string | null } };

export type WebhookEndpointsQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhookEndpointsQuery = { webhookEndpoints: Array<{ id: string, url: string, successes: number, failures: number, lastSuccessAt: string | null, lastFailureAt: string | null, lastError: string | null }> };

export type MineCountQueryVariables = Exact<{ [key: string]: never; }>;


export type MineCountQuery = { myAssets: { totalCount: number } };

export type AssetEngineVersionQueryVariables = Exact<{
  id: string | number;
}>;


export type AssetEngineVersionQuery = { asset: { scanResult: { engineVersion: string | null } | null } | null };

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
export const InitiateMultipartDocument = new TypedDocumentString(`
    mutation InitiateMultipart($input: InitiateMultipartUploadInput!) {
  initiateMultipartUpload(input: $input) {
    assetId
    storageKey
    partSize
    partCount
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<InitiateMultipartMutation, InitiateMultipartMutationVariables>;
export const PartUrlsDocument = new TypedDocumentString(`
    mutation PartUrls($assetId: ID!, $partNumbers: [Int!]!, $checksums: [String!]) {
  uploadPartUrls(
    assetId: $assetId
    partNumbers: $partNumbers
    checksums: $checksums
  ) {
    partNumber
    url
    headers
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<PartUrlsMutation, PartUrlsMutationVariables>;
export const UploadedPartsDocument = new TypedDocumentString(`
    query UploadedParts($assetId: ID!) {
  uploadedParts(assetId: $assetId) {
    partNumber
    size
    etag
  }
}
    `) as unknown as TypedDocumentString<UploadedPartsQuery, UploadedPartsQueryVariables>;
export const AbortDocument = new TypedDocumentString(`
    mutation Abort($assetId: ID!) {
  abortUpload(assetId: $assetId) {
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
}`) as unknown as TypedDocumentString<AbortMutation, AbortMutationVariables>;
export const AdminMetricsDocument = new TypedDocumentString(`
    query AdminMetrics($start: DateTime, $end: DateTime) {
  uploadMetrics(start: $start, end: $end) {
    totalUploads
    successfulUploads
    failedUploads
    successRate
    averageFileSize
    totalStorageUsed
    byMimeType {
      key
      count
    }
    byStatus {
      key
      count
    }
    virusScans {
      total
      clean
      infected
      failed
    }
    from
    to
  }
}
    `) as unknown as TypedDocumentString<AdminMetricsQuery, AdminMetricsQueryVariables>;
export const TriggerCleanupDocument = new TypedDocumentString(`
    mutation TriggerCleanup {
  triggerUploadCleanup {
    dryRun
    abandonedCleaned
    failedCleaned
    infectedCleaned
    storageFreedBytes
    errors
  }
}
    `) as unknown as TypedDocumentString<TriggerCleanupMutation, TriggerCleanupMutationVariables>;
export const QueueDepthDocument = new TypedDocumentString(`
    query QueueDepth {
  uploadQueueDepth {
    pending
    scanning
    processing
  }
}
    `) as unknown as TypedDocumentString<QueueDepthQuery, QueueDepthQueryVariables>;
export const FailureBreakdownDocument = new TypedDocumentString(`
    query FailureBreakdown {
  uploadFailureBreakdown {
    key
    count
  }
}
    `) as unknown as TypedDocumentString<FailureBreakdownQuery, FailureBreakdownQueryVariables>;
export const TopTwoUploadersDocument = new TypedDocumentString(`
    query TopTwoUploaders {
  topUploaders(limit: 2) {
    userId
    uploads
    totalBytes
  }
}
    `) as unknown as TypedDocumentString<TopTwoUploadersQuery, TopTwoUploadersQueryVariables>;
export const RebuildMetricsDocument = new TypedDocumentString(`
    mutation RebuildMetrics($date: DateTime!) {
  rebuildUploadMetrics(date: $date) {
    day
    rowsRead
    rowsCounted
  }
}
    `) as unknown as TypedDocumentString<RebuildMetricsMutation, RebuildMetricsMutationVariables>;
export const FiguresDocument = new TypedDocumentString(`
    query Figures {
  uploadMetrics {
    totalUploads
    successfulUploads
    failedUploads
    successRate
    averageFileSize
    totalStorageUsed
    byMimeType {
      key
      count
    }
    byStatus {
      key
      count
    }
    virusScans {
      total
      clean
      infected
      failed
    }
  }
  uploadFailureBreakdown {
    key
    count
  }
  topUploaders {
    userId
    uploads
    totalBytes
  }
}
    `) as unknown as TypedDocumentString<FiguresQuery, FiguresQueryVariables>;
export const RebuildCountsDocument = new TypedDocumentString(`
    mutation RebuildCounts($date: DateTime!) {
  rebuildUploadMetrics(date: $date) {
    rowsRead
    rowsCounted
  }
}
    `) as unknown as TypedDocumentString<RebuildCountsMutation, RebuildCountsMutationVariables>;
export const OutboxMetricsDocument = new TypedDocumentString(`
    query OutboxMetrics {
  uploadMetrics {
    totalUploads
    successfulUploads
    failedUploads
    virusScans {
      total
      clean
      infected
      failed
    }
  }
  uploadFailureBreakdown {
    key
    count
  }
}
    `) as unknown as TypedDocumentString<OutboxMetricsQuery, OutboxMetricsQueryVariables>;
export const ClusterMetricsDocument = new TypedDocumentString(`
    query ClusterMetrics {
  uploadMetrics {
    totalUploads
    successfulUploads
    failedUploads
    virusScans {
      total
      clean
      infected
    }
  }
}
    `) as unknown as TypedDocumentString<ClusterMetricsQuery, ClusterMetricsQueryVariables>;
export const InitiateKeyDocument = new TypedDocumentString(`
    mutation InitiateKey($input: InitiateUploadInput!) {
  initiateUpload(input: $input) {
    assetId
    storageKey
  }
}
    `) as unknown as TypedDocumentString<InitiateKeyMutation, InitiateKeyMutationVariables>;
export const AssetFileNameDocument = new TypedDocumentString(`
    query AssetFileName($id: ID!) {
  asset(id: $id) {
    fileName
  }
}
    `) as unknown as TypedDocumentString<AssetFileNameQuery, AssetFileNameQueryVariables>;
export const RescanDocument = new TypedDocumentString(`
    mutation Rescan($id: ID!) {
  rescanAsset(assetId: $id) {
    id
    status
    scanStatus
    downloadUrl
  }
}
    `) as unknown as TypedDocumentString<RescanMutation, RescanMutationVariables>;
export const WebhookEndpointsDocument = new TypedDocumentString(`
    query WebhookEndpoints {
  webhookEndpoints {
    id
    url
    successes
    failures
    lastSuccessAt
    lastFailureAt
    lastError
  }
}
    `) as unknown as TypedDocumentString<WebhookEndpointsQuery, WebhookEndpointsQueryVariables>;
export const MineCountDocument = new TypedDocumentString(`
    query MineCount {
  myAssets(first: 10) {
    totalCount
  }
}
    `) as unknown as TypedDocumentString<MineCountQuery, MineCountQueryVariables>;
export const AssetEngineVersionDocument = new TypedDocumentString(`
    query AssetEngineVersion($id: ID!) {
  asset(id: $id) {
    scanResult {
      engineVersion
    }
  }
}
    `) as unknown as TypedDocumentString<AssetEngineVersionQuery, AssetEngineVersionQueryVariables>;
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