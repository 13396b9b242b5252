/** One line of the benchmark table: a figure of the service next to its reference in the same run. */
export interface BenchRow {
  bench: string;
  measure: string;
  /** The service's figure, formatted with its unit. */
  service: string;
  /** The reference's figure (or the baseline it is compared with), formatted; '' when none. */
  reference: string;
  /** service ÷ reference, median of per-round ratios; absent for absolute figures. */
  ratio?: number;
  /** e.g. '≥ 0.60×', '≤ 64 MiB'; '' when the row only reports. */
  target: string;
  /** Whether the target was met; absent when there is none. */
  met?: boolean;
}

/** The rows as a Markdown table (the README shows it as printed). */
export function markdownTable(rows: readonly BenchRow[]): string {
  const header = ['bench', 'measure', 'service', 'reference (same run)', 'ratio', 'target', 'met'];
  const body = rows.map((row) => [
    row.bench,
    row.measure,
    row.service,
    row.reference,
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
    row.target,
    row.met === undefined ? '' : row.met ? 'yes' : '**no**',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** A figure with thousands separators and `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
