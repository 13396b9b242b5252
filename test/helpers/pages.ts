import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PAGES_DIR } from '../../src/api/web-client.routes';
import { ROOT } from './process';

const run = promisify(execFile);
const WEB_DIR = path.join(ROOT, 'web');
const STAMP = path.join(PAGES_DIR, '.sources-sha256');
const LOCK = path.join(ROOT, '.tmp', 'pages-build.lock');
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 5 * 60_000;

/** A digest of everything the pages are built from: web/ and the installed packages' lock. */
async function sourcesDigest(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(WEB_DIR, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of [...files, path.join(ROOT, 'package-lock.json')]) {
    hash
      .update(path.relative(ROOT, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex');
}

async function readStamp(): Promise<string | null> {
  return readFile(STAMP, 'utf8').catch(() => null);
}

/** Takes the build lock (a directory: mkdir is atomic), waiting while another test file holds it. */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const age = await stat(LOCK).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/**
 * Builds the pages into dist/public (as `npm run build` does) unless they are already built from
 * the current sources, so the browser tests work on a clean clone and never test stale pages.
 */
export async function ensurePagesBuilt(): Promise<void> {
  const digest = await sourcesDigest();
  if ((await readStamp()) === digest) return;
  await withLock(async () => {
    if ((await readStamp()) === digest) return;
    await run(
      process.execPath,
      [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.mts'],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
    await writeFile(STAMP, digest);
  });
}
