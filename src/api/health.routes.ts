import { Router } from 'express';
import type { Registry } from 'prom-client';
import { withTimeout } from '../with-timeout';

export type ReadinessCheck = () => Promise<void>;

/**
 * Liveness, readiness (every dependency answers) and Prometheus metrics; no token needed.
 * `scanner` is reported beside readiness, never as part of it: an API replica stays ready while
 * the scanner is down (scans wait and retry in the queue).
 */
export function healthRoutes(
  checks: Record<string, ReadinessCheck>,
  registry: Registry,
  scanner: () => Promise<string | undefined>,
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

async function describeScanner(ping: () => Promise<string | undefined>, timeoutMs: number) {
  let version: string | undefined;
  const ok = await probe(async () => {
    version = await ping();
  }, timeoutMs);
  return ok ? { status: 'ok', version: version ?? null } : { status: 'unavailable' };
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  try {
    await withTimeout(check(), timeoutMs);
    return true;
  } catch {
    return false;
  }
}
