import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { el } from '../shared/format';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface CountByKey {
  key: string;
  count: number;
}

/**
 * A horizontal bar chart of counts by key (Chart.js, bundled), with the same numbers in a table
 * beside it: the table is what screen readers and the tests read.
 */
export class CountChart {
  private readonly chart: Chart<'bar', number[], string>;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly table: HTMLTableElement,
    private readonly labels: { key: string; empty: string },
    color: string,
  ) {
    this.chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: [], datasets: [{ data: [], backgroundColor: color, borderRadius: 4 }] },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        // Live numbers change often: no animation (and none for people who asked for less motion).
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  update(counts: readonly CountByKey[]): void {
    const sorted = [...counts].sort((a, b) => b.count - a.count);
    this.chart.data.labels = sorted.map((entry) => entry.key);
    this.chart.data.datasets[0].data = sorted.map((entry) => entry.count);
    this.chart.update();
    const rows = sorted.map((entry) =>
      el(
        'tr',
        { 'data-key': entry.key },
        el('th', { scope: 'row' }, entry.key),
        el('td', {}, String(entry.count)),
      ),
    );
    this.table.replaceChildren(
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col' }, this.labels.key), el('th', { scope: 'col' }, 'Uploads')),
      ),
      el(
        'tbody',
        {},
        ...(rows.length > 0
          ? rows
          : [el('tr', {}, el('td', { colspan: '2', class: 'hint' }, this.labels.empty))]),
      ),
    );
  }
}
