import type { ScanTarget, ScanVerdict, Scanner, SignatureInfo, SignatureVersions } from './scanner';

/**
 * Runs several engines on the same object at once (each opens its own stream) and combines
 * their verdicts with {@link combineVerdicts}. If one engine rejects (abort, unreadable object),
 * the others are aborted too and `scan` rejects with that first error.
 */
export class MultiScanner implements Scanner {
  readonly engine: string;
  /** Every engine must scan the whole object: the smallest limit is the limit. */
  readonly maxScanBytes: number;

  constructor(private readonly scanners: readonly Scanner[]) {
    if (scanners.length === 0) throw new Error('MultiScanner needs at least one engine');
    this.engine = scanners.map((scanner) => scanner.engine).join('+');
    this.maxScanBytes = Math.min(...scanners.map((scanner) => scanner.maxScanBytes));
  }

  async scan(target: ScanTarget, signal?: AbortSignal): Promise<ScanVerdict> {
    signal?.throwIfAborted();
    const stopOthers = new AbortController();
    const engineSignal = signal ? AbortSignal.any([signal, stopOthers.signal]) : stopOthers.signal;
    const settled = await Promise.allSettled(
      this.scanners.map((scanner) =>
        scanner.scan(target, engineSignal).catch((error: unknown) => {
          stopOthers.abort(error);
          throw error;
        }),
      ),
    );
    signal?.throwIfAborted();
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    return combineVerdicts(
      this.engine,
      settled.map((result) => (result as PromiseFulfilledResult<ScanVerdict>).value),
    );
  }

  /** Pings every engine; throws if any cannot be reached. */
  async ping(): Promise<string> {
    const versions = await Promise.all(
      this.scanners.map(async (scanner) => `${scanner.engine}=${(await scanner.ping()) ?? '?'}`),
    );
    return versions.join('; ');
  }

  /** Every engine's signatures; throws if any engine cannot be reached. */
  async signatures(signal?: AbortSignal): Promise<SignatureInfo[]> {
    return (await Promise.all(this.scanners.map((scanner) => scanner.signatures(signal)))).flat();
  }
}

/**
 * Combines per-engine verdicts: any detection makes it infected (the threats of every engine that
 * found something, each naming its engine); otherwise any error makes it an error
 * (an engine that could not look must not let the object through); only all-clean is clean.
 */
export function combineVerdicts(engine: string, verdicts: readonly ScanVerdict[]): ScanVerdict {
  const versions = verdicts
    .filter((verdict) => verdict.engineVersion)
    .map((verdict) => `${verdict.engine}=${verdict.engineVersion}`);
  const engineVersion = versions.length > 0 ? versions.join('; ') : undefined;
  const merged: SignatureVersions = Object.assign({}, ...verdicts.map((verdict) => verdict.signatures ?? {}));
  const signatures = Object.keys(merged).length > 0 ? merged : undefined;

  const threats = verdicts.flatMap((verdict) => (verdict.outcome === 'infected' ? verdict.threats : []));
  if (threats.length > 0) return { outcome: 'infected', engine, threats, engineVersion, signatures };

  const errors = verdicts.filter((verdict) => verdict.outcome === 'error');
  if (errors.length > 0 || verdicts.length === 0) {
    const reason =
      verdicts.length === 0
        ? 'no engine ran'
        : errors.map((verdict) => `${verdict.engine}: ${verdict.reason}`).join('; ');
    const waits = errors.flatMap((verdict) =>
      verdict.retryAfterMs === undefined ? [] : [verdict.retryAfterMs],
    );
    // Waiting helps only if every engine that failed was merely unreachable.
    const unavailable = errors.length > 0 && errors.every((verdict) => verdict.unavailable);
    return {
      outcome: 'error',
      engine,
      reason,
      engineVersion,
      signatures,
      ...(waits.length > 0 ? { retryAfterMs: Math.max(...waits) } : {}),
      ...(unavailable ? { unavailable } : {}),
    };
  }
  return { outcome: 'clean', engine, engineVersion, signatures };
}
