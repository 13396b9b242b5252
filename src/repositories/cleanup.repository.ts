import type { Knex } from '@mikro-orm/postgresql';
import { AssetStatus, ScanStatus } from '../entities/ip-asset.entity';
import type { CleanupCategory } from '../observability/metrics';

/** Where a keyset page starts: strictly after a key, or at it (after a seek). */
export interface KeysetPageRequest {
  from?: { key: string; inclusive: boolean };
  limit: number;
}

/**
 * Which rows each expiry category takes, and the timestamp it pages by. The same condition is
 * repeated in the final UPDATE/DELETE, so a row that changed after it was read (a confirm won
 * the race) is left alone. `?` is the cutoff. Each has an index: (status, created_at),
 * (status, rejected_at), (quarantined_at).
 */
const EXPIRY_RULES: Record<CleanupCategory, { column: string; where: string }> = {
  abandoned: { column: 'created_at', where: `status = '${AssetStatus.DRAFT}' and created_at < ?` },
  failed: {
    column: 'rejected_at',
    where: `status = '${AssetStatus.REJECTED}' and quarantined_at is null and rejected_at < ?`,
  },
  infected: { column: 'quarantined_at', where: `status = '${AssetStatus.REJECTED}' and quarantined_at < ?` },
};

/** Where the next page of an expiry category starts: after this (timestamp, id). */
export interface ExpiryKeyset {
  /**
   * PostgreSQL's own text form of the timestamp (ISO, which node-postgres requires anyway), so
   * microseconds survive the round trip; a JS Date would drop them and repeat or skip rows.
   */
  at: string;
  id: string;
}

/** An expired row, with what the cleanup needs to remove its objects and report it. */
export interface ExpiredRow {
  id: string;
  createdBy: string;
  mimeType: string;
  fileSize: number;
  storageKey: string;
  uploadKey: string | null;
  thumbnailKey: string | null;
  /** The storage multipart upload an abandoned DRAFT still holds open, if any. */
  multipartUploadId: string | null;
  keyset: ExpiryKeyset;
}

/** A row as the orphan scan sees it, read in storage_key order. */
export interface StoredObjectRow {
  id: string;
  storageKey: string;
  status: AssetStatus;
  scanStatus: ScanStatus;
  stateVersion: number;
  thumbnailKey: string | null;
  /** Confirmed, and unchanged since, for longer than the grace period. */
  settled: boolean;
  /** The row is in an expiry category as of this run; the sweeps handle (or would handle) it. */
  expired: boolean;
}

/** Where each expiry category starts, as of one run. */
export type ExpiryCutoffs = Record<CleanupCategory, Date>;

/**
 * The run's clock readings. Timestamps are compared in SQL, never in JS: MikroORM's driver hands
 * raw timestamp columns back as strings.
 */
export interface ScanTimes {
  cutoffs: ExpiryCutoffs;
  graceCutoff: Date;
}

/** Everything that decides whether a row owns an object key. */
export interface OwnerRow {
  id: string;
  status: AssetStatus;
  storageKey: string;
  uploadKey: string | null;
  thumbnailKey: string | null;
  /** Changed within the grace period: a move it is part of may be half done. */
  changedRecently: boolean;
}

interface RawAssetRow {
  id: string;
  created_by: string;
  mime_type: string;
  file_size: string | number;
  storage_key: string;
  upload_key: string | null;
  thumbnail_key: string | null;
  multipart_upload_id: string | null;
  status: AssetStatus;
  scan_status: ScanStatus;
  state_version: number;
  cursor_at: string;
  settled: boolean;
  expired: boolean;
  changed_recently: boolean;
}

/** `> ?` or `>= ?` for a keyset page start; `expression` is ours, never user input. */
function pageStart(
  expression: string,
  request: KeysetPageRequest,
): { sql: string; bindings: Knex.RawBinding[] } {
  if (!request.from) return { sql: '', bindings: [] };
  return { sql: ` and ${expression} ${request.from.inclusive ? '>=' : '>'} ?`, bindings: [request.from.key] };
}

/**
 * The cleanup's reads, in plain statements: keyset pages (never OFFSET). Its writes are lifecycle
 * transitions. `db` may be a transaction.
 */
export class CleanupRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * The next page of a category's expired rows, oldest first. With `lock`, rows another
   * transaction holds (a confirm in progress, a concurrent cleanup) are skipped, not waited for.
   */
  async selectExpired(
    category: CleanupCategory,
    input: { cutoff: Date; after?: ExpiryKeyset; limit: number; lock: boolean },
    db: Knex = this.knex,
  ): Promise<ExpiredRow[]> {
    const { column, where } = EXPIRY_RULES[category];
    const bindings: Knex.RawBinding[] = [input.cutoff];
    let keyset = '';
    if (input.after) {
      // The redundant `>=` gives the index a range to start from.
      keyset = ` and ${column} >= ?::timestamptz and (${column} > ?::timestamptz or id > ?::uuid)`;
      bindings.push(input.after.at, input.after.at, input.after.id);
    }
    bindings.push(input.limit);
    const sql =
      `select id, created_by, mime_type, file_size, storage_key, upload_key, thumbnail_key, multipart_upload_id, ${column}::text as cursor_at` +
      ` from ip_asset where ${where}${keyset} order by ${column}, id limit ?` +
      (input.lock ? ' for update skip locked' : '');
    const { rows } = await db.raw<{ rows: RawAssetRow[] }>(sql, bindings);
    return rows.map((row) => ({
      id: row.id,
      createdBy: row.created_by,
      mimeType: row.mime_type,
      fileSize: Number(row.file_size),
      storageKey: row.storage_key,
      uploadKey: row.upload_key,
      thumbnailKey: row.thumbnail_key,
      multipartUploadId: row.multipart_upload_id,
      keyset: { at: row.cursor_at, id: row.id },
    }));
  }

  /**
   * A page of the rows whose storage_key lies in [`range.from`, `range.to`), in byte order, so it
   * merges with a storage listing. Served by ip_asset_storage_key_c_idx.
   */
  storageKeyRowsQuery(
    range: { from: string; to: string },
    request: KeysetPageRequest,
    times: ScanTimes,
  ): Knex.Raw {
    const start = pageStart('storage_key collate "C"', request);
    const categories = Object.keys(EXPIRY_RULES) as CleanupCategory[];
    const expired = categories.map((category) => `(${EXPIRY_RULES[category].where})`).join(' or ');
    return this.knex.raw(
      `select id, storage_key, status, scan_status, state_version, thumbnail_key,` +
        ` coalesce(confirmed_at < ? and updated_at < ?, false) as settled, (${expired}) as expired` +
        ` from ip_asset where storage_key collate "C" >= ? and storage_key collate "C" < ?${start.sql}` +
        ` order by storage_key collate "C" limit ?`,
      [
        times.graceCutoff,
        times.graceCutoff,
        ...categories.map((category) => times.cutoffs[category]),
        range.from,
        range.to,
        ...start.bindings,
        request.limit,
      ],
    );
  }

  async storageKeyRows(
    range: { from: string; to: string },
    request: KeysetPageRequest,
    times: ScanTimes,
  ): Promise<StoredObjectRow[]> {
    const { rows } = (await this.storageKeyRowsQuery(range, request, times)) as { rows: RawAssetRow[] };
    return rows.map((row) => ({
      id: row.id,
      storageKey: row.storage_key,
      status: row.status,
      scanStatus: row.scan_status,
      stateVersion: row.state_version,
      thumbnailKey: row.thumbnail_key,
      settled: row.settled,
      expired: row.expired,
    }));
  }

  /** A page of DRAFT upload keys in byte order. Served by the partial ip_asset_draft_upload_key_c_idx. */
  uploadKeysQuery(request: KeysetPageRequest): Knex.Raw {
    const start = pageStart('upload_key collate "C"', request);
    return this.knex.raw(
      `select upload_key from ip_asset where status = '${AssetStatus.DRAFT}' and upload_key is not null${start.sql}` +
        ` order by upload_key collate "C" limit ?`,
      [...start.bindings, request.limit],
    );
  }

  async uploadKeys(request: KeysetPageRequest): Promise<string[]> {
    const { rows } = (await this.uploadKeysQuery(request)) as { rows: RawAssetRow[] };
    return rows.map((row) => row.upload_key as string);
  }

  /** Of these storage multipart upload ids, the ones a DRAFT asset still owns (partial index). */
  async multipartOwned(uploadIds: string[]): Promise<Set<string>> {
    if (uploadIds.length === 0) return new Set();
    const { rows } = await this.knex.raw<{ rows: { multipart_upload_id: string }[] }>(
      `select multipart_upload_id from ip_asset where multipart_upload_id = any(?::varchar[]) and status = '${AssetStatus.DRAFT}'`,
      [uploadIds],
    );
    return new Set(rows.map((row) => row.multipart_upload_id));
  }

  /** A page of asset ids in order, starting at or after `from` (an id). Index-only on the primary key. */
  async assetIds(request: { from?: { id: string; inclusive: boolean }; limit: number }): Promise<string[]> {
    const start = request.from ? ` where id ${request.from.inclusive ? '>=' : '>'} ?::uuid` : '';
    const { rows } = await this.knex.raw<{ rows: { id: string }[] }>(
      `select id from ip_asset${start} order by id limit ?`,
      request.from ? [request.from.id, request.limit] : [request.limit],
    );
    return rows.map((row) => row.id);
  }

  /** Rows that could own any of these keys: by the asset id in the key, or by storage_key. */
  async findOwners(ids: string[], keys: string[], graceCutoff: Date): Promise<OwnerRow[]> {
    if (ids.length === 0 && keys.length === 0) return [];
    const { rows } = await this.knex.raw<{ rows: RawAssetRow[] }>(
      `select id, status, storage_key, upload_key, thumbnail_key, updated_at >= ? as changed_recently from ip_asset` +
        ` where id = any(?::uuid[]) or storage_key = any(?::varchar[])`,
      [graceCutoff, ids, keys],
    );
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      storageKey: row.storage_key,
      uploadKey: row.upload_key,
      thumbnailKey: row.thumbnail_key,
      changedRecently: row.changed_recently,
    }));
  }
}
