export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: Record<string, unknown>; output: Record<string, unknown>; }
  /** The `SafeInt` scalar type represents non-fractional signed whole numeric values that are considered safe as defined by the ECMAScript specification. */
  SafeInt: { input: number; output: number; }
};

export type AssetEvent = {
  __typename?: 'AssetEvent';
  /** Who caused it: a user id, or 'system' for workers and scheduled jobs */
  actor: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  /** Event details: reason, engine, threat names, sizes; never file contents or secrets */
  detail?: Maybe<Scalars['JSON']['output']>;
  scanStatus: ScanStatus;
  status: AssetStatus;
  /** What happened, e.g. INITIATED, CONFIRMED, SCAN_STARTED, SCANNED_CLEAN, SCANNED_INFECTED, SCAN_ERROR, REJECTED, APPROVED, THUMBNAIL_DONE, ABORTED, CLEANED_UP */
  type: Scalars['String']['output'];
};

export type AssetStatus =
  | 'APPROVED'
  | 'DRAFT'
  | 'PROCESSING'
  | 'REJECTED';

/** Storage and rows out of step; listed in a dry run, removed otherwise */
export type CleanupOrphans = {
  __typename?: 'CleanupOrphans';
  /** The first object keys and asset ids found, at most 20 */
  examples: Array<Scalars['String']['output']>;
  /** Open multipart uploads in storage older than the grace period that no unconfirmed asset owns */
  multipartUploadsWithoutAsset: Scalars['Int']['output'];
  /** Objects older than the grace period that no asset owns */
  objectsWithoutRow: Scalars['Int']['output'];
  /** Assets that should have an object but have none */
  rowsWithoutObject: Scalars['Int']['output'];
};

export type CompletedPartInput = {
  etag: Scalars['String']['input'];
  partNumber: Scalars['Int']['input'];
};

export type ConfirmUploadInput = {
  assetId: Scalars['ID']['input'];
  description?: InputMaybe<Scalars['String']['input']>;
  metadata?: InputMaybe<Scalars['JSON']['input']>;
  /** Multipart uploads only: the parts with the ETags their PUTs answered. When omitted, the server lists the parts storage holds */
  parts?: InputMaybe<Array<CompletedPartInput>>;
  title: Scalars['String']['input'];
};

export type CountByKey = {
  __typename?: 'CountByKey';
  count: Scalars['Int']['output'];
  key: Scalars['String']['output'];
};

export type InitiateMultipartUploadInput = {
  fileName: Scalars['String']['input'];
  fileSize: Scalars['SafeInt']['input'];
  mimeType: Scalars['String']['input'];
  /** Bytes per part; optional. The server picks one (at least 5 MiB, at most 10,000 parts) when omitted */
  partSize?: InputMaybe<Scalars['SafeInt']['input']>;
  projectId?: InputMaybe<Scalars['ID']['input']>;
};

export type InitiateUploadInput = {
  /** Base64 SHA-256 of the file; when given, the upload URL accepts only these exact bytes */
  checksumSha256?: InputMaybe<Scalars['String']['input']>;
  fileName: Scalars['String']['input'];
  fileSize: Scalars['SafeInt']['input'];
  mimeType: Scalars['String']['input'];
  projectId?: InputMaybe<Scalars['ID']['input']>;
};

export type InitiateUploadPayload = {
  __typename?: 'InitiateUploadPayload';
  assetId: Scalars['ID']['output'];
  expiresAt: Scalars['DateTime']['output'];
  storageKey: Scalars['String']['output'];
  /** Headers the client must send with that PUT, e.g. Content-Type */
  uploadHeaders: Scalars['JSON']['output'];
  /** Where the client PUTs the file's bytes, valid until expiresAt (15 minutes by default) */
  uploadUrl: Scalars['String']['output'];
};

export type IpAsset = {
  __typename?: 'IpAsset';
  createdAt: Scalars['DateTime']['output'];
  createdBy: Scalars['ID']['output'];
  description?: Maybe<Scalars['String']['output']>;
  /** Short-lived GET URL, only when scanStatus is CLEAN */
  downloadUrl?: Maybe<Scalars['String']['output']>;
  /** Sanitized file name */
  fileName: Scalars['String']['output'];
  fileSize: Scalars['SafeInt']['output'];
  id: Scalars['ID']['output'];
  metadata?: Maybe<Scalars['JSON']['output']>;
  mimeType: Scalars['String']['output'];
  projectId?: Maybe<Scalars['ID']['output']>;
  scanResult?: Maybe<ScanResult>;
  scanStatus: ScanStatus;
  status: AssetStatus;
  storageKey: Scalars['String']['output'];
  /** Short-lived GET URL, only once a thumbnail exists */
  thumbnailUrl?: Maybe<Scalars['String']['output']>;
  title?: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

export type IpAssetConnection = {
  __typename?: 'IpAssetConnection';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  nodes: Array<IpAsset>;
  totalCount: Scalars['Int']['output'];
};

export type MultipartUpload = {
  __typename?: 'MultipartUpload';
  assetId: Scalars['ID']['output'];
  /** Part URLs can be asked for until this time; after it the upload counts as abandoned */
  expiresAt: Scalars['DateTime']['output'];
  partCount: Scalars['Int']['output'];
  partSize: Scalars['SafeInt']['output'];
  storageKey: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Owner. Stops an upload that is not confirmed yet: its bytes and parts are freed and the asset ends REJECTED ('Upload cancelled'). Idempotent */
  abortUpload: IpAsset;
  /** Admin. Drops cached metrics summaries for the range (default today); returns how many */
  clearUploadMetricsCache: Scalars['Int']['output'];
  /** Idempotent: confirming an already confirmed asset returns it unchanged */
  confirmUpload: IpAsset;
  initiateMultipartUpload: MultipartUpload;
  initiateUpload: InitiateUploadPayload;
  /** Admin. Rebuilds one UTC day's upload analytics from the audit trail (e.g. after Redis lost them) */
  rebuildUploadMetrics: RebuildMetricsResult;
  /** Admin. Scans a decided asset again with the current signatures; a CLEAN asset stays downloadable while it runs, a detection quarantines it */
  rescanAsset: IpAsset;
  /** Admin */
  triggerUploadCleanup: UploadCleanupResult;
  /** Owner. Presigned PUT URLs for these parts (1-based, at most 100 per call), each pinned to its part's exact size */
  uploadPartUrls: Array<UploadPartUrl>;
};


export type MutationAbortUploadArgs = {
  assetId: Scalars['ID']['input'];
};


export type MutationClearUploadMetricsCacheArgs = {
  end?: InputMaybe<Scalars['DateTime']['input']>;
  start?: InputMaybe<Scalars['DateTime']['input']>;
};


export type MutationConfirmUploadArgs = {
  input: ConfirmUploadInput;
};


export type MutationInitiateMultipartUploadArgs = {
  input: InitiateMultipartUploadInput;
};


export type MutationInitiateUploadArgs = {
  input: InitiateUploadInput;
};


export type MutationRebuildUploadMetricsArgs = {
  date: Scalars['DateTime']['input'];
};


export type MutationRescanAssetArgs = {
  assetId: Scalars['ID']['input'];
};


export type MutationTriggerUploadCleanupArgs = {
  dryRun?: Scalars['Boolean']['input'];
};


export type MutationUploadPartUrlsArgs = {
  assetId: Scalars['ID']['input'];
  partNumbers: Array<Scalars['Int']['input']>;
};

export type Query = {
  __typename?: 'Query';
  /** Owner or admin; null when it does not exist or is not yours */
  asset?: Maybe<IpAsset>;
  /** Owner or admin. Everything that happened to the asset, oldest first; kept after the asset itself is cleaned up (admins) */
  assetEvents: Array<AssetEvent>;
  /** The caller's own assets, newest first */
  myAssets: IpAssetConnection;
  /** Admin */
  topUploaders: Array<UploaderStat>;
  /** Admin. Keys such as 'Virus detected', 'Virus scan failed', 'Upload abandoned' */
  uploadFailureBreakdown: Array<CountByKey>;
  /** What initiateUpload accepts (size, types), so a client can refuse a file before sending it */
  uploadLimits: UploadLimits;
  /** Admin. No range: today so far (real-time) */
  uploadMetrics: UploadMetrics;
  /** Admin */
  uploadQueueDepth: QueueDepth;
  /** Owner. The parts storage holds for a multipart upload not yet confirmed: what a resumed upload may skip */
  uploadedParts: Array<UploadedPart>;
  /** Admin. Each WEBHOOK_URLS endpoint with its delivery counts and last error */
  webhookEndpoints: Array<WebhookEndpointStatus>;
};


export type QueryAssetArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAssetEventsArgs = {
  assetId: Scalars['ID']['input'];
};


export type QueryMyAssetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<AssetStatus>;
};


export type QueryTopUploadersArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryUploadFailureBreakdownArgs = {
  end?: InputMaybe<Scalars['DateTime']['input']>;
  start?: InputMaybe<Scalars['DateTime']['input']>;
};


export type QueryUploadMetricsArgs = {
  end?: InputMaybe<Scalars['DateTime']['input']>;
  start?: InputMaybe<Scalars['DateTime']['input']>;
};


export type QueryUploadedPartsArgs = {
  assetId: Scalars['ID']['input'];
};

export type QueueDepth = {
  __typename?: 'QueueDepth';
  /** DRAFT uploads */
  pending: Scalars['Int']['output'];
  /** Confirmed, waiting for or after scan */
  processing: Scalars['Int']['output'];
  /** Being scanned now */
  scanning: Scalars['Int']['output'];
};

export type RebuildMetricsResult = {
  __typename?: 'RebuildMetricsResult';
  /** The UTC day rebuilt, YYYY-MM-DD */
  day: Scalars['String']['output'];
  /** Of those, the ones dated on that day (counted) */
  rowsCounted: Scalars['Int']['output'];
  /** Upload events read from the audit trail */
  rowsRead: Scalars['Int']['output'];
};

export type ScanResult = {
  __typename?: 'ScanResult';
  attempts: Scalars['Int']['output'];
  durationMs: Scalars['Int']['output'];
  /** Scanner(s) that produced the verdict, e.g. clamav, virustotal, signature */
  engine: Scalars['String']['output'];
  /** Engine and signature database version(s), when known */
  engineVersion?: Maybe<Scalars['String']['output']>;
  /** Set when scanStatus is ERROR */
  error?: Maybe<Scalars['String']['output']>;
  scannedAt: Scalars['DateTime']['output'];
  threats: Array<Threat>;
};

export type ScanStatus =
  | 'CLEAN'
  | 'ERROR'
  | 'INFECTED'
  | 'PENDING'
  | 'SCANNING';

export type ScanStatusEvent = {
  __typename?: 'ScanStatusEvent';
  assetId: Scalars['ID']['output'];
  at: Scalars['DateTime']['output'];
  /** True on the last event of the stream; the server then completes the subscription */
  final: Scalars['Boolean']['output'];
  scanResult?: Maybe<ScanResult>;
  scanStatus: ScanStatus;
  status: AssetStatus;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Owner or admin. The first event is the asset's current state; then one event per change */
  assetScanStatus: ScanStatusEvent;
  /** Admin. Pushed whenever an upload event changes today's metrics (at most a few per second) */
  uploadMetricsUpdated: UploadMetrics;
};


export type SubscriptionAssetScanStatusArgs = {
  assetId: Scalars['ID']['input'];
};

export type Threat = {
  __typename?: 'Threat';
  engine: Scalars['String']['output'];
  name: Scalars['String']['output'];
};

export type UploadCleanupResult = {
  __typename?: 'UploadCleanupResult';
  abandonedCleaned: Scalars['Int']['output'];
  dryRun: Scalars['Boolean']['output'];
  errors: Array<Scalars['String']['output']>;
  failedCleaned: Scalars['Int']['output'];
  infectedCleaned: Scalars['Int']['output'];
  orphans: CleanupOrphans;
  storageFreedBytes: Scalars['Float']['output'];
};

/** What initiateUpload accepts; clients check files against it before uploading */
export type UploadLimits = {
  __typename?: 'UploadLimits';
  /** MIME types accepted; an entry may be a wildcard such as 'image/*' */
  allowedMimeTypes: Array<Scalars['String']['output']>;
  /** Largest file accepted, in bytes */
  maxFileSize: Scalars['SafeInt']['output'];
  /** Seconds an upload URL stays valid */
  uploadUrlTtlSeconds: Scalars['Int']['output'];
};

export type UploadMetrics = {
  __typename?: 'UploadMetrics';
  /** Bytes */
  averageFileSize: Scalars['Float']['output'];
  byMimeType: Array<CountByKey>;
  byStatus: Array<CountByKey>;
  failedUploads: Scalars['Int']['output'];
  from: Scalars['DateTime']['output'];
  /** Percentage, 0 to 100 */
  successRate: Scalars['Float']['output'];
  successfulUploads: Scalars['Int']['output'];
  to: Scalars['DateTime']['output'];
  /** Bytes */
  totalStorageUsed: Scalars['Float']['output'];
  totalUploads: Scalars['Int']['output'];
  virusScans: VirusScanStats;
};

export type UploadPartUrl = {
  __typename?: 'UploadPartUrl';
  expiresAt: Scalars['DateTime']['output'];
  /** Headers the client must send with that PUT */
  headers: Scalars['JSON']['output'];
  partNumber: Scalars['Int']['output'];
  /** Where the client PUTs this part's bytes (exactly the part's size) */
  url: Scalars['String']['output'];
};

export type UploadedPart = {
  __typename?: 'UploadedPart';
  etag: Scalars['String']['output'];
  partNumber: Scalars['Int']['output'];
  size: Scalars['SafeInt']['output'];
};

export type UploaderStat = {
  __typename?: 'UploaderStat';
  totalBytes: Scalars['Float']['output'];
  uploads: Scalars['Int']['output'];
  userId: Scalars['ID']['output'];
};

export type VirusScanStats = {
  __typename?: 'VirusScanStats';
  clean: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  infected: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
};

/** One WEBHOOK_URLS receiver and how delivery to it goes (all workers together) */
export type WebhookEndpointStatus = {
  __typename?: 'WebhookEndpointStatus';
  /** Tries that failed (no 2xx within the timeout); each is retried */
  failures: Scalars['Int']['output'];
  /** Stable id of the endpoint (a hash of its URL) */
  id: Scalars['ID']['output'];
  /** Why the last failed try failed, e.g. 'HTTP 503' */
  lastError?: Maybe<Scalars['String']['output']>;
  lastFailureAt?: Maybe<Scalars['DateTime']['output']>;
  lastSuccessAt?: Maybe<Scalars['DateTime']['output']>;
  /** Tries answered with a 2xx */
  successes: Scalars['Int']['output'];
  /** Origin and path; the query is never shown */
  url: Scalars['String']['output'];
};
