import { setTimeout as sleep } from 'node:timers/promises';
import { EICAR_TEST_STRING } from '../../src/scanners/signature.scanner';
import type { ServiceClient } from './client';
import { AssetDocument, type TestAssetFragment } from './operations';

/** The EICAR anti-virus test file: harmless, and every engine reports it. */
export const EICAR = Buffer.from(EICAR_TEST_STRING, 'latin1');

/** Polls the asset over GraphQL until `done(asset)` holds. */
export async function waitForAsset(
  app: ServiceClient,
  token: string,
  assetId: string,
  done: (asset: TestAssetFragment) => boolean,
  timeoutMs = 20_000,
): Promise<TestAssetFragment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asset = (await app.gql(AssetDocument, { id: assetId }, token)).data?.asset;
    if (asset && done(asset)) return asset;
    if (Date.now() > deadline) throw new Error(`asset ${assetId} did not settle: ${JSON.stringify(asset)}`);
    await sleep(100);
  }
}
