import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager, Knex, MikroORM } from '@mikro-orm/postgresql';
import { AssetStatus, IpAsset, ScanStatus, ThumbnailStatus } from '../entities/ip-asset.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the id could be an asset id; anything else cannot exist, and must not reach SQL. */
export function isAssetId(id: string): boolean {
  return UUID.test(id);
}

export interface AssetPageQuery {
  ownerId: string;
  status?: AssetStatus;
  first: number;
  after?: { createdAt: Date; id: string };
}

/** Which states a conditional transition may start from; a field left out matches any value. */
export interface TransitionFrom {
  status?: readonly AssetStatus[];
  scanStatus?: readonly ScanStatus[];
  thumbnailStatus?: readonly ThumbnailStatus[];
}

export type AssetChanges = Partial<
  Pick<
    IpAsset,
    | 'status'
    | 'scanStatus'
    | 'scanResult'
    | 'scanAttempts'
    | 'storageKey'
    | 'uploadKey'
    | 'multipartUploadId'
    | 'thumbnailKey'
    | 'thumbnailStatus'
    | 'rejectionReason'
    | 'confirmedAt'
    | 'approvedAt'
    | 'rejectedAt'
    | 'quarantinedAt'
    | 'title'
    | 'description'
    | 'metadata'
  >
>;

/** The event row a transition writes beside its change (see `asset_event`). */
export interface EventRecord {
  type: string;
  actor: string;
  detail: Record<string, unknown> | null;
  at: Date;
}

/** One conditional transition statement, for one asset or a batch. */
export interface TransitionStatement {
  ids: readonly string[];
  /** When given (one per id): only rows still at that stateVersion, i.e. unchanged since read. */
  stateVersions?: readonly number[];
  from: TransitionFrom;
  /** Column changes; ignored when `deletes`. */
  changes: AssetChanges;
  /** Delete the row instead of updating it; the event keeps what it was. */
  deletes: boolean;
  event: EventRecord;
}

/** A knex connection or transaction: every write accepts one, so callers can compose them atomically. */
export type Db = Knex;

/**
 * The event half of a transition: `, recorded as (insert … select … from changed)`, one
 * asset_event row per changed row. `final` mirrors `isFinalState` (services/asset-events.ts):
 * rejected, or approved with the thumbnail settled. A deleted row's event is one version on.
 */
function recordEventSql(deletes: boolean): string {
  const version = deletes ? 'state_version + 1' : 'state_version';
  return (
    `, recorded as (insert into asset_event` +
    ` (asset_id, owner_id, type, status, scan_status, state_version, actor, detail, at, mime_type, file_size, scan_result, final)` +
    ` select id, created_by, ?, status, scan_status, ${version}, ?, ?::jsonb, ?, mime_type, file_size, scan_result,` +
    ` (status = '${AssetStatus.REJECTED}' or (status = '${AssetStatus.APPROVED}' and thumbnail_status <> '${ThumbnailStatus.PENDING}'))` +
    ` from changed)`
  );
}

function eventBindings(event: EventRecord): Knex.RawBinding[] {
  return [event.type, event.actor, event.detail === null ? null : JSON.stringify(event.detail), event.at];
}

/** Another transaction holds this asset's row lock (see {@link AssetRepository.lockForUpdate}). */
export class AssetRowLocked extends Error {
  override name = 'AssetRowLocked';
  constructor(readonly assetId: string) {
    super(`Asset ${assetId} is locked by another transaction`);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * PostgreSQL access for assets. Every call works in its own forked entity manager, so callers
 * (requests, jobs) never share an identity map.
 */
export class AssetRepository {
  constructor(private readonly orm: MikroORM) {}

  private em(): EntityManager {
    return this.orm.em.fork();
  }

  /** The connection pool's query builder; `transaction` on it gives a {@link Db} for several writes. */
  db(): Db {
    return this.orm.em.getKnex();
  }

  /**
   * Inserts a new asset and its first event in one statement (a data-modifying CTE is atomic),
   * so initiate costs one round trip.
   */
  async createWithEvent(asset: IpAsset, event: EventRecord, db: Db = this.db()): Promise<IpAsset> {
    const meta = this.orm.getMetadata().get(IpAsset.name);
    const row: Record<string, unknown> = {};
    for (const prop of meta.props) {
      const value = (asset as unknown as Record<string, unknown>)[prop.name];
      if (value === undefined || !prop.fieldNames?.[0]) continue;
      row[prop.fieldNames[0]] = prop.type === 'json' && value !== null ? JSON.stringify(value) : value;
    }
    const insert = db('ip_asset').insert(row).returning('*').toSQL();
    await db.raw(`with changed as (${insert.sql}) ${recordEventSql(false)} select 1`, [
      ...(insert.bindings as Knex.RawBinding[]),
      ...eventBindings(event),
    ]);
    return asset;
  }

  /**
   * A primary-key read in plain SQL, mapped by the ORM: on the confirm and scan paths it costs a
   * third of `findOne`, whose query building dominates a lookup this simple.
   */
  async findById(id: string): Promise<IpAsset | null> {
    if (!isAssetId(id)) return null;
    const em = this.em();
    const [row] = await em.getConnection().execute('select * from ip_asset where id = ?', [id]);
    return row ? em.map(IpAsset, row) : null;
  }

  /** The asset whose multipart upload this is (index ip_asset_multipart_upload_idx), or null. */
  async findByMultipartUpload(uploadId: string): Promise<IpAsset | null> {
    const em = this.em();
    const [row] = await em
      .getConnection()
      .execute('select * from ip_asset where multipart_upload_id = ? limit 1', [uploadId]);
    return row ? em.map(IpAsset, row) : null;
  }

  /**
   * The asset, row-locked in transaction `db` until it ends, or null when there is none. Does not
   * wait: when another transaction (on any replica) holds the lock it throws {@link AssetRowLocked}
   * at once, so a caller that would only wait never ties up a pooled connection doing so.
   */
  async lockForUpdate(id: string, db: Db): Promise<IpAsset | null> {
    if (!isAssetId(id)) return null;
    try {
      const row = await db('ip_asset').where('id', id).forUpdate().noWait().first();
      return row ? this.em().map(IpAsset, row) : null;
    } catch (error) {
      // 55P03 lock_not_available: what NOWAIT answers when the row is locked.
      if ((error as { code?: unknown }).code === '55P03') throw new AssetRowLocked(id);
      throw error;
    }
  }

  /**
   * Takes the owner's quota lock for transaction `db` (a transaction-scoped advisory lock, so
   * every replica waits on the same one and it is released at commit or rollback), then returns
   * the bytes the owner holds: the declared sizes of every asset not REJECTED, unconfirmed
   * uploads included. Initiates that check and insert under the lock are counted one at a time.
   */
  async lockOwnerBytes(ownerId: string, db: Db): Promise<number> {
    // Two int4 keys: a namespace of our own, and the owner id's hash (collisions only serialise).
    await db.raw(`select pg_advisory_xact_lock(hashtext('upload-quota'), hashtext(?))`, [ownerId]);
    return this.ownerBytes(ownerId, db);
  }

  /** The bytes the owner holds (see {@link lockOwnerBytes}), read without the lock. */
  async ownerBytes(ownerId: string, db: Db = this.db()): Promise<number> {
    const { rows } = await db.raw<{ rows: { bytes: string | null }[] }>(
      `select coalesce(sum(file_size), 0)::text as bytes from ip_asset where created_by = ? and status <> ?`,
      [ownerId, AssetStatus.REJECTED],
    );
    return Number(rows[0]?.bytes ?? 0);
  }

  /** One page of an owner's assets, newest first, with keyset paging on (createdAt, id). */
  async pageByOwner(
    query: AssetPageQuery,
  ): Promise<{ nodes: IpAsset[]; totalCount: number; hasNextPage: boolean }> {
    const em = this.em();
    const base: FilterQuery<IpAsset> = { createdBy: query.ownerId };
    if (query.status) base.status = query.status;
    const where: FilterQuery<IpAsset> = query.after
      ? {
          ...base,
          $or: [
            { createdAt: { $lt: query.after.createdAt } },
            { createdAt: query.after.createdAt, id: { $lt: query.after.id } },
          ],
        }
      : base;
    const [rows, totalCount] = await Promise.all([
      em.find(IpAsset, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.first + 1 }),
      em.count(IpAsset, base),
    ]);
    return { nodes: rows.slice(0, query.first), totalCount, hasNextPage: rows.length > query.first };
  }

  /**
   * Applies a transition only to rows still in one of the `from` states, bumping stateVersion,
   * and records its event for each changed row, in one statement. Returns the rows as they are
   * now (or were, when deleted); rows that were not in a `from` state are left alone and absent,
   * which is how a duplicate job or a repeated request does nothing.
   */
  async applyTransition(statement: TransitionStatement, db: Db = this.db()): Promise<IpAsset[]> {
    if (statement.ids.length === 0) return [];
    const em = this.em();
    const meta = em.getMetadata().get(IpAsset.name);
    let change = db('ip_asset').whereIn('id', [...statement.ids]);
    if (statement.stateVersions) {
      change = change.whereRaw('(id, state_version) in (select * from unnest(?::uuid[], ?::int[]))', [
        [...statement.ids],
        [...statement.stateVersions],
      ]);
    }
    const { status, scanStatus, thumbnailStatus } = statement.from;
    if (status) change = change.whereIn('status', [...status]);
    if (scanStatus) change = change.whereIn('scan_status', [...scanStatus]);
    if (thumbnailStatus) change = change.whereIn('thumbnail_status', [...thumbnailStatus]);
    if (statement.deletes) {
      change = change.delete().returning('*');
    } else {
      const columns: Record<string, unknown> = {};
      for (const [property, value] of Object.entries(statement.changes)) {
        if (value === undefined) continue;
        const prop = meta.properties[property as keyof IpAsset];
        columns[prop.fieldNames[0]] = prop.type === 'json' && value !== null ? JSON.stringify(value) : value;
      }
      change = change
        .update({ ...columns, state_version: db.raw('state_version + 1'), updated_at: statement.event.at })
        .returning('*');
    }
    const sql = change.toSQL();
    const result = await db.raw<{ rows: Record<string, unknown>[] }>(
      `with changed as (${sql.sql}) ${recordEventSql(statement.deletes)} select * from changed`,
      [...(sql.bindings as Knex.RawBinding[]), ...eventBindings(statement.event)],
    );
    return result.rows.map((row) => em.map(IpAsset, row));
  }

  /**
   * Assets that should be moving but have not changed since `before`: confirmed and unscanned,
   * or approved with a thumbnail still pending. The scan watchdog re-queues their jobs.
   */
  async findStalled(
    before: Date,
    limit: number,
    after?: { updatedAt: Date; id: string },
  ): Promise<IpAsset[]> {
    return this.em().find(
      IpAsset,
      {
        updatedAt: { $lt: before },
        $or: [
          { status: AssetStatus.PROCESSING },
          { status: AssetStatus.APPROVED, thumbnailStatus: ThumbnailStatus.PENDING },
        ],
        // Keyset paging on (updatedAt, id): re-queueing changes neither, so pages never overlap.
        ...(after
          ? {
              $and: [
                {
                  $or: [
                    { updatedAt: { $gt: after.updatedAt } },
                    { updatedAt: after.updatedAt, id: { $gt: after.id } },
                  ],
                },
              ],
            }
          : {}),
      },
      { orderBy: { updatedAt: 'asc', id: 'asc' }, limit },
    );
  }

  /**
   * One page of assets approved since `approvedSince`, still CLEAN, whose last scan by `engine`
   * used another signature version than `version` (or recorded none), oldest approval first with
   * keyset paging on (approvedAt, id) (index ip_asset_approved_at_idx). The rescan sweep after a
   * signature update walks them a page at a time.
   */
  async findRescanCandidates(query: {
    engine: string;
    version: string;
    approvedSince: Date;
    after?: { approvedAt: Date; id: string };
    limit: number;
  }): Promise<{ id: string; approvedAt: Date }[]> {
    const db = this.db();
    const select = db('ip_asset')
      .select('id', 'approved_at')
      .where({ status: AssetStatus.APPROVED, scan_status: ScanStatus.CLEAN })
      .andWhere('approved_at', '>=', query.approvedSince)
      .andWhereRaw(`(scan_result->'signatures'->>?) is distinct from ?`, [query.engine, query.version])
      .orderBy([{ column: 'approved_at' }, { column: 'id' }])
      .limit(query.limit);
    if (query.after) {
      select.andWhereRaw('(approved_at, id) > (?, ?)', [query.after.approvedAt, query.after.id]);
    }
    const rows: { id: string; approved_at: string | Date }[] = await select;
    return rows.map((row) => ({ id: row.id, approvedAt: new Date(row.approved_at) }));
  }

  /** Throws unless PostgreSQL answers (readiness). */
  async ping(): Promise<void> {
    await this.em().getConnection().execute('select 1');
  }

  /** Counts behind QueueDepth, from one indexed scan of the non-final states. */
  async queueDepth(): Promise<{ pending: number; scanning: number; processing: number }> {
    const knex = this.em().getKnex();
    const [row] = await knex('ip_asset')
      .whereIn('status', [AssetStatus.DRAFT, AssetStatus.PROCESSING])
      .select(
        knex.raw(`count(*) filter (where status = 'DRAFT')::int as pending`),
        knex.raw(`count(*) filter (where scan_status = 'SCANNING')::int as scanning`),
        knex.raw(`count(*) filter (where status = 'PROCESSING')::int as processing`),
      );
    return { pending: row.pending, scanning: row.scanning, processing: row.processing };
  }
}
