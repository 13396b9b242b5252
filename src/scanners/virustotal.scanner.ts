import { setTimeout as sleep } from 'node:timers/promises';
import { verdictOf, type ScanTarget, type ScanVerdict, type Scanner, type SignatureInfo } from './scanner';
import { sha256OfStream } from './stream-digest';
import {
  VirusTotalApiError,
  VirusTotalClient,
  VirusTotalUnreachableError,
} from './virustotal/virustotal-client';
import { interpretVirusTotalStats, type VirusTotalOutcome } from './virustotal/virustotal-verdict';

/** VirusTotal's public API v3. */
const VIRUSTOTAL_DEFAULT_URL = 'https://www.virustotal.com/api/v3';

// VirusTotal caps POST /files at a 32 MB payload (multipart framing included, so stay under it)
// and uploads through /files/upload_url at 650 MB.
const DIRECT_UPLOAD_LIMIT_BYTES = 32_000_000;
const LARGE_UPLOAD_LIMIT_BYTES = 650 * 1024 * 1024;
const RATE_LIMIT_RETRIES = 2;

/** How to reach VirusTotal and how patiently to wait for it. */
export interface VirusTotalScannerOptions {
  /** Sent as `x-apikey`, only ever to the origin of `url`; never logged or put in a reason. */
  apiKey: string;
  /** @default 'https://www.virustotal.com/api/v3' */
  url?: string;
  /**
   * First wait before polling a new analysis; each further wait doubles. The public API
   * allows 4 requests a minute, hence the slow default.
   * @default 15000
   */
  pollIntervalMs?: number;
  /** @default 120000 */
  maxPollIntervalMs?: number;
  /**
   * Budget for the whole scan: hashing, lookup, upload and analysis. When it runs out the
   * verdict is `error` (retry later); a fresh upload usually needs one to five minutes.
   * @default 600000
   */
  timeoutMs?: number;
  /**
   * Objects up to this size are sent with `POST /files`; larger ones through a URL from
   * `GET /files/upload_url`. Only tests need to change it.
   * @default 32000000
   */
  directUploadLimitBytes?: number;
}

/**
 * VirusTotal API v3: looks the object's SHA-256 up and, when VirusTotal has never seen it,
 * uploads it and polls the analysis until it completes.
 *
 * Uploading shares the file with VirusTotal and its partners (premium users can download
 * submitted files): only enable this engine when the uploads may be shared. The file is sent
 * under its asset id, never its user-given name.
 *
 * Memory stays bounded: the hash and the upload each stream the object (`target.open()` is
 * called once for the hash and once per upload attempt), the upload body as a streamed
 * multipart with a known length, for both upload routes.
 *
 * Like the other engines, `scan` resolves to an `error` verdict for VirusTotal's failures
 * (unreachable, bad key, rate limited, analysis not done within `timeoutMs`) and rejects only
 * on the caller's abort or when reading the object fails.
 */
export class VirusTotalScanner implements Scanner {
  readonly engine = 'virustotal';
  readonly maxScanBytes = LARGE_UPLOAD_LIMIT_BYTES;
  private readonly client: VirusTotalClient;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly directUploadLimitBytes: number;

  constructor(private readonly options: VirusTotalScannerOptions) {
    if (!options.apiKey) throw new Error('VirusTotalScanner needs an API key');
    this.client = new VirusTotalClient(
      (options.url ?? VIRUSTOTAL_DEFAULT_URL).replace(/\/+$/, ''),
      options.apiKey,
    );
    this.pollIntervalMs = options.pollIntervalMs ?? 15_000;
    this.maxPollIntervalMs = Math.max(options.maxPollIntervalMs ?? 120_000, this.pollIntervalMs);
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.directUploadLimitBytes = options.directUploadLimitBytes ?? DIRECT_UPLOAD_LIMIT_BYTES;
  }

  async scan(target: ScanTarget, signal?: AbortSignal): Promise<ScanVerdict> {
    signal?.throwIfAborted();
    if (target.size > LARGE_UPLOAD_LIMIT_BYTES) {
      return this.errorVerdict(
        `the object is larger than VirusTotal accepts (${LARGE_UPLOAD_LIMIT_BYTES} bytes)`,
      );
    }
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const deadlineAt = Date.now() + this.timeoutMs;
    const scanSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      const sha256 = await sha256OfStream(await target.open(), scanSignal);
      const report = await this.retryWhenRateLimited(
        () => this.client.getFileReport(sha256, scanSignal),
        deadlineAt,
        scanSignal,
      );
      if (report) {
        return this.verdict(
          interpretVirusTotalStats(report.last_analysis_stats, report.last_analysis_results),
          report.last_analysis_date,
        );
      }
      const analysisId = await this.retryWhenRateLimited(
        () => this.upload(target, scanSignal),
        deadlineAt,
        scanSignal,
      );
      return await this.awaitAnalysis(analysisId, scanSignal);
    } catch (error) {
      signal?.throwIfAborted();
      if (deadline.aborted)
        return {
          ...this.errorVerdict(`VirusTotal did not finish within ${this.timeoutMs} ms`),
          unavailable: true,
        };
      if (error instanceof VirusTotalApiError) return this.apiErrorVerdict(error);
      if (error instanceof VirusTotalUnreachableError)
        return { ...this.errorVerdict(error.message), unavailable: true };
      throw error;
    }
  }

  /** VirusTotal's engines update their signatures on their own; there is no version to watch. */
  async signatures(): Promise<SignatureInfo[]> {
    return [];
  }

  /** VirusTotal has no cheap unauthenticated ping: this checks only that the engine is configured. */
  async ping(): Promise<string> {
    return 'VirusTotal API v3';
  }

  private async upload(target: ScanTarget, signal: AbortSignal): Promise<string> {
    const uploadUrl =
      target.size > this.directUploadLimitBytes ? await this.client.getLargeUploadUrl(signal) : undefined;
    const stream = await target.open();
    try {
      return await this.client.uploadFile(
        { stream, size: target.size, name: target.assetId },
        signal,
        uploadUrl,
      );
    } finally {
      stream.destroy();
    }
  }

  private async awaitAnalysis(analysisId: string, signal: AbortSignal): Promise<ScanVerdict> {
    let interval = this.pollIntervalMs;
    // Ends when the analysis completes or the scan's deadline aborts the wait.
    for (;;) {
      await sleep(interval, undefined, { signal });
      interval = Math.min(interval * 2, this.maxPollIntervalMs);
      try {
        const analysis = await this.client.getAnalysis(analysisId, signal);
        if (analysis.status === 'completed') {
          return this.verdict(interpretVirusTotalStats(analysis.stats, analysis.results), analysis.date);
        }
      } catch (error) {
        // Mid-poll, a rate limit only means "ask later": giving up would waste the upload.
        if (!(error instanceof VirusTotalApiError && error.status === 429)) throw error;
        interval = Math.max(interval, error.retryAfterMs ?? 0);
      }
    }
  }

  /** Waits out a 429 when VirusTotal says how long and that still fits in the budget. */
  private async retryWhenRateLimited<T>(
    call: () => Promise<T>,
    deadlineAt: number,
    signal: AbortSignal,
  ): Promise<T> {
    for (let retries = 0; ; retries++) {
      try {
        return await call();
      } catch (error) {
        const wait =
          error instanceof VirusTotalApiError && error.status === 429 ? error.retryAfterMs : undefined;
        if (wait === undefined || retries >= RATE_LIMIT_RETRIES || Date.now() + wait >= deadlineAt)
          throw error;
        await sleep(wait, undefined, { signal });
      }
    }
  }

  private verdict(outcome: VirusTotalOutcome, analysisDate?: number): ScanVerdict {
    const engineVersion = analysisDate
      ? `VirusTotal API v3, analysis of ${new Date(analysisDate * 1000).toISOString()}`
      : 'VirusTotal API v3';
    return { ...verdictOf(this.engine, outcome), engineVersion };
  }

  private apiErrorVerdict(error: VirusTotalApiError): ScanVerdict {
    if (error.status === 429) {
      const after =
        error.retryAfterMs === undefined ? '' : ` (Retry-After ${Math.ceil(error.retryAfterMs / 1000)} s)`;
      return {
        ...this.errorVerdict(`VirusTotal rate limited this key, retry later${after}`),
        retryAfterMs: error.retryAfterMs,
        unavailable: true,
      };
    }
    // 5xx: VirusTotal could not serve; 4xx other than 429 is about the request (or the key).
    return { ...this.errorVerdict(error.message), ...(error.status >= 500 ? { unavailable: true } : {}) };
  }

  private errorVerdict(reason: string): ScanVerdict & { outcome: 'error' } {
    // Belt and braces: no reason ever carries the key, whatever a server echoed back.
    const safeReason = reason.split(this.options.apiKey).join('[redacted]');
    return { outcome: 'error', engine: this.engine, reason: safeReason, engineVersion: 'VirusTotal API v3' };
  }
}
