import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { SignatureInfo } from '../scanners/scanner';
import { withTimeout } from '../with-timeout';

export type ReadinessCheck = () => Promise<void>;

/** What /readyz asks the scanner: that it answers, and what its signatures are. */
export interface ScannerProbe {
  ping(): Promise<string | undefined>;
  signatures(): Promise<SignatureInfo[]>;
}

/**
 * Liveness, readiness (every dependency answers) and Prometheus metrics; no token needed.
 * `scanner` is reported beside readiness, never as part of it: an API replica stays ready while
 * the scanner is down (scans wait and retry in the queue).
 */
export function healthRoutes(
  checks: Record<string, ReadinessCheck>,
  registry: Registry,
  scanner: ScannerProbe,
  timeoutMs = 2000,
): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    // Asked alongside the checks, so a slow scanner and a slow dependency cost one timeout, not two.
    const scannerStatus = describeScanner(scanner, timeoutMs);
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await probe(check, timeoutMs)] as const),
    );
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    res.status(failing.length ? 503 : 200).json({
      status: failing.length ? 'unavailable' : 'ready',
      checks: Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'unavailable'])),
      ...(failing.length ? { failing } : {}),
      scanner: await scannerStatus,
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  });
  return router;
}

/** The scanner's version and each engine's signatures (version, date, age), or that it is down. */
async function describeScanner(scanner: ScannerProbe, timeoutMs: number) {
  let version: string | undefined;
  let signatures: SignatureInfo[] = [];
  const ok = await probe(async () => {
    [version, signatures] = await Promise.all([scanner.ping(), scanner.signatures()]);
  }, timeoutMs);
  if (!ok) return { status: 'unavailable' };
  const now = Date.now();
  return {
    status: 'ok',
    version: version ?? null,
    signatures: signatures.map((info) => ({
      engine: info.engine,
      version: info.version,
      updatedAt: info.updatedAt?.toISOString() ?? null,
      ageSeconds: info.updatedAt ? Math.round((now - info.updatedAt.getTime()) / 1000) : null,
    })),
  };
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  try {
    await withTimeout(check(), timeoutMs);
    return true;
  } catch {
    return false;
  }
}
