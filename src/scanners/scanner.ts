import type { Readable } from 'node:stream';

/** The outcome of one engine scanning one object. */
export type ScanVerdict =
  | { outcome: 'clean'; engine: string; engineVersion?: string }
  | { outcome: 'infected'; engine: string; threats: string[]; engineVersion?: string }
  /** The engine could not decide (unreachable, limits exceeded, timeout). Never treated as clean. */
  | {
      outcome: 'error';
      engine: string;
      reason: string;
      engineVersion?: string;
      /** When the engine said how long to wait before trying again (VirusTotal's `Retry-After`). */
      retryAfterMs?: number;
    };

/** The object to scan; `open` may be called once per engine, each call gives a fresh stream. */
export interface ScanTarget {
  assetId: string;
  size: number;
  open(): Promise<Readable>;
}

/** One virus-scanning engine (or several combined, see `MultiScanner`). */
export interface Scanner {
  /** Names the engine in verdicts and logs, e.g. `clamav` or `clamav+virustotal`. */
  readonly engine: string;
  /**
   * Scans one object. An engine that cannot decide (unreachable, timed out, rate limited,
   * object over its limits) resolves to an `error` verdict; it does not reject. It rejects
   * only with `signal.reason` when the caller aborts, or with the error of `target.open()` or
   * of reading the object (a storage problem, not a scan result). Callers retry both.
   */
  scan(target: ScanTarget, signal?: AbortSignal): Promise<ScanVerdict>;
  /** Throws when the engine cannot be reached; resolves to its version string when it has one. */
  ping(): Promise<string | undefined>;
}
