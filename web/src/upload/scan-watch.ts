import {
  PageAssetDocument,
  PageConfirmUploadDocument,
  PageScanStatusDocument,
  type AssetSummaryFragment,
  type PageScanStatusSubscription,
} from '../../generated/graphql';
import { liveClient, request, subscribe } from '../shared/api';
import { ApiError } from '../shared/errors';

export type ScanEvent = PageScanStatusSubscription['assetScanStatus'];

/** How long the live-status connection may take to deliver its first event. */
const SUBSCRIBE_WAIT_MS = 10_000;
/** Give up waiting for a verdict after this long; the asset keeps its state on the server. */
const SCAN_WAIT_MS = 5 * 60_000;

/** `promise`, or an {@link ApiError} with `code` after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, code: string): Promise<T> {
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new ApiError(code)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Confirms an uploaded file and follows its scan live: subscribes first and waits for the first
 * event (the current state), so no change between confirm and the verdict is missed, then
 * confirms, then reports every event until the final one, and returns the asset as it ends.
 *
 * A refused subscription (bad token, not yours) stops before confirm. A broken live connection
 * (a proxy without WebSockets) still confirms, then fails with LIVE_STATUS_FAILED.
 */
export async function confirmAndWatch(
  assetId: string,
  title: string,
  token: string,
  onEvent: (event: ScanEvent) => void,
): Promise<{ asset: AssetSummaryFragment | null; final: ScanEvent }> {
  const client = liveClient(token);
  let markReady!: () => void;
  let failReady!: (error: ApiError) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  let last: ScanEvent | null = null;
  const done = new Promise<ScanEvent>((resolve, reject) => {
    const fail = (error: ApiError) => {
      failReady(error);
      reject(error);
    };
    subscribe(
      client,
      PageScanStatusDocument,
      { assetId },
      {
        next: ({ assetScanStatus: event }) => {
          last = event;
          onEvent(event);
          markReady();
          if (event.final) resolve(event);
        },
        error: fail,
        complete: () => (last?.final ? resolve(last) : fail(new ApiError('LIVE_STATUS_FAILED'))),
      },
    );
  });
  // Whoever awaits these handles rejections; the other one must not report them as unhandled.
  ready.catch(() => undefined);
  done.catch(() => undefined);
  try {
    let live = true;
    try {
      await withTimeout(ready, SUBSCRIBE_WAIT_MS, 'LIVE_STATUS_FAILED');
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'LIVE_STATUS_FAILED') throw error;
      live = false;
    }
    await request(PageConfirmUploadDocument, { input: { assetId, title } }, token);
    if (!live) throw new ApiError('LIVE_STATUS_FAILED');
    const final = await withTimeout(done, SCAN_WAIT_MS, 'SCAN_TIMEOUT');
    const { asset } = await request(PageAssetDocument, { id: assetId }, token);
    return { asset, final };
  } finally {
    void client.dispose();
  }
}
