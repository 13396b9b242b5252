import type { Readable } from 'node:stream';

/**
 * Signature version per engine name, e.g. `{ clamav: '1.4.6/27002' }`: what a verdict was made
 * with, so assets can be scanned again when an engine's signatures change.
 */
export type SignatureVersions = Record<string, string>;

/** What one engine's signatures are right now. */
export interface SignatureInfo {
  engine: string;
  /** Changes whenever the engine's signatures change (clamd: engine and database version). */
  version: string;
  /** When the signatures were published, when the engine says (clamd's database date). */
  updatedAt?: Date;
}

/** A detection: which engine found it, under which name. */
export interface Threat {
  engine: string;
  name: string;
}

interface VerdictBase {
  engine: string;
  engineVersion?: string;
  /** The signature versions this verdict was made with, when the engines say. */
  signatures?: SignatureVersions;
}

/** The outcome of one engine scanning one object. */
export type ScanVerdict =
  | ({ outcome: 'clean' } & VerdictBase)
  | ({ outcome: 'infected'; threats: Threat[] } & VerdictBase)
  /** The engine could not decide (unreachable, limits exceeded, timeout). Never treated as clean. */
  | ({
      outcome: 'error';
      reason: string;
      /** When the engine said how long to wait before trying again (VirusTotal's `Retry-After`). */
      retryAfterMs?: number;
      /**
       * The engine could not be reached or did not answer (refused, timed out, 5xx, rate
       * limited): it said nothing about the file, so the scan waits for it instead of counting
       * an attempt. Unset for what is about the file (over the engine's limits, unreadable).
       */
      unavailable?: boolean;
    } & VerdictBase);

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
   * The largest object the engine can scan whole, in bytes (Infinity when unbounded). A larger
   * one gets an `error` verdict without being sent: nothing unscanned is ever CLEAN.
   */
  readonly maxScanBytes: number;
  /**
   * Scans one object. An engine that cannot decide (unreachable, timed out, rate limited,
   * object over its limits) resolves to an `error` verdict; it does not reject. It rejects
   * only with `signal.reason` when the caller aborts, or with the error of `target.open()` or
   * of reading the object (a storage problem, not a scan result). Callers retry both.
   */
  scan(target: ScanTarget, signal?: AbortSignal): Promise<ScanVerdict>;
  /** Throws when the engine cannot be reached; resolves to its version string when it has one. */
  ping(): Promise<string | undefined>;
  /**
   * The signatures each engine uses now; empty for an engine without versioned signatures
   * (VirusTotal's engines update on their own). Throws when an engine cannot be reached.
   */
  signatures(signal?: AbortSignal): Promise<SignatureInfo[]>;
}

/** What an engine's reply parser says, before the engine puts its name on it. */
export type EngineOutcome =
  { outcome: 'clean' } | { outcome: 'infected'; threats: string[] } | { outcome: 'error'; reason: string };

/** An engine's parsed outcome as a verdict of that engine: every threat names the engine that found it. */
export function verdictOf(engine: string, outcome: EngineOutcome): ScanVerdict {
  if (outcome.outcome !== 'infected') return { ...outcome, engine };
  return { outcome: 'infected', engine, threats: outcome.threats.map((name) => ({ engine, name })) };
}
