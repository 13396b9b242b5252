/** Lifecycle events counted by upload analytics. */
export enum UploadEventType {
  Initiated = 'initiated',
  Confirmed = 'confirmed',
  ScanStarted = 'scan_started',
  ScanClean = 'scan_clean',
  ScanInfected = 'scan_infected',
  ScanError = 'scan_error',
  Approved = 'approved',
  Rejected = 'rejected',
  ThumbnailDone = 'thumbnail_done',
  ThumbnailFailed = 'thumbnail_failed',
  CleanedUp = 'cleaned_up',
}

/** Why an asset was rejected; these strings are the failure-breakdown keys. */
export enum RejectionReason {
  ContentMismatch = 'Content mismatch',
  VirusDetected = 'Virus detected',
  VirusScanFailed = 'Virus scan failed',
  UploadAbandoned = 'Upload abandoned',
  UploadCancelled = 'Upload cancelled',
}

export interface UploadEvent {
  type: UploadEventType;
  assetId: string;
  userId: string;
  mimeType: string;
  /** Declared (initiated) or confirmed size in bytes. */
  fileSize: number;
  reason?: RejectionReason;
  /** Defaults to now. */
  at?: Date;
}

/** Where services report lifecycle events. Implementations never throw into the caller. */
export interface UploadEventSink {
  track(event: UploadEvent): Promise<void>;
}
