import { AssetStatus, type IpAsset } from '../../entities/ip-asset.entity';
import type { AssetChanges, AssetRepository, Db } from '../../repositories/asset.repository';
import type { Actor } from '../actor';
import { AssetEventType, TRANSITIONS, type TransitionName, type TransitionRule } from './transitions';

/** The actor recorded for workers and schedules. */
export const SYSTEM_ACTOR = 'system';

/**
 * Event details: reasons, engines, threat names, sizes. Never file contents, tokens, URLs or
 * storage credentials (the trail is readable by the owner).
 */
export type EventDetail = Record<string, unknown>;

/** Column changes a transition may carry besides its own; status and scanStatus come from the table. */
export type TransitionChanges = Omit<AssetChanges, 'status' | 'scanStatus' | 'rejectionReason'>;

export interface TransitionInput {
  /** Required for `user` transitions: who did it (recorded as the event's actor). */
  actor?: Actor;
  changes?: TransitionChanges;
  detail?: EventDetail;
  /** Run inside this transaction (from {@link AssetLifecycle.transaction}) instead of on its own. */
  db?: Db;
}

/** An asset to move in a batch; with `stateVersion`, only if unchanged since it was read. */
export type TransitionTarget = string | { id: string; stateVersion: number };

/** Tells the outbox relay there is something to deliver; it never waits for the delivery. */
export interface OutboxWakeUp {
  wake(): void;
}

/** Told about every transition this process committed on its own (not inside {@link AssetLifecycle.transaction}). */
export type CommitObserver = (event: AssetEventType) => void;

/**
 * The one door for asset state changes. Every transition in {@link TRANSITIONS} goes through
 * here: a conditional UPDATE (or DELETE) of ip_asset that bumps stateVersion plus one
 * asset_event row, committed together; the outbox relay then delivers the event to
 * subscribers and analytics. Nothing else writes an asset's status or scanStatus.
 */
export class AssetLifecycle {
  constructor(
    private readonly assets: AssetRepository,
    private readonly outbox: OutboxWakeUp,
    private readonly now: () => Date = () => new Date(),
    /** Called after the commit, before the relay is woken: where the outbox fault tests inject a crash. */
    private readonly afterCommit?: CommitObserver,
  ) {}

  /** Stores a new asset (DRAFT / PENDING) with its INITIATED event. */
  async create(actor: Actor, asset: IpAsset, detail: EventDetail, db?: Db): Promise<IpAsset> {
    const rule: TransitionRule = TRANSITIONS.initiate;
    const at = this.now();
    asset.status = rule.to.status!;
    asset.scanStatus = rule.to.scanStatus!;
    asset.stateVersion = 1;
    asset.createdAt = at;
    asset.updatedAt = at;
    await this.assets.createWithEvent(asset, { type: rule.event, actor: actor.userId, detail, at }, db);
    if (!db) this.committed(rule.event);
    return asset;
  }

  /**
   * Performs transition `name` on one asset. Returns the asset as changed, or null when it was
   * not in a state the transition starts from (already moved on, gone, or never there): then
   * nothing was written.
   */
  async transition(
    name: TransitionName,
    assetId: string,
    input: TransitionInput = {},
  ): Promise<IpAsset | null> {
    const [changed] = await this.transitionMany(name, [assetId], input);
    return changed ?? null;
  }

  /** {@link transition} for many assets in one statement (the cleanup's batches). */
  async transitionMany(
    name: TransitionName,
    targets: readonly TransitionTarget[],
    input: TransitionInput = {},
  ): Promise<IpAsset[]> {
    const rule: TransitionRule = TRANSITIONS[name];
    if (rule.from === 'create') throw new TypeError(`${name} creates an asset: use create()`);
    if (targets.length === 0) return [];
    const actor = this.actorOf(name, rule, input.actor);
    const at = this.now();
    const ids = targets.map((target) => (typeof target === 'string' ? target : target.id));
    const versioned = targets.every((target) => typeof target !== 'string');
    const detail = { ...input.detail, ...(rule.reason ? { reason: rule.reason } : {}) };
    const changed = await this.assets.applyTransition(
      {
        ids,
        stateVersions: versioned
          ? targets.map((target) => (target as { stateVersion: number }).stateVersion)
          : undefined,
        from: rule.from,
        changes: { ...input.changes, ...rule.to, ...stampsOf(rule, at) },
        deletes: rule.deletes === true,
        event: { type: rule.event, actor, detail: Object.keys(detail).length > 0 ? detail : null, at },
      },
      input.db,
    );
    if (changed.length > 0 && !input.db) this.committed(rule.event);
    return changed;
  }

  /**
   * Runs `work` in one database transaction; pass the `db` it gets to transitions (and to
   * repository calls) that must commit together, e.g. a row lock and the transition it decides.
   * The relay is woken once it commits.
   */
  async transaction<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const result = await this.assets.db().transaction(work);
    this.outbox.wake();
    return result;
  }

  private committed(event: AssetEventType): void {
    this.afterCommit?.(event);
    this.outbox.wake();
  }

  private actorOf(name: string, rule: TransitionRule, actor: Actor | undefined): string {
    if (rule.actor === 'system') return SYSTEM_ACTOR;
    if (!actor) throw new TypeError(`transition ${name} needs the user who caused it`);
    return actor.userId;
  }
}

/**
 * The timestamps, reason and upload fields a transition sets by itself, so every caller records
 * them alike. Leaving DRAFT ends the upload: its upload key and multipart upload are forgotten,
 * so no upload URL can name the asset again.
 */
function stampsOf(rule: TransitionRule, at: Date): AssetChanges {
  const stamps: AssetChanges = {};
  if (leavesDraft(rule)) {
    stamps.uploadKey = null;
    stamps.multipartUploadId = null;
  }
  if (rule.event === AssetEventType.Confirmed) stamps.confirmedAt = at;
  if (rule.to.status === AssetStatus.APPROVED) stamps.approvedAt = at;
  if (rule.to.status === AssetStatus.REJECTED) {
    stamps.rejectedAt = at;
    stamps.rejectionReason = rule.reason ?? null;
  }
  return stamps;
}

function leavesDraft(rule: TransitionRule): boolean {
  if (rule.from === 'create' || rule.to.status === undefined || rule.to.status === AssetStatus.DRAFT)
    return false;
  return rule.from.status?.includes(AssetStatus.DRAFT) === true;
}
