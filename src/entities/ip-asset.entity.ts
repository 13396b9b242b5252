import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, Enum, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';

export enum AssetStatus {
  DRAFT = 'DRAFT',
  PROCESSING = 'PROCESSING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}

export enum ScanStatus {
  PENDING = 'PENDING',
  SCANNING = 'SCANNING',
  CLEAN = 'CLEAN',
  INFECTED = 'INFECTED',
  ERROR = 'ERROR',
}

export enum ThumbnailStatus {
  NONE = 'NONE',
  PENDING = 'PENDING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}

/** Stored as JSONB; mirrors the GraphQL ScanResult type. */
export interface ScanResultData {
  engine: string;
  /** Engine and signature database version(s), e.g. `ClamAV 1.4.6/27000/…`, when the engine says. */
  engineVersion?: string | null;
  /** Signature version per engine (e.g. `{ clamav: '1.4.6/27002' }`); rescans after updates compare it. */
  signatures?: Record<string, string> | null;
  threats: { name: string; engine: string }[];
  scannedAt: string;
  durationMs: number;
  attempts: number;
  error?: string | null;
}

// Every decorator names its column type: esbuild-based tools (tsx, vitest) emit no decorator metadata.
@Entity({ tableName: 'ip_asset' })
@Index({ name: 'ip_asset_owner_created_idx', properties: ['createdBy', 'createdAt', 'id'] })
@Index({ name: 'ip_asset_status_created_idx', properties: ['status', 'createdAt'] })
@Index({ name: 'ip_asset_status_updated_idx', properties: ['status', 'updatedAt'] })
@Index({ name: 'ip_asset_status_rejected_idx', properties: ['status', 'rejectedAt'] })
@Index({ name: 'ip_asset_scan_status_idx', properties: ['scanStatus'] })
export class IpAsset {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'string', length: 1024, unique: true })
  storageKey!: string;

  /** Where the client PUTs the bytes; moved to storageKey at confirm so later PUTs change nothing. */
  @Property({ type: 'string', length: 1024, nullable: true })
  uploadKey?: string | null;

  /** The storage's multipart upload id while a multipart upload is open; null for single PUTs. */
  @Property({ type: 'string', length: 1024, nullable: true })
  multipartUploadId?: string | null;

  /** Bytes per part of a multipart upload (the last part may be shorter). */
  @Property({ type: new BigIntType('number'), nullable: true })
  partSize?: number | null;

  @Property({ type: 'integer', nullable: true })
  partCount?: number | null;

  /** A multipart upload whose every part URL is pinned to the part's SHA-256 too. */
  @Property({ type: 'boolean' })
  partChecksums: boolean & Opt = false;

  @Property({ type: 'string', length: 255 })
  fileName!: string;

  @Property({ type: new BigIntType('number') })
  fileSize!: number;

  @Property({ type: 'string', length: 255 })
  mimeType!: string;

  @Enum({ items: () => AssetStatus, type: 'string' })
  status: AssetStatus & Opt = AssetStatus.DRAFT;

  @Enum({ items: () => ScanStatus, type: 'string' })
  scanStatus: ScanStatus & Opt = ScanStatus.PENDING;

  @Property({ type: 'json', nullable: true })
  scanResult?: ScanResultData | null;

  @Property({ type: 'integer' })
  scanAttempts: number & Opt = 0;

  /**
   * Bumped by every state change. Events carry it, so a subscriber that read the current state
   * can drop events it has already seen.
   */
  @Property({ type: 'integer' })
  stateVersion: number & Opt = 1;

  @Property({ type: 'string', length: 500, nullable: true })
  title?: string | null;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'json', nullable: true })
  metadata?: Record<string, unknown> | null;

  @Property({ type: 'string', length: 255, nullable: true })
  projectId?: string | null;

  @Property({ type: 'string', length: 1024, nullable: true })
  thumbnailKey?: string | null;

  @Enum({ items: () => ThumbnailStatus, type: 'string' })
  thumbnailStatus: ThumbnailStatus & Opt = ThumbnailStatus.NONE;

  @Property({ type: 'string', length: 255, nullable: true })
  rejectionReason?: string | null;

  @Property({ type: 'string', length: 255 })
  createdBy!: string;

  @Property({ type: 'datetime' })
  uploadExpiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  confirmedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  approvedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  rejectedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Index({ name: 'ip_asset_quarantined_idx' })
  quarantinedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
