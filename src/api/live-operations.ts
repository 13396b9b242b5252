/**
 * Live WebSocket operations per user across all of their connections to this process. Kept in
 * memory, so with several API replicas each one enforces the cap on its own connections: a
 * user spread over N replicas may hold up to N × the cap (the per-connection cap still holds).
 */
export class LiveOperationsPerUser {
  private readonly live = new Map<string, Set<string>>();

  constructor(private readonly maxPerUser: number) {}

  /** Records operation `operationKey` for `userId`; false (nothing recorded) when at the cap. */
  acquire(userId: string, operationKey: string): boolean {
    let operations = this.live.get(userId);
    if (!operations) {
      operations = new Set();
      this.live.set(userId, operations);
    }
    if (operations.has(operationKey)) return true;
    if (operations.size >= this.maxPerUser) return false;
    operations.add(operationKey);
    return true;
  }

  /** Forgets an operation; forgetting one that was never recorded does nothing. */
  release(userId: string, operationKey: string): void {
    const operations = this.live.get(userId);
    if (!operations) return;
    operations.delete(operationKey);
    if (operations.size === 0) this.live.delete(userId);
  }

  /** How many operations `userId` holds now. */
  count(userId: string): number {
    return this.live.get(userId)?.size ?? 0;
  }
}
