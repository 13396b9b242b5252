import {
  DashboardAssetDocument,
  DashboardRescanDocument,
  type AuditEventFragment,
  type DashboardAssetQuery,
} from '../../generated/graphql';
import { request } from '../shared/api';
import { ApiError, describeError } from '../shared/errors';
import { byId, el, formatBytes } from '../shared/format';

/** Audit entries that matter for security: detections, failed scans, refusals, rescans. */
const SECURITY_EVENTS = new Set(['SCANNED_INFECTED', 'SCAN_ERROR', 'RESCAN_FAILED', 'REJECTED']);
/** While a rescan runs, the trail is re-read this often… */
const RESCAN_POLL_MS = 1_000;
/** …for at most this long (a rescan waits in the scan queue behind new uploads). */
const RESCAN_WAIT_MS = 120_000;

type Lookup = DashboardAssetQuery;

/** "engine: threat, threat" or the scan error, from an event's detail (shown as it is otherwise). */
function describeDetail(event: AuditEventFragment): string {
  const detail = event.detail;
  if (!detail) return '';
  const parts: string[] = [];
  if (detail.rescan === true) parts.push(`rescan (${String(detail.trigger ?? 'admin')})`);
  for (const [key, value] of Object.entries(detail)) {
    if (key === 'rescan' || key === 'trigger') continue;
    parts.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return parts.join(' · ');
}

function trailTable(events: AuditEventFragment[]): HTMLTableElement {
  return el(
    'table',
    { id: 'asset-trail', class: 'data-table', 'aria-label': 'Audit trail, oldest first' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'When'),
        el('th', { scope: 'col' }, 'Event'),
        el('th', { scope: 'col' }, 'State'),
        el('th', { scope: 'col' }, 'By'),
        el('th', { scope: 'col' }, 'Detail'),
      ),
    ),
    el(
      'tbody',
      {},
      ...events.map((event) =>
        el(
          'tr',
          {
            'data-event': event.type,
            ...(SECURITY_EVENTS.has(event.type) ? { 'data-security': 'true' } : {}),
          },
          el('td', {}, new Date(event.at).toLocaleString()),
          el('th', { scope: 'row' }, event.type),
          el('td', {}, `${event.status} / ${event.scanStatus}`),
          el('td', { class: 'actor' }, event.actor),
          el('td', { class: 'detail' }, describeDetail(event)),
        ),
      ),
    ),
  );
}

function summary(lookup: Lookup): HTMLElement {
  const asset = lookup.asset;
  if (!asset) {
    return el('p', { class: 'hint' }, 'The asset itself is gone (cleaned up); its trail remains.');
  }
  const threats = asset.scanResult?.threats.map((threat) => threat.name) ?? [];
  const rows: [string, string, string][] = [
    ['file', 'File', `${asset.fileName} (${asset.mimeType}, ${formatBytes(asset.fileSize)})`],
    ['owner', 'Owner', asset.createdBy],
    ['state', 'State', `${asset.status} / ${asset.scanStatus}`],
  ];
  if (threats.length > 0) rows.push(['threats', 'Threats', threats.join(', ')]);
  if (asset.scanResult?.error) rows.push(['scan-error', 'Scan error', asset.scanResult.error]);
  return el(
    'dl',
    { class: 'asset-facts' },
    ...rows.flatMap(([key, term, value]) => [el('dt', {}, term), el('dd', { 'data-fact': key }, value)]),
  );
}

/**
 * The asset card: look an asset up by id, see what it is and its whole audit trail (security
 * events marked), and scan an approved one again with the current signatures.
 */
export function mountAssetPanel(token: () => string): { open(assetId: string): void } {
  const form = byId<HTMLFormElement>('asset-form');
  const input = byId<HTMLInputElement>('asset-id');
  const output = byId('asset-result');
  const rescan = byId<HTMLButtonElement>('asset-rescan');
  const status = byId('asset-status');
  let shown: string | null = null;
  let polling = 0;

  const show = (id: string, lookup: Lookup) => {
    shown = id;
    output.replaceChildren(summary(lookup), trailTable(lookup.assetEvents));
    output.dataset.assetId = id;
    const asset = lookup.asset;
    rescan.hidden = false;
    rescan.disabled = !(asset && asset.status === 'APPROVED' && asset.scanStatus === 'CLEAN');
  };

  const lookUp = async (id: string): Promise<Lookup | null> => {
    try {
      return await request(DashboardAssetDocument, { id }, token());
    } catch (error) {
      status.textContent =
        error instanceof ApiError && error.code === 'NOT_FOUND'
          ? 'No asset with this id, and no trail of one.'
          : describeError(error);
      status.dataset.kind = 'warn';
      return null;
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearTimeout(polling);
    const id = input.value.trim();
    if (!id) return;
    status.textContent = '';
    delete status.dataset.kind;
    const lookup = await lookUp(id);
    if (lookup) show(id, lookup);
    else {
      output.replaceChildren();
      rescan.hidden = true;
    }
  });

  rescan.addEventListener('click', async () => {
    const id = shown;
    if (!id) return;
    clearTimeout(polling);
    rescan.disabled = true;
    const before = output.querySelectorAll('#asset-trail tbody tr').length;
    try {
      await request(DashboardRescanDocument, { id }, token());
    } catch (error) {
      status.textContent = describeError(error);
      status.dataset.kind = 'warn';
      rescan.disabled = false;
      return;
    }
    delete status.dataset.kind;
    status.textContent = 'Rescan queued: scanning again with the current signatures…';
    const deadline = Date.now() + RESCAN_WAIT_MS;
    // The verdict is the trail's next entry after the rescan's SCAN_STARTED.
    const poll = async () => {
      const lookup = await lookUp(id);
      if (!lookup || shown !== id) return;
      show(id, lookup);
      const added = lookup.assetEvents.slice(before);
      const verdict = added.find((event) => event.type !== 'SCAN_STARTED' && event.type !== 'SCAN_RETRIED');
      if (verdict) {
        status.dataset.kind = SECURITY_EVENTS.has(verdict.type) ? 'warn' : 'ok';
        status.textContent =
          verdict.type === 'SCANNED_INFECTED'
            ? 'Scanned again: infected. The file is quarantined.'
            : verdict.type === 'RESCAN_FAILED' || verdict.type === 'SCAN_ERROR'
              ? 'Scanned again: the scan failed; the file stays as it was.'
              : 'Scanned again: still clean.';
        return;
      }
      if (Date.now() > deadline) {
        status.textContent = 'The rescan has not finished yet; look the asset up again later.';
        return;
      }
      polling = window.setTimeout(() => void poll(), RESCAN_POLL_MS);
    };
    polling = window.setTimeout(() => void poll(), RESCAN_POLL_MS);
  });

  return {
    open(assetId) {
      input.value = assetId;
      form.requestSubmit();
      input.scrollIntoView({ block: 'center' });
    },
  };
}
