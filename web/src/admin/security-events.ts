import { ApiError } from '../shared/errors';
import { el } from '../shared/format';

/** One entry of GET /api/admin/audit/security-events (no GraphQL field serves this feed). */
export interface SecurityEvent {
  assetId: string;
  ownerId: string;
  type: string;
  status: string;
  scanStatus: string;
  actor: string;
  detail: Record<string, unknown> | null;
  mimeType: string;
  fileSize: number;
  at: string;
}

const FEED_PATH = '/api/admin/audit/security-events?limit=10';

const WORDS: Record<string, string> = {
  SCANNED_INFECTED: 'Virus found',
  SCAN_ERROR: 'Scan failed',
  RESCAN_FAILED: 'Rescan failed',
  REJECTED: 'Refused',
};

/** The newest security events from the audit trail, newest first. */
export async function loadSecurityEvents(token: string): Promise<SecurityEvent[]> {
  let response: Response;
  try {
    response = await fetch(FEED_PATH, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError('NETWORK_ERROR');
  }
  const body = (await response.json().catch(() => null)) as
    SecurityEvent[] | { error?: { code?: string } } | null;
  if (!response.ok || !Array.isArray(body)) {
    const code = body && !Array.isArray(body) ? body.error?.code : undefined;
    throw new ApiError(code ?? 'UNEXPECTED_RESPONSE', { status: response.status });
  }
  return body;
}

/** What happened, in a few words: the threats found, the scan error, the reason refused. */
function summary(event: SecurityEvent): string {
  const detail = event.detail ?? {};
  const threats = Array.isArray(detail.threats)
    ? detail.threats.map((threat) =>
        typeof threat === 'string' ? threat : String((threat as { name?: unknown }).name ?? ''),
      )
    : [];
  if (threats.length > 0) return threats.join(', ');
  for (const key of ['reason', 'error']) if (typeof detail[key] === 'string') return detail[key] as string;
  return '';
}

/** Renders the feed into its table; each asset id opens that asset's trail in the asset card. */
export function renderSecurityEvents(
  table: HTMLTableElement,
  events: SecurityEvent[],
  open: (assetId: string) => void,
): void {
  table.replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'When'),
        el('th', { scope: 'col' }, 'What'),
        el('th', { scope: 'col' }, 'Owner'),
        el('th', { scope: 'col' }, 'Detail'),
        el('th', { scope: 'col' }, 'Asset'),
      ),
    ),
    el(
      'tbody',
      {},
      ...(events.length > 0
        ? events.map((event) => {
            const button = el(
              'button',
              {
                type: 'button',
                class: 'secondary small',
                'aria-label': `Show the trail of asset ${event.assetId}`,
              },
              'Trail',
            );
            button.addEventListener('click', () => open(event.assetId));
            return el(
              'tr',
              { 'data-event': event.type, 'data-asset-id': event.assetId },
              el('td', {}, new Date(event.at).toLocaleString()),
              el('th', { scope: 'row' }, WORDS[event.type] ?? event.type),
              el('td', {}, event.ownerId),
              el('td', { class: 'detail' }, summary(event)),
              el('td', {}, button),
            );
          })
        : [el('tr', {}, el('td', { colspan: '5', class: 'hint' }, 'No security events yet.'))]),
    ),
  );
}
