import type { IpAsset } from '../../entities/ip-asset.entity';
import { isAssetId } from '../../repositories/asset.repository';

/** Opaque paging cursor: the (createdAt, id) of the last asset on a page. */
export function encodeCursor(asset: Pick<IpAsset, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([asset.createdAt.toISOString(), asset.id])).toString('base64url');
}

/** The position a cursor names, or null when it is not one this API produced. */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value as unknown[];
    const createdAt = new Date(String(at));
    if (
      typeof at !== 'string' ||
      Number.isNaN(createdAt.getTime()) ||
      typeof id !== 'string' ||
      !isAssetId(id)
    ) {
      return null;
    }
    return { createdAt, id };
  } catch {
    return null;
  }
}
