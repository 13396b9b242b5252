import type { DashboardMetricsFragment, DashboardOverviewQuery } from '../../generated/graphql';
import { el, formatBytes } from '../shared/format';

/** One number on the dashboard: its label and how to show it. */
interface Tile {
  id: string;
  label: string;
  value(metrics: DashboardMetricsFragment): string;
}

const METRIC_TILES: Tile[] = [
  { id: 'total', label: 'Uploads', value: (m) => String(m.totalUploads) },
  { id: 'successful', label: 'Approved', value: (m) => String(m.successfulUploads) },
  { id: 'failed', label: 'Rejected', value: (m) => String(m.failedUploads) },
  { id: 'success-rate', label: 'Success rate', value: (m) => `${m.successRate.toFixed(1)} %` },
  { id: 'scans-clean', label: 'Scans clean', value: (m) => String(m.virusScans.clean) },
  { id: 'scans-infected', label: 'Scans infected', value: (m) => String(m.virusScans.infected) },
  { id: 'scans-failed', label: 'Scans failed', value: (m) => String(m.virusScans.failed) },
  { id: 'average-size', label: 'Average size', value: (m) => formatBytes(m.averageFileSize) },
  { id: 'storage', label: 'Storage used', value: (m) => formatBytes(m.totalStorageUsed) },
];

type Queue = DashboardOverviewQuery['uploadQueueDepth'];
const QUEUE_TILES: { id: keyof Queue; label: string }[] = [
  { id: 'pending', label: 'Waiting for confirm' },
  { id: 'processing', label: 'Waiting for a scan' },
  { id: 'scanning', label: 'Scanning now' },
];

/** Fills a <dl> with one term and value per tile; `data-metric` names each value for tests. */
function render<T>(
  list: HTMLElement,
  tiles: { id: string; label: string; value(source: T): string }[],
  source: T,
) {
  list.replaceChildren(
    ...tiles.map((tile) =>
      el(
        'div',
        { class: 'tile' },
        el('dt', {}, tile.label),
        el('dd', { 'data-metric': tile.id }, tile.value(source)),
      ),
    ),
  );
}

export function renderMetrics(list: HTMLElement, metrics: DashboardMetricsFragment): void {
  render(list, METRIC_TILES, metrics);
}

export function renderQueue(list: HTMLElement, queue: Queue): void {
  render(
    list,
    QUEUE_TILES.map((tile) => ({ ...tile, value: (q: Queue) => String(q[tile.id]) })),
    queue,
  );
}
