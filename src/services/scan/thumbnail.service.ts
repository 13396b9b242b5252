import sharp from 'sharp';
import { AssetStatus, ThumbnailStatus, type IpAsset } from '../../entities/ip-asset.entity';
import type { Logger } from '../../logger';
import type { AssetRepository } from '../../repositories/asset.repository';
import type { StorageAdapter } from '../../storage/storage.adapter';
import type { AssetLifecycle } from '../lifecycle/asset-lifecycle';
import { storageKeys } from '../upload/file-name';

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;
/** Refuse decompression bombs: no source image above 100 megapixels. */
const MAX_INPUT_PIXELS = 100_000_000;

// Formats the bundled libvips decodes; HEIC needs a codec it does not ship.
const THUMBNAIL_SOURCES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/tiff',
]);

export function canMakeThumbnail(mimeType: string): boolean {
  return THUMBNAIL_SOURCES.has(mimeType);
}

/**
 * Makes a 320 px WebP of a clean image. sharp writes no metadata unless asked, so EXIF (and
 * GPS positions in it) never reaches the thumbnail. A failure never rejects the asset: it only
 * marks the thumbnail FAILED, which ends the asset's event stream.
 */
export class ThumbnailService {
  constructor(
    private readonly assets: AssetRepository,
    private readonly storage: StorageAdapter,
    private readonly lifecycle: AssetLifecycle,
    private readonly logger: Logger,
  ) {}

  async make(assetId: string, attempt: { isLast: boolean }): Promise<'done' | 'failed' | 'skipped'> {
    const asset = await this.assets.findById(assetId);
    if (
      !asset ||
      asset.status !== AssetStatus.APPROVED ||
      asset.thumbnailStatus !== ThumbnailStatus.PENDING
    ) {
      return 'skipped';
    }
    let thumbnail: Buffer;
    try {
      thumbnail = await this.render(asset);
    } catch (error) {
      // A corrupt or unsupported image will not get better on retry; a storage error might.
      if (!attempt.isLast && !isDecodeError(error)) throw error;
      this.logger.warn({ assetId, err: error }, 'thumbnail failed');
      await this.lifecycle.transition('thumbnailFailed', asset.id);
      return 'failed';
    }
    const key = storageKeys.thumbnail(asset.id);
    await this.storage.put(key, thumbnail, { contentType: 'image/webp', contentLength: thumbnail.length });
    await this.lifecycle.transition('thumbnailDone', asset.id, {
      changes: { thumbnailKey: key },
      detail: { size: thumbnail.length },
    });
    return 'done';
  }

  private async render(asset: IpAsset): Promise<Buffer> {
    const source = await this.storage.getStream(asset.storageKey);
    const pipeline = sharp({ limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate() // apply the EXIF orientation before the EXIF is dropped
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 });
    source.on('error', (error) => pipeline.destroy(error));
    return source.pipe(pipeline).toBuffer();
  }
}

function isDecodeError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /unsupported image format|corrupt|premature end|bad seek|vips|Input buffer|pixel limit/i.test(
    message,
  );
}
