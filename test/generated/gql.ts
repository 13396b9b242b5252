/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment TestAsset on IpAsset {\n  id\n  title\n  description\n  fileName\n  storageKey\n  fileSize\n  mimeType\n  status\n  scanStatus\n  scanResult {\n    engine\n    threats {\n      name\n      engine\n    }\n    scannedAt\n    durationMs\n    attempts\n    error\n  }\n  thumbnailUrl\n  downloadUrl\n  metadata\n  projectId\n  createdBy\n  createdAt\n  updatedAt\n}\n\nmutation Initiate($input: InitiateUploadInput!) {\n  initiateUpload(input: $input) {\n    uploadUrl\n    uploadHeaders\n    assetId\n    storageKey\n    expiresAt\n  }\n}\n\nmutation Confirm($input: ConfirmUploadInput!) {\n  confirmUpload(input: $input) {\n    ...TestAsset\n  }\n}\n\nquery Asset($id: ID!) {\n  asset(id: $id) {\n    ...TestAsset\n  }\n}\n\nquery Mine($status: AssetStatus, $first: Int, $after: String) {\n  myAssets(status: $status, first: $first, after: $after) {\n    nodes {\n      id\n      fileName\n      status\n      createdAt\n    }\n    totalCount\n    endCursor\n    hasNextPage\n  }\n}\n\nsubscription Scan($assetId: ID!) {\n  assetScanStatus(assetId: $assetId) {\n    assetId\n    status\n    scanStatus\n    final\n    at\n    scanResult {\n      engine\n      threats {\n        name\n        engine\n      }\n      attempts\n      error\n    }\n  }\n}\n\nquery Parts($assetId: ID!) {\n  uploadedParts(assetId: $assetId) {\n    partNumber\n    size\n  }\n}": typeof types.TestAssetFragmentDoc,
};
const documents: Documents = {
    "fragment TestAsset on IpAsset {\n  id\n  title\n  description\n  fileName\n  storageKey\n  fileSize\n  mimeType\n  status\n  scanStatus\n  scanResult {\n    engine\n    threats {\n      name\n      engine\n    }\n    scannedAt\n    durationMs\n    attempts\n    error\n  }\n  thumbnailUrl\n  downloadUrl\n  metadata\n  projectId\n  createdBy\n  createdAt\n  updatedAt\n}\n\nmutation Initiate($input: InitiateUploadInput!) {\n  initiateUpload(input: $input) {\n    uploadUrl\n    uploadHeaders\n    assetId\n    storageKey\n    expiresAt\n  }\n}\n\nmutation Confirm($input: ConfirmUploadInput!) {\n  confirmUpload(input: $input) {\n    ...TestAsset\n  }\n}\n\nquery Asset($id: ID!) {\n  asset(id: $id) {\n    ...TestAsset\n  }\n}\n\nquery Mine($status: AssetStatus, $first: Int, $after: String) {\n  myAssets(status: $status, first: $first, after: $after) {\n    nodes {\n      id\n      fileName\n      status\n      createdAt\n    }\n    totalCount\n    endCursor\n    hasNextPage\n  }\n}\n\nsubscription Scan($assetId: ID!) {\n  assetScanStatus(assetId: $assetId) {\n    assetId\n    status\n    scanStatus\n    final\n    at\n    scanResult {\n      engine\n      threats {\n        name\n        engine\n      }\n      attempts\n      error\n    }\n  }\n}\n\nquery Parts($assetId: ID!) {\n  uploadedParts(assetId: $assetId) {\n    partNumber\n    size\n  }\n}": types.TestAssetFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment TestAsset on IpAsset {\n  id\n  title\n  description\n  fileName\n  storageKey\n  fileSize\n  mimeType\n  status\n  scanStatus\n  scanResult {\n    engine\n    threats {\n      name\n      engine\n    }\n    scannedAt\n    durationMs\n    attempts\n    error\n  }\n  thumbnailUrl\n  downloadUrl\n  metadata\n  projectId\n  createdBy\n  createdAt\n  updatedAt\n}\n\nmutation Initiate($input: InitiateUploadInput!) {\n  initiateUpload(input: $input) {\n    uploadUrl\n    uploadHeaders\n    assetId\n    storageKey\n    expiresAt\n  }\n}\n\nmutation Confirm($input: ConfirmUploadInput!) {\n  confirmUpload(input: $input) {\n    ...TestAsset\n  }\n}\n\nquery Asset($id: ID!) {\n  asset(id: $id) {\n    ...TestAsset\n  }\n}\n\nquery Mine($status: AssetStatus, $first: Int, $after: String) {\n  myAssets(status: $status, first: $first, after: $after) {\n    nodes {\n      id\n      fileName\n      status\n      createdAt\n    }\n    totalCount\n    endCursor\n    hasNextPage\n  }\n}\n\nsubscription Scan($assetId: ID!) {\n  assetScanStatus(assetId: $assetId) {\n    assetId\n    status\n    scanStatus\n    final\n    at\n    scanResult {\n      engine\n      threats {\n        name\n        engine\n      }\n      attempts\n      error\n    }\n  }\n}\n\nquery Parts($assetId: ID!) {\n  uploadedParts(assetId: $assetId) {\n    partNumber\n    size\n  }\n}"): typeof import('./graphql').TestAssetFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
