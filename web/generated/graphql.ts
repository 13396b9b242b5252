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

export type DashboardMetricsFragment = { totalUploads: number, successfulUploads: number, failedUploads: number, successRate: number, averageFileSize: number, totalStorageUsed: number, from: string, to: string, byMimeType: Array<{ key: string, count: number }>, byStatus: Array<{ key: string, count: number }>, virusScans: { total: number, clean: number, infected: number, failed: number } };

export type DashboardOverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardOverviewQuery = { uploadMetrics: { totalUploads: number, successfulUploads: number, failedUploads: number, successRate: number, averageFileSize: number, totalStorageUsed: number, from: string, to: string, byMimeType: Array<{ key: string, count: number }>, byStatus: Array<{ key: string, count: number }>, virusScans: { total: number, clean: number, infected: number, failed: number } }, uploadQueueDepth: { pending: number, scanning: number, processing: number }, uploadFailureBreakdown: Array<{ key: string, count: number }>, topUploaders: Array<{ userId: string, uploads: number, totalBytes: number }> };

export type DashboardLiveExtrasQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardLiveExtrasQuery = { uploadQueueDepth: { pending: number, scanning: number, processing: number }, uploadFailureBreakdown: Array<{ key: string, count: number }>, topUploaders: Array<{ userId: string, uploads: number, totalBytes: number }> };

export type DashboardMetricsUpdatedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardMetricsUpdatedSubscription = { uploadMetricsUpdated: { totalUploads: number, successfulUploads: number, failedUploads: number, successRate: number, averageFileSize: number, totalStorageUsed: number, from: string, to: string, byMimeType: Array<{ key: string, count: number }>, byStatus: Array<{ key: string, count: number }>, virusScans: { total: number, clean: number, infected: number, failed: number } } };

export type DashboardCleanupMutationVariables = Exact<{
  dryRun: boolean;
}>;


export type DashboardCleanupMutation = { triggerUploadCleanup: { dryRun: boolean, abandonedCleaned: number, failedCleaned: number, infectedCleaned: number, storageFreedBytes: number, errors: Array<string>, orphans: { objectsWithoutRow: number, rowsWithoutObject: number, examples: Array<string> } } };

export type DashboardAssetQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardAssetQuery = { asset: { id: string, title: string | null, fileName: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, createdAt: string, createdBy: string, downloadUrl: string | null, thumbnailUrl: string | null, scanResult: { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> } | null } | null, assetEvents: Array<{ type: string, status: AssetStatus, scanStatus: ScanStatus, actor: string, detail: Record<string, unknown> | null, at: string }> };

export type DashboardRescanMutationVariables = Exact<{
  id: string | number;
}>;


export type DashboardRescanMutation = { rescanAsset: { id: string, title: string | null, fileName: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, createdAt: string, createdBy: string, downloadUrl: string | null, thumbnailUrl: string | null, scanResult: { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> } | null } };

export type ScanVerdictFragment = { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> };

export type AssetSummaryFragment = { id: string, title: string | null, fileName: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, createdAt: string, createdBy: string, downloadUrl: string | null, thumbnailUrl: string | null, scanResult: { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> } | null };

export type AuditEventFragment = { type: string, status: AssetStatus, scanStatus: ScanStatus, actor: string, detail: Record<string, unknown> | null, at: string };

export type PageUploadLimitsQueryVariables = Exact<{ [key: string]: never; }>;


export type PageUploadLimitsQuery = { uploadLimits: { maxFileSize: number, allowedMimeTypes: Array<string>, uploadUrlTtlSeconds: number } };

export type PageInitiateUploadMutationVariables = Exact<{
  input: InitiateUploadInput;
}>;


export type PageInitiateUploadMutation = { initiateUpload: { uploadUrl: string, uploadHeaders: Record<string, unknown>, assetId: string, expiresAt: string } };

export type PageConfirmUploadMutationVariables = Exact<{
  input: ConfirmUploadInput;
}>;


export type PageConfirmUploadMutation = { confirmUpload: { id: string, title: string | null, fileName: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, createdAt: string, createdBy: string, downloadUrl: string | null, thumbnailUrl: string | null, scanResult: { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> } | null } };

export type PageAssetQueryVariables = Exact<{
  id: string | number;
}>;


export type PageAssetQuery = { asset: { id: string, title: string | null, fileName: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, createdAt: string, createdBy: string, downloadUrl: string | null, thumbnailUrl: string | null, scanResult: { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> } | null } | null };

export type PageMyAssetsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type PageMyAssetsQuery = { myAssets: { totalCount: number, endCursor: string | null, hasNextPage: boolean, nodes: Array<{ id: string, title: string | null, fileName: string, fileSize: number, mimeType: string, status: AssetStatus, scanStatus: ScanStatus, createdAt: string, createdBy: string, downloadUrl: string | null, thumbnailUrl: string | null, scanResult: { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> } | null }> } };

export type PageScanStatusSubscriptionVariables = Exact<{
  assetId: string | number;
}>;


export type PageScanStatusSubscription = { assetScanStatus: { assetId: string, status: AssetStatus, scanStatus: ScanStatus, final: boolean, at: string, scanResult: { engine: string, error: string | null, threats: Array<{ name: string, engine: string }> } | null } };

export type PageInitiateMultipartUploadMutationVariables = Exact<{
  input: InitiateMultipartUploadInput;
}>;


export type PageInitiateMultipartUploadMutation = { initiateMultipartUpload: { assetId: string, storageKey: string, partSize: number, partCount: number, expiresAt: string } };

export type PageUploadPartUrlsMutationVariables = Exact<{
  assetId: string | number;
  partNumbers: Array<number> | number;
}>;


export type PageUploadPartUrlsMutation = { uploadPartUrls: Array<{ partNumber: number, url: string, headers: Record<string, unknown>, expiresAt: string }> };

export type PageUploadedPartsQueryVariables = Exact<{
  assetId: string | number;
}>;


export type PageUploadedPartsQuery = { uploadedParts: Array<{ partNumber: number, size: number, etag: string }> };

export type PageAbortUploadMutationVariables = Exact<{
  assetId: string | number;
}>;


export type PageAbortUploadMutation = { abortUpload: { id: string, status: AssetStatus } };

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
export const DashboardMetricsFragmentDoc = new TypedDocumentString(`
    fragment DashboardMetrics on UploadMetrics {
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
    `, {"fragmentName":"DashboardMetrics"}) as unknown as TypedDocumentString<DashboardMetricsFragment, unknown>;
export const ScanVerdictFragmentDoc = new TypedDocumentString(`
    fragment ScanVerdict on ScanResult {
  engine
  threats {
    name
    engine
  }
  error
}
    `, {"fragmentName":"ScanVerdict"}) as unknown as TypedDocumentString<ScanVerdictFragment, unknown>;
export const AssetSummaryFragmentDoc = new TypedDocumentString(`
    fragment AssetSummary on IpAsset {
  id
  title
  fileName
  fileSize
  mimeType
  status
  scanStatus
  createdAt
  createdBy
  scanResult {
    engine
    threats {
      name
      engine
    }
    error
  }
  downloadUrl
  thumbnailUrl
}
    `, {"fragmentName":"AssetSummary"}) as unknown as TypedDocumentString<AssetSummaryFragment, unknown>;
export const AuditEventFragmentDoc = new TypedDocumentString(`
    fragment AuditEvent on AssetEvent {
  type
  status
  scanStatus
  actor
  detail
  at
}
    `, {"fragmentName":"AuditEvent"}) as unknown as TypedDocumentString<AuditEventFragment, unknown>;
export const DashboardOverviewDocument = new TypedDocumentString(`
    query DashboardOverview {
  uploadMetrics {
    ...DashboardMetrics
  }
  uploadQueueDepth {
    pending
    scanning
    processing
  }
  uploadFailureBreakdown {
    key
    count
  }
  topUploaders(limit: 10) {
    userId
    uploads
    totalBytes
  }
}
    fragment DashboardMetrics on UploadMetrics {
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
}`) as unknown as TypedDocumentString<DashboardOverviewQuery, DashboardOverviewQueryVariables>;
export const DashboardLiveExtrasDocument = new TypedDocumentString(`
    query DashboardLiveExtras {
  uploadQueueDepth {
    pending
    scanning
    processing
  }
  uploadFailureBreakdown {
    key
    count
  }
  topUploaders(limit: 10) {
    userId
    uploads
    totalBytes
  }
}
    `) as unknown as TypedDocumentString<DashboardLiveExtrasQuery, DashboardLiveExtrasQueryVariables>;
export const DashboardMetricsUpdatedDocument = new TypedDocumentString(`
    subscription DashboardMetricsUpdated {
  uploadMetricsUpdated {
    ...DashboardMetrics
  }
}
    fragment DashboardMetrics on UploadMetrics {
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
}`) as unknown as TypedDocumentString<DashboardMetricsUpdatedSubscription, DashboardMetricsUpdatedSubscriptionVariables>;
export const DashboardCleanupDocument = new TypedDocumentString(`
    mutation DashboardCleanup($dryRun: Boolean!) {
  triggerUploadCleanup(dryRun: $dryRun) {
    dryRun
    abandonedCleaned
    failedCleaned
    infectedCleaned
    storageFreedBytes
    errors
    orphans {
      objectsWithoutRow
      rowsWithoutObject
      examples
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardCleanupMutation, DashboardCleanupMutationVariables>;
export const DashboardAssetDocument = new TypedDocumentString(`
    query DashboardAsset($id: ID!) {
  asset(id: $id) {
    ...AssetSummary
  }
  assetEvents(assetId: $id) {
    ...AuditEvent
  }
}
    fragment AssetSummary on IpAsset {
  id
  title
  fileName
  fileSize
  mimeType
  status
  scanStatus
  createdAt
  createdBy
  scanResult {
    engine
    threats {
      name
      engine
    }
    error
  }
  downloadUrl
  thumbnailUrl
}
fragment AuditEvent on AssetEvent {
  type
  status
  scanStatus
  actor
  detail
  at
}`) as unknown as TypedDocumentString<DashboardAssetQuery, DashboardAssetQueryVariables>;
export const DashboardRescanDocument = new TypedDocumentString(`
    mutation DashboardRescan($id: ID!) {
  rescanAsset(assetId: $id) {
    ...AssetSummary
  }
}
    fragment AssetSummary on IpAsset {
  id
  title
  fileName
  fileSize
  mimeType
  status
  scanStatus
  createdAt
  createdBy
  scanResult {
    engine
    threats {
      name
      engine
    }
    error
  }
  downloadUrl
  thumbnailUrl
}`) as unknown as TypedDocumentString<DashboardRescanMutation, DashboardRescanMutationVariables>;
export const PageUploadLimitsDocument = new TypedDocumentString(`
    query PageUploadLimits {
  uploadLimits {
    maxFileSize
    allowedMimeTypes
    uploadUrlTtlSeconds
  }
}
    `) as unknown as TypedDocumentString<PageUploadLimitsQuery, PageUploadLimitsQueryVariables>;
export const PageInitiateUploadDocument = new TypedDocumentString(`
    mutation PageInitiateUpload($input: InitiateUploadInput!) {
  initiateUpload(input: $input) {
    uploadUrl
    uploadHeaders
    assetId
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<PageInitiateUploadMutation, PageInitiateUploadMutationVariables>;
export const PageConfirmUploadDocument = new TypedDocumentString(`
    mutation PageConfirmUpload($input: ConfirmUploadInput!) {
  confirmUpload(input: $input) {
    ...AssetSummary
  }
}
    fragment AssetSummary on IpAsset {
  id
  title
  fileName
  fileSize
  mimeType
  status
  scanStatus
  createdAt
  createdBy
  scanResult {
    engine
    threats {
      name
      engine
    }
    error
  }
  downloadUrl
  thumbnailUrl
}`) as unknown as TypedDocumentString<PageConfirmUploadMutation, PageConfirmUploadMutationVariables>;
export const PageAssetDocument = new TypedDocumentString(`
    query PageAsset($id: ID!) {
  asset(id: $id) {
    ...AssetSummary
  }
}
    fragment AssetSummary on IpAsset {
  id
  title
  fileName
  fileSize
  mimeType
  status
  scanStatus
  createdAt
  createdBy
  scanResult {
    engine
    threats {
      name
      engine
    }
    error
  }
  downloadUrl
  thumbnailUrl
}`) as unknown as TypedDocumentString<PageAssetQuery, PageAssetQueryVariables>;
export const PageMyAssetsDocument = new TypedDocumentString(`
    query PageMyAssets($first: Int!, $after: String) {
  myAssets(first: $first, after: $after) {
    totalCount
    endCursor
    hasNextPage
    nodes {
      ...AssetSummary
    }
  }
}
    fragment AssetSummary on IpAsset {
  id
  title
  fileName
  fileSize
  mimeType
  status
  scanStatus
  createdAt
  createdBy
  scanResult {
    engine
    threats {
      name
      engine
    }
    error
  }
  downloadUrl
  thumbnailUrl
}`) as unknown as TypedDocumentString<PageMyAssetsQuery, PageMyAssetsQueryVariables>;
export const PageScanStatusDocument = new TypedDocumentString(`
    subscription PageScanStatus($assetId: ID!) {
  assetScanStatus(assetId: $assetId) {
    assetId
    status
    scanStatus
    final
    at
    scanResult {
      ...ScanVerdict
    }
  }
}
    fragment ScanVerdict on ScanResult {
  engine
  threats {
    name
    engine
  }
  error
}`) as unknown as TypedDocumentString<PageScanStatusSubscription, PageScanStatusSubscriptionVariables>;
export const PageInitiateMultipartUploadDocument = new TypedDocumentString(`
    mutation PageInitiateMultipartUpload($input: InitiateMultipartUploadInput!) {
  initiateMultipartUpload(input: $input) {
    assetId
    storageKey
    partSize
    partCount
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<PageInitiateMultipartUploadMutation, PageInitiateMultipartUploadMutationVariables>;
export const PageUploadPartUrlsDocument = new TypedDocumentString(`
    mutation PageUploadPartUrls($assetId: ID!, $partNumbers: [Int!]!) {
  uploadPartUrls(assetId: $assetId, partNumbers: $partNumbers) {
    partNumber
    url
    headers
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<PageUploadPartUrlsMutation, PageUploadPartUrlsMutationVariables>;
export const PageUploadedPartsDocument = new TypedDocumentString(`
    query PageUploadedParts($assetId: ID!) {
  uploadedParts(assetId: $assetId) {
    partNumber
    size
    etag
  }
}
    `) as unknown as TypedDocumentString<PageUploadedPartsQuery, PageUploadedPartsQueryVariables>;
export const PageAbortUploadDocument = new TypedDocumentString(`
    mutation PageAbortUpload($assetId: ID!) {
  abortUpload(assetId: $assetId) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<PageAbortUploadMutation, PageAbortUploadMutationVariables>;