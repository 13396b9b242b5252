import {
  ClamdExchangeError,
  ClamdUnreachableError,
  MAX_INSTREAM_CHUNK,
  sendClamdCommand,
  sendInstream,
  type ClamdEndpoint,
} from './clamd/clamd-connection';
import { interpretInstreamReply } from './clamd/clamd-reply';
import { clamdSignatureVersion, parseClamdVersion } from './clamd/clamd-version';
import {
  verdictOf,
  type ScanTarget,
  type ScanVerdict,
  type Scanner,
  type SignatureInfo,
  type SignatureVersions,
} from './scanner';

/** Where and how to reach clamd. */
/** clamd's StreamMaxLength cannot be set above 4 GiB (its counters are 32-bit). */
export const CLAMD_MAX_STREAM_BYTES = 4 * 1024 ** 3 - 1;

export interface ClamAvScannerOptions {
  host: string;
  port: number;
  /**
   * The clamd's StreamMaxLength, in bytes (clamd does not tell its clients): larger objects get
   * an `error` verdict without being streamed. At most (and by default) 4 GiB.
   * @default CLAMD_MAX_STREAM_BYTES
   */
  maxStreamBytes?: number;
  /**
   * Longest silence tolerated on the connection, in either direction: clamd scanning, clamd
   * not reading, or our source not delivering. Not a cap on the whole scan, which may run as
   * long as bytes keep moving.
   * @default 60000
   */
  timeoutMs?: number;
  /**
   * How long to wait for clamd to accept the connection.
   * @default the smaller of timeoutMs and 5000
   */
  connectTimeoutMs?: number;
  /**
   * Bytes per INSTREAM chunk, at most 65536.
   * @default 65536
   */
  chunkSize?: number;
  /**
   * How long a version read from clamd (`VERSION`) is reused before asking again. The version
   * names the signature database, which freshclam replaces while clamd runs.
   * @default 60000
   */
  versionTtlMs?: number;
}

/**
 * ClamAV through clamd's TCP protocol (INSTREAM), streaming the object without buffering it.
 *
 * `scan` never rejects for clamd's sake: unreachable, timed out, hung up, or over its
 * StreamMaxLength all resolve to an `error` verdict with a reason, which the scan job retries
 * like any other "could not scan". It rejects only with the caller's abort reason, or with the
 * error of `target.open()` / the object stream itself (a storage problem, not a scan result).
 *
 * `ping` does throw when clamd cannot be reached, as the {@link Scanner} contract says.
 */
export class ClamAvScanner implements Scanner {
  readonly engine = 'clamav';
  readonly maxScanBytes: number;
  private readonly endpoint: ClamdEndpoint;
  private readonly chunkSize: number;
  private readonly versionTtlMs: number;
  private cachedVersion?: { value: string; readAt: number };

  constructor(options: ClamAvScannerOptions) {
    const timeoutMs = options.timeoutMs ?? 60_000;
    this.endpoint = {
      host: options.host,
      port: options.port,
      idleTimeoutMs: timeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? Math.min(timeoutMs, 5_000),
    };
    this.chunkSize = Math.max(1, Math.min(options.chunkSize ?? MAX_INSTREAM_CHUNK, MAX_INSTREAM_CHUNK));
    this.versionTtlMs = options.versionTtlMs ?? 60_000;
    this.maxScanBytes = Math.min(options.maxStreamBytes ?? CLAMD_MAX_STREAM_BYTES, CLAMD_MAX_STREAM_BYTES);
  }

  async scan(target: ScanTarget, signal?: AbortSignal): Promise<ScanVerdict> {
    signal?.throwIfAborted();
    if (target.size > this.maxScanBytes) {
      return {
        outcome: 'error',
        engine: this.engine,
        reason: `the object (${target.size} bytes) is larger than clamd scans (${this.maxScanBytes} bytes)`,
      };
    }
    // Asked alongside the scan, not before it, so a slow VERSION never delays the scan.
    const engineVersion = this.versionForVerdict(signal);
    const source = await target.open();
    let reply: string;
    try {
      reply = await sendInstream(this.endpoint, source, { chunkSize: this.chunkSize, signal });
    } catch (error) {
      if (error instanceof ClamdUnreachableError || error instanceof ClamdExchangeError) {
        // A broken exchange is about the file (over StreamMaxLength, say) only if clamd still
        // answers; if it does not, clamd died or hangs, which says nothing about the file.
        const unavailable = error instanceof ClamdUnreachableError || !(await this.answers(signal));
        return {
          outcome: 'error',
          engine: this.engine,
          reason: error.message,
          ...(unavailable ? { unavailable } : {}),
          ...versionFields(await engineVersion),
        };
      }
      throw error;
    }
    return {
      ...verdictOf(this.engine, interpretInstreamReply(reply)),
      ...versionFields(await engineVersion),
    };
  }

  /** Reads `VERSION` now (not from the cache): the engine and daily database version, and its date. */
  async signatures(signal?: AbortSignal): Promise<SignatureInfo[]> {
    const reply = await this.readVersion(signal);
    const parsed = parseClamdVersion(reply);
    if (!parsed)
      throw new ClamdExchangeError(`clamd answered VERSION with ${JSON.stringify(reply.slice(0, 100))}`);
    return [{ engine: this.engine, version: clamdSignatureVersion(parsed), updatedAt: parsed.databaseDate }];
  }

  /** Checks `PING` → `PONG`, then returns clamd's `VERSION`, e.g. `ClamAV 1.0.7/27000/Mon Jul 1 …`. */
  async ping(signal?: AbortSignal): Promise<string> {
    const pong = await sendClamdCommand(this.endpoint, 'PING', signal);
    if (pong.trim() !== 'PONG') {
      throw new ClamdExchangeError(`clamd answered PING with ${JSON.stringify(pong.slice(0, 100))}`);
    }
    return this.readVersion(signal);
  }

  private async answers(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.ping(signal);
      return true;
    } catch {
      signal?.throwIfAborted();
      return false;
    }
  }

  private async readVersion(signal?: AbortSignal): Promise<string> {
    const version = (await sendClamdCommand(this.endpoint, 'VERSION', signal)).trim();
    this.cachedVersion = { value: version, readAt: Date.now() };
    return version;
  }

  /** The version is worth recording (rescans after signature updates use it), not failing a scan over. */
  private async versionForVerdict(signal?: AbortSignal): Promise<string | undefined> {
    const cached = this.cachedVersion;
    if (cached && Date.now() - cached.readAt < this.versionTtlMs) return cached.value;
    try {
      return await this.readVersion(signal);
    } catch {
      return cached?.value;
    }
  }
}

function versionFields(engineVersion: string | undefined): {
  engineVersion?: string;
  signatures?: SignatureVersions;
} {
  const parsed = engineVersion ? parseClamdVersion(engineVersion) : null;
  return {
    engineVersion,
    ...(parsed ? { signatures: { clamav: clamdSignatureVersion(parsed) } } : {}),
  };
}
