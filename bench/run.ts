/**
 * Every benchmark under bench/, one table:
 *   npm run bench [-- --only http,fanout] [--rounds N] [--quick]
 *
 * Each bench runs in a process of its own (so one's memory never shows in another's RSS
 * figures) and measures the service next to its reference in the same run. `--only` picks
 * benches by name, `--rounds` sets every bench's interleaved rounds, `--quick` shortens them
 * all (for a look, not for figures).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { markdownTable, type BenchRow } from './lib/report';

const BENCHES = [
  'http',
  'fanout',
  'subscribers-10k',
  'scan-pipeline',
  'cleanup',
  'multipart',
  'load',
] as const;

function parseOnly(argv: string[]): string[] {
  const at = argv.indexOf('--only');
  if (at < 0) return [...BENCHES];
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    console.error(`--only expects a comma-separated list of: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
  return names;
}

/** Where and when the figures were taken (the README quotes it above the table). */
function machineLine(): string {
  const cpus = os.cpus();
  const memoryGiB = Math.round(os.totalmem() / 1024 ** 3);
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cpus.length} × ${cpus[0]?.model.trim()}, ${memoryGiB} GiB; Node ${process.version}; load average at start ${load}`;
}

function main(): void {
  const argv = process.argv.slice(2);
  const names = parseOnly(argv);
  const passOn = argv.filter((arg, i) => arg !== '--only' && argv[i - 1] !== '--only');
  const machine = machineLine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-run-'));
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  try {
    for (const name of names) {
      console.log(`\n=== ${name} ===`);
      const out = path.join(dir, `${name}.json`);
      const result = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, `${name}.bench.ts`), '--json-out', out, ...passOn],
        { stdio: 'inherit' },
      );
      if (result.status === 0) rows.push(...(JSON.parse(readFileSync(out, 'utf8')) as BenchRow[]));
      else failed.push(name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${machine}\n\n${markdownTable(rows)}\n`);
  if (failed.length > 0) {
    console.error(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main();
