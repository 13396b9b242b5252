import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendClamdCommand } from '../../src/scanners/clamd/clamd-connection';
import { freePort } from './ports';

/** The project's tiny signature database (EICAR only): freshclam cannot run without internet. */
export const CLAMAV_FIXTURES_DIR = path.resolve(__dirname, '../fixtures/clamav');

/** Where CI's clamd listens (scripts/clamd.sh) and the service's default CLAMAV_PORT. */
export const SHARED_CLAMD_PORT = 3310;

const CLAMD_BIN = process.env.CLAMD_BIN ?? '/usr/sbin/clamd';
const HOST = '127.0.0.1';

export interface EnsureClamdOptions {
  /**
   * Port to use. Something already answering PING there is reused as is. Without it: the
   * shared clamd on 3310 when it answers and no setting of its own is asked for, else a clamd
   * of our own on a free port (so no two test files race for one port).
   */
  port?: number;
  /** clamd's StreamMaxLength for a clamd we start, e.g. `1M`. @default '100M' */
  streamMaxLength?: string;
  /**
   * clamd's MaxFileSize and MaxScanSize for a clamd we start. clamd passes a file over them as
   * clean without scanning its rest, so a bench of large files must raise them.
   * @default '100M' and '400M'
   */
  scanLimit?: string;
  /**
   * Turns off clamd's clean-file cache in a clamd we start, so bytes scanned before are
   * scanned again rather than recognised by their hash (benchmarks of repeated bytes).
   */
  disableCache?: boolean;
  /**
   * Starts a clamd of its own with a copy of the project's signature database in its own
   * directory (`databaseDir`), so a test can add signatures and `RELOAD` without touching the
   * shared clamd or test/fixtures/clamav.
   */
  ownDatabase?: boolean;
  /** @default 30000 */
  startTimeoutMs?: number;
}

export interface ClamdHandle {
  host: string;
  port: number;
  /** True when this call spawned the clamd (then `pid` is set and `stop` ends it). */
  started: boolean;
  pid?: number;
  /** The database directory of a clamd started with `ownDatabase`. */
  databaseDir?: string;
  /** Stops the clamd this call started; does nothing to one it reused. */
  stop(): Promise<void>;
}

/** Resolves with a clamd answering PING: reused when one is there, otherwise started. */
export async function ensureClamd(options: EnsureClamdOptions = {}): Promise<ClamdHandle> {
  if (options.port !== undefined) {
    if (await answersPing(options.port)) return reused(options.port);
    return startClamd(options.port, options);
  }
  const ownSettings =
    options.streamMaxLength !== undefined ||
    options.scanLimit !== undefined ||
    options.disableCache ||
    options.ownDatabase;
  if (!ownSettings && (await answersPing(SHARED_CLAMD_PORT))) {
    return reused(SHARED_CLAMD_PORT);
  }
  return startClamd(await freePort(), options);
}

/** True when a clamd at 127.0.0.1:`port` answers `zPING` with `PONG`. */
export async function answersPing(port: number, host = HOST): Promise<boolean> {
  try {
    const reply = await sendClamdCommand({ host, port, connectTimeoutMs: 500, idleTimeoutMs: 1_000 }, 'PING');
    return reply.trim() === 'PONG';
  } catch {
    return false;
  }
}

function reused(port: number): ClamdHandle {
  return { host: HOST, port, started: false, stop: async () => {} };
}

async function startClamd(port: number, options: EnsureClamdOptions): Promise<ClamdHandle> {
  if (!existsSync(CLAMD_BIN)) {
    throw new Error(`clamd not found at ${CLAMD_BIN}: apt-get install -y clamav-daemon (or set CLAMD_BIN)`);
  }
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'clamd-test-'));
  const configFile = path.join(runDir, 'clamd.conf');
  const logFile = path.join(runDir, 'clamd.log');
  const outputFile = path.join(runDir, 'clamd.out');
  const databaseDir = options.ownDatabase ? path.join(runDir, 'database') : CLAMAV_FIXTURES_DIR;
  if (options.ownDatabase) await cp(CLAMAV_FIXTURES_DIR, databaseDir, { recursive: true });
  await writeFile(
    configFile,
    clamdConfig({
      port,
      runDir,
      databaseDir,
      logFile,
      streamMaxLength: options.streamMaxLength ?? '100M',
      scanLimit: options.scanLimit,
      disableCache: options.disableCache ?? false,
    }),
  );

  // clamd's own early errors (bad config, port taken) go to stderr before its log file opens.
  const output = openSync(outputFile, 'a');
  const child = spawn(CLAMD_BIN, [`--config-file=${configFile}`], { stdio: ['ignore', output, output] });
  closeSync(output);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const cleanUp = async () => {
    process.off('exit', killOnExit);
    await stopChild(child);
    await rm(runDir, { recursive: true, force: true });
  };

  try {
    await waitForPong(child, port, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    const tail = logTail(outputFile, logFile);
    await cleanUp();
    // Another test file may have started one on this port in the meantime: use that one.
    if (await answersPing(port)) return reused(port);
    throw new Error(`${(error as Error).message}\n--- clamd output (tail) ---\n${tail}`);
  }
  return {
    host: HOST,
    port,
    started: true,
    pid: child.pid,
    ...(options.ownDatabase ? { databaseDir } : {}),
    stop: cleanUp,
  };
}

function clamdConfig(settings: {
  port: number;
  runDir: string;
  databaseDir: string;
  logFile: string;
  streamMaxLength: string;
  scanLimit?: string;
  disableCache: boolean;
}): string {
  return [
    `DatabaseDirectory ${settings.databaseDir}`,
    `TCPSocket ${settings.port}`,
    `TCPAddr ${HOST}`,
    'Foreground yes',
    `PidFile ${path.join(settings.runDir, 'clamd.pid')}`,
    `LogFile ${settings.logFile}`,
    `TemporaryDirectory ${settings.runDir}`,
    `StreamMaxLength ${settings.streamMaxLength}`,
    `MaxFileSize ${settings.scanLimit ?? '100M'}`,
    `MaxScanSize ${settings.scanLimit ?? '400M'}`,
    'SelfCheck 0',
    `DisableCache ${settings.disableCache ? 'yes' : 'no'}`,
    '',
  ].join('\n');
}

async function waitForPong(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `clamd exited (${child.exitCode ?? child.signalCode}) before answering PING on port ${port}`,
      );
    }
    if (await answersPing(port)) return;
    await sleep(50);
  }
  throw new Error(`clamd did not answer PING on port ${port} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT'); // a test may have paused it; a stopped process ignores SIGTERM until resumed
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function logTail(...files: string[]): string {
  return files
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'utf8').split('\n').slice(-20).join('\n'))
    .join('\n');
}

/**
 * Makes a clamd re-read its database directory (`RELOAD`) and resolves once `VERSION` says
 * `done(version)`: clamd reloads in the background and answers with the old database meanwhile.
 */
export async function reloadClamd(
  handle: ClamdHandle,
  done: (version: string) => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<string> {
  const endpoint = { host: handle.host, port: handle.port, connectTimeoutMs: 1_000, idleTimeoutMs: 5_000 };
  const reply = await sendClamdCommand(endpoint, 'RELOAD');
  if (reply.trim() !== 'RELOADING') throw new Error(`clamd answered RELOAD with ${JSON.stringify(reply)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const version = (await sendClamdCommand(endpoint, 'VERSION')).trim();
    if (await done(version)) return version;
    if (Date.now() > deadline) throw new Error(`clamd still says ${version} ${timeoutMs} ms after RELOAD`);
    await sleep(50);
  }
}
