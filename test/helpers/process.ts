import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export const ROOT = path.resolve(__dirname, '../..');

/** Compiles `dist/` the way `npm run build` does, so process tests run the real build. */
export function buildDist(): void {
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

export interface ServiceProcess {
  child: ChildProcess;
  /** The GraphQL URL, for the api and all roles. */
  url?: string;
  logs: string[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node dist/main.js <role>` and resolves once it says it is ready. */
export function startServiceProcess(
  role: 'api' | 'worker' | 'all',
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/main.js'), role], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill('SIGKILL');
      reject(new Error(`${role} did not start in ${timeoutMs} ms:\n${logs.slice(-20).join('\n')}`));
    }, timeoutMs);
    child.stderr!.on('data', (chunk) => logs.push(String(chunk)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      const entry = parseJson(line);
      if (!entry) return;
      const ready =
        (role !== 'worker' && entry.msg === 'GraphQL API ready') ||
        (role === 'worker' && entry.msg === 'workers started');
      if (ready) {
        clearTimeout(timer);
        resolve({ child, url: entry.url as string | undefined, logs, kill });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited with ${code}:\n${logs.slice(-20).join('\n')}`));
    });
  });
}

function parseJson(line: string): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Starts `src/main.ts api` (through tsx) with `env` and expects it to refuse: exit code 1 and
 * exactly one line on stderr, nothing on stdout. Resolves to that line.
 */
export async function startUpFailureLine(env: Record<string, string>): Promise<string> {
  const failure = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['src/main.ts', 'api'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
  const lines = failure.stderr.trim().split('\n');
  if (failure.code !== 1 || lines.length !== 1 || failure.stdout !== '') {
    throw new Error(`expected exit 1 with one line on stderr, got ${JSON.stringify(failure)}`);
  }
  return lines[0]!;
}
