import type { Client } from 'graphql-ws';
import {
  DashboardLiveExtrasDocument,
  DashboardMetricsUpdatedDocument,
  DashboardOverviewDocument,
  type DashboardLiveExtrasQuery,
  type DashboardMetricsFragment,
} from '../../generated/graphql';
import { liveClient, request, subscribe } from '../shared/api';
import { ApiError, describeError } from '../shared/errors';
import { byId, el, formatBytes } from '../shared/format';
import '../shared/page.css';
import { getToken, onTokenChange } from '../shared/session';
import { mountSignIn } from '../shared/sign-in';
import './admin.css';
import { CountChart } from './charts';
import { mountAssetPanel } from './asset-panel';
import { mountCleanup } from './cleanup';
import { loadSecurityEvents, renderSecurityEvents } from './security-events';
import { renderMetrics, renderQueue } from './tiles';

// The admin dashboard: today's metrics, live from uploadMetricsUpdated; queue depth, failure
// reasons and top uploaders re-read whenever the metrics move (and every few seconds).

/** Re-read the other panels at most this often while events stream in. */
const EXTRAS_MIN_INTERVAL_MS = 2_000;
/** Queue depth moves without a metrics event too (scans starting): poll it this often. */
const EXTRAS_POLL_MS = 5_000;

const signIn = mountSignIn(byId('sign-in'), { heading: 'Sign in as an admin', needsAdmin: true });
const errorBox = byId('dashboard-error');
const liveStatus = byId('live-status');
const tiles = byId('tiles');
const queue = byId('queue');
const uploaders = byId<HTMLTableElement>('uploaders');
const securityEvents = byId<HTMLTableElement>('security-events');
const mimeChart = new CountChart(
  byId<HTMLCanvasElement>('mime-chart'),
  byId<HTMLTableElement>('mime-table'),
  { key: 'Type', empty: 'No uploads today yet.' },
  '#1d5fd1',
);
const failuresChart = new CountChart(
  byId<HTMLCanvasElement>('failures-chart'),
  byId<HTMLTableElement>('failures-table'),
  { key: 'Reason', empty: 'No failures today.' },
  '#a11b1b',
);

let live: { client: Client; stop: () => void } | null = null;
let extrasTimer = 0;
let lastExtras = 0;
let generation = 0;

function showMetrics(metrics: DashboardMetricsFragment): void {
  renderMetrics(tiles, metrics);
  mimeChart.update(metrics.byMimeType);
  document.documentElement.dataset.updatedAt = new Date().toISOString();
}

function showExtras(extras: DashboardLiveExtrasQuery): void {
  renderQueue(queue, extras.uploadQueueDepth);
  failuresChart.update(extras.uploadFailureBreakdown);
  uploaders.replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'User'),
        el('th', { scope: 'col' }, 'Uploads'),
        el('th', { scope: 'col' }, 'Bytes'),
      ),
    ),
    el(
      'tbody',
      {},
      ...(extras.topUploaders.length > 0
        ? extras.topUploaders.map((user) =>
            el(
              'tr',
              { 'data-user': user.userId },
              el('th', { scope: 'row' }, user.userId),
              el('td', {}, String(user.uploads)),
              el('td', {}, formatBytes(user.totalBytes)),
            ),
          )
        : [
            el(
              'tr',
              {},
              el('td', { colspan: '3', class: 'hint' }, 'Nobody has uploaded in the last 30 days.'),
            ),
          ]),
    ),
  );
}

function showError(error: unknown): void {
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') signIn.markVerdict(false);
  const sentence =
    error instanceof ApiError && error.code === 'FORBIDDEN'
      ? 'This token is not an admin’s: the dashboard needs an ADMIN token.'
      : describeError(error);
  errorBox.dataset.code = error instanceof ApiError ? error.code : 'INTERNAL_SERVER_ERROR';
  errorBox.textContent = sentence;
  errorBox.hidden = false;
}

/** Re-reads queue depth, failures and top uploaders, at most every EXTRAS_MIN_INTERVAL_MS. */
function refreshExtras(token: string, mine: number): void {
  clearTimeout(extrasTimer);
  const wait = Math.max(0, lastExtras + EXTRAS_MIN_INTERVAL_MS - Date.now());
  extrasTimer = window.setTimeout(async () => {
    lastExtras = Date.now();
    try {
      const [extras, security] = await Promise.all([
        request(DashboardLiveExtrasDocument, {}, token),
        loadSecurityEvents(token),
      ]);
      if (mine === generation) {
        showExtras(extras);
        renderSecurityEvents(securityEvents, security, (assetId) => assetPanel.open(assetId));
      }
    } catch (error) {
      if (mine === generation) showError(error);
    }
    if (mine === generation)
      extrasTimer = window.setTimeout(() => refreshExtras(token, mine), EXTRAS_POLL_MS);
  }, wait);
}

function setLive(state: 'on' | 'off' | 'connecting', text: string): void {
  liveStatus.dataset.live = state;
  liveStatus.textContent = text;
}

/** Stops the previous sign-in's feed, loads everything once, then follows the live feed. */
async function start(token: string): Promise<void> {
  const mine = ++generation;
  live?.stop();
  live = null;
  clearTimeout(extrasTimer);
  errorBox.hidden = true;
  setLive('off', 'Not connected');
  if (!token) return;
  try {
    const overview = await request(DashboardOverviewDocument, {}, token);
    if (mine !== generation) return;
    signIn.markVerdict(true);
    showMetrics(overview.uploadMetrics);
    showExtras(overview);
  } catch (error) {
    if (mine === generation) showError(error);
    return;
  }
  // Reconnects on its own (with backoff) after a network blip or a server restart.
  const client = liveClient(token, { retryAttempts: Number.POSITIVE_INFINITY });
  client.on('connecting', () => setLive('connecting', 'Connecting…'));
  client.on('connected', () => setLive('on', 'Live'));
  client.on('closed', () => setLive('off', 'Disconnected; retrying'));
  const stop = subscribe(
    client,
    DashboardMetricsUpdatedDocument,
    {},
    {
      next: ({ uploadMetricsUpdated }) => {
        if (mine !== generation) return;
        showMetrics(uploadMetricsUpdated);
        refreshExtras(token, mine);
      },
      error: (error) => {
        setLive('off', 'Live updates stopped');
        showError(error);
      },
    },
  );
  live = {
    client,
    stop: () => {
      stop();
      void client.dispose();
    },
  };
  refreshExtras(token, mine);
  document.documentElement.dataset.ready = 'true';
}

mountCleanup(getToken, () => void start(getToken()));
const assetPanel = mountAssetPanel(getToken);
onTokenChange((token) => void start(token));
void start(getToken()).finally(() => {
  document.documentElement.dataset.ready = 'true';
});
