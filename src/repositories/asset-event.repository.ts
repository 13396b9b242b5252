import type { MikroORM } from '@mikro-orm/postgresql';
import type { AssetStatus, ScanResultData, ScanStatus } from '../entities/ip-asset.entity';
import { isAssetId, type Db } from './asset.repository';

/** One asset_event row: the audit record of a state change and the outbox entry that delivers it. */
export interface AssetEventRow {
  /** Increases with every event; per asset, in the order the changes committed. */
  id: string;
  assetId: string;
  ownerId: string;
  type: string;
  status: AssetStatus;
  scanStatus: ScanStatus;
  stateVersion: number;
  actor: string;
  detail: Record<string, unknown> | null;
  at: Date;
  mimeType: string;
  fileSize: number;
  scanResult: ScanResultData | null;
  final: boolean;
  deliveredAt: Date | null;
}

interface RawEventRow {
  id: string;
  asset_id: string;
  owner_id: string;
  type: string;
  status: AssetStatus;
  scan_status: ScanStatus;
  state_version: number;
  actor: string;
  detail: Record<string, unknown> | null;
  at: string | Date;
  mime_type: string;
  file_size: string | number;
  scan_result: ScanResultData | null;
  final: boolean;
  delivered_at: string | Date | null;
}

function toRow(row: RawEventRow): AssetEventRow {
  return {
    id: String(row.id),
    assetId: row.asset_id,
    ownerId: row.owner_id,
    type: row.type,
    status: row.status,
    scanStatus: row.scan_status,
    stateVersion: row.state_version,
    actor: row.actor,
    detail: row.detail,
    at: new Date(row.at),
    mimeType: row.mime_type,
    fileSize: Number(row.file_size),
    scanResult: row.scan_result,
    final: row.final,
    deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at),
  };
}

/**
 * The outbox side of asset_event: claiming undelivered events for delivery, reading an asset's
 * trail, pruning old events. Rows are written only by {@link AssetRepository.applyTransition}
 * and {@link AssetRepository.createWithEvent}, in the transaction of the change they record.
 */
export class AssetEventRepository {
  constructor(private readonly orm: MikroORM) {}

  private db(): Db {
    return this.orm.em.getKnex();
  }

  /**
   * Claims up to `limit` undelivered events, hands them to `deliver`, and marks them delivered
   * when it resolves, all in one transaction; if `deliver` throws, nothing is marked and the
   * events stay for the next attempt. Says how many were delivered and whether more were seen
   * waiting (a full batch, or a claimed asset's next event), so a relay that was told "no more"
   * spends no empty transaction finding out.
   *
   * Only the oldest undelivered event of each asset is claimable, so events of one asset are
   * delivered in order even with several relays; `skip locked` lets relays in other processes
   * take other assets' events instead of waiting.
   */
  async deliverBatch(
    limit: number,
    deliver: (events: AssetEventRow[]) => Promise<void>,
  ): Promise<{ delivered: number; more: boolean }> {
    return this.db().transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: (RawEventRow & { has_next: boolean })[] }>(
        `select e.*, exists (select 1 from asset_event n where n.asset_id = e.asset_id and n.delivered_at is null and n.id > e.id) as has_next` +
          ` from asset_event e where e.delivered_at is null and not exists (` +
          `select 1 from asset_event p where p.asset_id = e.asset_id and p.delivered_at is null and p.id < e.id)` +
          ` order by e.id limit ? for update of e skip locked`,
        [limit],
      );
      if (rows.length === 0) return { delivered: 0, more: false };
      await deliver(rows.map(toRow));
      await trx.raw(`update asset_event set delivered_at = now() where id = any(?::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      return { delivered: rows.length, more: rows.length === limit || rows.some((row) => row.has_next) };
    });
  }

  /** How many events wait for delivery (for tests and the relay's own logging). */
  async countUndelivered(): Promise<number> {
    const [row] = await this.db()('asset_event').whereNull('delivered_at').count<{ count: string }[]>('*');
    return Number(row?.count ?? 0);
  }

  /** An asset's events, oldest first. */
  async listForAsset(assetId: string): Promise<AssetEventRow[]> {
    if (!isAssetId(assetId)) return [];
    const rows = await this.db()<RawEventRow>('asset_event').where('asset_id', assetId).orderBy('id');
    return rows.map(toRow);
  }

  /** The newest `limit` events of these types, newest first, across all assets (the admin's security feed). */
  async latestOfTypes(types: readonly string[], limit: number): Promise<AssetEventRow[]> {
    const { rows } = await this.db().raw<{ rows: RawEventRow[] }>(
      `select * from asset_event where type = any(?::text[]) order by id desc limit ?`,
      [[...types], limit],
    );
    return rows.map(toRow);
  }

  /** The events of several assets, each asset's oldest first (a feed catching up after a reconnect). */
  async listForAssets(assetIds: readonly string[]): Promise<AssetEventRow[]> {
    const ids = assetIds.filter(isAssetId);
    if (ids.length === 0) return [];
    const { rows } = await this.db().raw<{ rows: RawEventRow[] }>(
      `select * from asset_event where asset_id = any(?::uuid[]) order by asset_id, id`,
      [ids],
    );
    return rows.map(toRow);
  }

  /**
   * Every event dated in [`from`, `to`), in id order and pages of `pageSize`, so rebuilding a
   * day's analytics holds one page in memory at a time. The id range is found once through the
   * `at` index; the pages then walk the primary key within it.
   */
  async *streamBetween(from: Date, to: Date, pageSize = 1000): AsyncGenerator<AssetEventRow> {
    const { rows: bounds } = await this.db().raw<{ rows: { first: string | null; last: string | null }[] }>(
      `select min(id) as first, max(id) as last from asset_event where at >= ? and at < ?`,
      [from, to],
    );
    const { first, last } = bounds[0] ?? { first: null, last: null };
    if (first === null || last === null) return;
    let after = String(BigInt(first) - 1n);
    for (;;) {
      const { rows } = await this.db().raw<{ rows: RawEventRow[] }>(
        `select * from asset_event where id > ? and id <= ? and at >= ? and at < ? order by id limit ?`,
        [after, last, from, to, pageSize],
      );
      for (const row of rows) yield toRow(row);
      if (rows.length < pageSize) return;
      after = String(rows[rows.length - 1]!.id);
    }
  }

  /**
   * Deletes delivered events older than `before`, in batches of `batchSize` so a long backlog
   * never holds many locks at once. Returns how many were deleted.
   */
  async pruneDelivered(before: Date, batchSize = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.db().raw<{ rowCount: number }>(
        `delete from asset_event where id in (select id from asset_event where at < ? and delivered_at is not null limit ?)`,
        [before, batchSize],
      );
      total += rowCount;
      if (rowCount < batchSize) return total;
    }
  }
}
