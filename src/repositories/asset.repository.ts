import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AssetStatus, IpAsset, ScanStatus, ThumbnailStatus } from '../entities/ip-asset.entity';
import type { DayRow } from '../services/analytics/day-rebuild';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ORM's driver hands raw-query timestamps back as text. */
function toDate(value: string | Date | null): Date | null {
  return value === null ? null : new Date(value);
}

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

/** Which states a conditional transition may start from. */
export interface TransitionFrom {
  status?: AssetStatus[];
  scanStatus?: ScanStatus[];
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

/**
 * PostgreSQL access for assets. Every call works in its own forked entity manager, so callers
 * (requests, jobs) never share an identity map.
 */
export class AssetRepository {
  constructor(private readonly orm: MikroORM) {}

  private em(): EntityManager {
    return this.orm.em.fork();
  }

  async create(asset: IpAsset): Promise<IpAsset> {
    await this.em().persistAndFlush(asset);
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
   * Applies `changes` only if the asset is still in one of the `from` states, bumping its
   * stateVersion, in one statement. Returns the updated asset, or null when another actor got
   * there first (so a duplicate job or a repeated request does nothing).
   */
  async transition(id: string, from: TransitionFrom, changes: AssetChanges): Promise<IpAsset | null> {
    const em = this.em();
    const knex = em.getKnex();
    const meta = em.getMetadata().get(IpAsset.name);
    const columns: Record<string, unknown> = {};
    for (const [property, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      const prop = meta.properties[property as keyof IpAsset];
      columns[prop.fieldNames[0]] = prop.type === 'json' && value !== null ? JSON.stringify(value) : value;
    }
    let query = knex('ip_asset')
      .where('id', id)
      .update({ ...columns, state_version: knex.raw('state_version + 1'), updated_at: new Date() })
      .returning('*');
    if (from.status) query = query.whereIn('status', from.status);
    if (from.scanStatus) query = query.whereIn('scan_status', from.scanStatus);
    const [row] = await query;
    return row ? em.map(IpAsset, row) : null;
  }

  /**
   * Assets that should be moving but have not changed since `before`: confirmed and unscanned,
   * or approved with a thumbnail still pending. The scan watchdog re-queues their jobs.
   */
  async findStalled(before: Date, limit: number): Promise<IpAsset[]> {
    return this.em().find(
      IpAsset,
      {
        updatedAt: { $lt: before },
        $or: [
          { status: AssetStatus.PROCESSING },
          { status: AssetStatus.APPROVED, thumbnailStatus: ThumbnailStatus.PENDING },
        ],
      },
      { orderBy: { updatedAt: 'asc' }, limit },
    );
  }

  /**
   * Every asset with a lifecycle timestamp on the UTC day that starts at `dayStart`, in id order
   * and pages of `pageSize`, so rebuilding a day's analytics holds one page in memory at a time.
   */
  async *streamDayRows(dayStart: Date, pageSize = 1000): AsyncGenerator<DayRow> {
    const dayEnd = new Date(dayStart.getTime() + 24 * 3600 * 1000);
    const knex = this.em().getKnex();
    let afterId: string | null = null;
    for (;;) {
      const query = knex('ip_asset')
        .select(
          'id',
          'created_by',
          'mime_type',
          'file_size',
          'created_at',
          'confirmed_at',
          'approved_at',
          'rejected_at',
        )
        .select('rejection_reason', 'scan_status', knex.raw(`scan_result->>'scannedAt' as scanned_at`))
        .where((on) => {
          for (const column of ['created_at', 'confirmed_at', 'approved_at', 'rejected_at']) {
            on.orWhere((range) => range.where(column, '>=', dayStart).andWhere(column, '<', dayEnd));
          }
        })
        .orderBy('id')
        .limit(pageSize);
      if (afterId) query.andWhere('id', '>', afterId);
      const rows: Record<string, any>[] = await query;
      for (const row of rows) {
        yield {
          assetId: row.id,
          userId: row.created_by,
          mimeType: row.mime_type,
          fileSize: Number(row.file_size),
          createdAt: toDate(row.created_at)!,
          confirmedAt: toDate(row.confirmed_at),
          approvedAt: toDate(row.approved_at),
          rejectedAt: toDate(row.rejected_at),
          rejectionReason: row.rejection_reason,
          scanStatus: row.scan_status,
          scannedAt: toDate(row.scanned_at),
        };
      }
      if (rows.length < pageSize) return;
      afterId = rows[rows.length - 1].id;
    }
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
