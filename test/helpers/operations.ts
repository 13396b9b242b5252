/** GraphQL documents the tests send, written once. */
export const ASSET_FIELDS = `
  id title description fileName storageKey fileSize mimeType status scanStatus
  scanResult { engine threats { name engine } scannedAt durationMs attempts error }
  thumbnailUrl downloadUrl metadata projectId createdBy createdAt updatedAt
`;

export const INITIATE = `mutation Initiate($input: InitiateUploadInput!) {
  initiateUpload(input: $input) { uploadUrl uploadHeaders assetId storageKey expiresAt }
}`;

export const CONFIRM = `mutation Confirm($input: ConfirmUploadInput!) {
  confirmUpload(input: $input) { ${ASSET_FIELDS} }
}`;

export const ASSET = `query Asset($id: ID!) { asset(id: $id) { ${ASSET_FIELDS} } }`;

export const MY_ASSETS = `query Mine($status: AssetStatus, $first: Int, $after: String) {
  myAssets(status: $status, first: $first, after: $after) { nodes { id fileName status createdAt } totalCount endCursor hasNextPage }
}`;

export const SCAN_STATUS = `subscription Scan($assetId: ID!) {
  assetScanStatus(assetId: $assetId) { assetId status scanStatus final at scanResult { engine threats { name engine } attempts error } }
}`;
