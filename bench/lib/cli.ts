import { writeFileSync } from 'node:fs';
import { markdownTable, type BenchRow } from './report';

/** What every bench accepts from the command line (and from `npm run bench`). */
export interface BenchOptions {
  /** `--rounds N`: interleaved rounds (or runs); each bench has its own default. */
  rounds?: number;
  /** `--quick`: fewer rounds and shorter runs, for a look rather than a figure. */
  quick: boolean;
}

function parseArgs(argv: readonly string[]): BenchOptions & { jsonOut?: string } {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const rounds = value('--rounds');
  if (rounds !== undefined && !/^[1-9]\d*$/.test(rounds))
    throw new Error('--rounds expects a positive integer');
  return {
    rounds: rounds === undefined ? undefined : Number(rounds),
    quick: argv.includes('--quick'),
    jsonOut: value('--json-out'),
  };
}

/**
 * Runs one bench as a script: prints its rows as a table and, with `--json-out FILE`, writes
 * them there for `bench/run.ts`. Exits when done (open handles of a failed run never hang it).
 */
export function benchMain(run: (options: BenchOptions) => Promise<BenchRow[]>): void {
  const { jsonOut, ...options } = parseArgs(process.argv.slice(2));
  run(options).then(
    (rows) => {
      console.log(`\n${markdownTable(rows)}\n`);
      if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
