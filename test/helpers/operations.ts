import {
  AssetDocument,
  ConfirmDocument,
  InitiateDocument,
  MineDocument,
  PartsDocument,
  ScanDocument,
} from '../generated/graphql';

/**
 * GraphQL documents the tests send, written once in test/operations/*.graphql, checked against
 * the schema and generated into typed documents by `npm run codegen`. The helpers use the typed
 * documents (their results and variables are typed); the text forms below are the same
 * documents for tests that read results loosely.
 */
export { AssetDocument, ConfirmDocument, InitiateDocument, MineDocument, PartsDocument, ScanDocument };
export type {
  AssetQuery,
  ConfirmMutation,
  InitiateMutation,
  MineQuery,
  ScanSubscription,
  TestAssetFragment,
} from '../generated/graphql';

export const INITIATE = InitiateDocument.toString();
export const CONFIRM = ConfirmDocument.toString();
export const ASSET = AssetDocument.toString();
export const MY_ASSETS = MineDocument.toString();
export const SCAN_STATUS = ScanDocument.toString();

/** The asset's fields as a selection set, for tests that build oversized queries from it. */
export const ASSET_FIELDS = `
  id title description fileName storageKey fileSize mimeType status scanStatus
  scanResult { engine threats { name engine } scannedAt durationMs attempts error }
  thumbnailUrl downloadUrl metadata projectId createdBy createdAt updatedAt
`;
