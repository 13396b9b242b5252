import type { AssetSummaryFragment } from '../../generated/graphql';

/** The one word shown for an asset's pair of statuses: DRAFT, PROCESSING, SCANNING or a verdict. */
export function stateOf({ status, scanStatus }: { status: string; scanStatus: string }): string {
  if (['CLEAN', 'INFECTED', 'ERROR', 'SCANNING'].includes(scanStatus)) return scanStatus;
  return status;
}

export const STATE_TEXT: Record<string, string> = {
  DRAFT: 'Sent, waiting for confirmation',
  PROCESSING: 'Received, queued for a virus scan',
  SCANNING: 'Scanning for viruses',
  CLEAN: 'Clean',
  INFECTED: 'Infected',
  ERROR: 'Scan failed',
  REJECTED: 'Rejected',
  APPROVED: 'Approved',
  REFUSED: 'Refused',
  UPLOADING: 'Uploading',
};

type ScanResultLike = AssetSummaryFragment['scanResult'];

/** Why a file ended where it did, in plain words. */
export function verdictText(state: string, scanResult: ScanResultLike): string {
  const threats = scanResult?.threats ?? [];
  switch (state) {
    case 'CLEAN':
      return 'Clean: no threats found. The file is ready to download.';
    case 'INFECTED': {
      const names = threats.map((threat) => `${threat.name} (found by ${threat.engine})`).join(', ');
      return `Infected with ${names || 'a threat'}. The file was quarantined and can never be downloaded.`;
    }
    case 'ERROR':
      return 'The virus scan failed, so the file was rejected: nothing unscanned is ever served. Please upload it again.';
    case 'REJECTED':
      return 'The file was rejected.';
    default:
      return `Finished as ${state}.`;
  }
}

/** Only http(s) URLs become links or images (never javascript: or data:). */
export function safeUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}
