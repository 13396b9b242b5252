import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../test/helpers/process';

/** A server the bench started in a process of its own. */
export interface BenchProcess {
  pid: number;
  /** The URL it said it serves (its `url` log field). */
  url: string;
  /** Resident set size now, from /proc. */
  rss(): number;
  /** CPU time it has used so far (user + system), in microseconds, from /proc. */
  cpuMicros(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node ...args` with its output going to a file, not a pipe: a pipe this busy process
 * drains late would block the server's synchronous log writes and be measured as its cost.
 * Resolves once a JSON line whose `msg` is `readyMessage` appears, with its `url`.
 */
export async function startBenchProcess(
  args: string[],
  env: Record<string, string>,
  readyMessage: string,
  timeoutMs = 60_000,
): Promise<BenchProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-proc-'));
  const logFile = path.join(dir, 'out.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = readyUrl(readFileSync(logFile, 'utf8'), readyMessage);
    if (url) {
      const pid = child.pid!;
      return { pid, url, rss: () => rssOf(pid), cpuMicros: () => cpuMicrosOf(pid), stop };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      const output = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      await stop();
      throw new Error(`${args.join(' ')} did not become ready:\n${output}`);
    }
    await sleep(50);
  }
}

function readyUrl(output: string, readyMessage: string): string | null {
  for (const line of output.split('\n')) {
    if (!line.includes(readyMessage)) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === readyMessage && entry.url) return entry.url;
    } catch {
      // not JSON: other output
    }
  }
  return null;
}

/** Resident set size of `pid`, in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time of `pid`, in microseconds (fields 14 and 15 of /proc/PID/stat). */
export function cpuMicrosOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** `node dist/main.js <role>` in production mode, the way it is deployed (build dist/ first). */
export function startServiceProcess(role: 'api' | 'all', env: Record<string, string>): Promise<BenchProcess> {
  return startBenchProcess([path.join(ROOT, 'dist/main.js'), role], env, 'GraphQL API ready');
}

/** One of the reference servers under bench/reference/, run through tsx. */
export function startReferenceProcess(file: string, env: Record<string, string>): Promise<BenchProcess> {
  return startBenchProcess(
    ['--import', 'tsx', path.join(ROOT, 'bench/reference', file)],
    { NODE_ENV: 'production', ...env },
    'reference ready',
  );
}
