import type { Readable } from 'node:stream';
import { errorCode, errorMessage } from '../../error-details';
import { multipartFileBody } from './multipart-body';

/** One engine's opinion, as in `last_analysis_results` and an analysis' `results`. */
export interface VirusTotalEngineResult {
  category?: string;
  engine_name?: string;
  result?: string | null;
}

/** Counts per category, as in `last_analysis_stats` and an analysis' `stats`. */
export type VirusTotalStats = Partial<Record<string, number>>;

/** The parts of a file object (`GET /files/{id}`) this service reads. */
export interface VirusTotalFileReport {
  last_analysis_date?: number;
  last_analysis_stats?: VirusTotalStats;
  last_analysis_results?: Record<string, VirusTotalEngineResult>;
}

/** The parts of an analysis object (`GET /analyses/{id}`) this service reads. */
export interface VirusTotalAnalysis {
  status?: string;
  date?: number;
  stats?: VirusTotalStats;
  results?: Record<string, VirusTotalEngineResult>;
}

/** VirusTotal answered with an HTTP error status. Never carries the API key. */
export class VirusTotalApiError extends Error {
  override name = 'VirusTotalApiError';

  constructor(
    readonly status: number,
    /** VirusTotal's error code, e.g. `QuotaExceededError`, when its body had one. */
    readonly apiCode: string | undefined,
    message: string,
    /** From `Retry-After`, when VirusTotal sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A request to VirusTotal failed without an HTTP answer (DNS, refused, reset). */
export class VirusTotalUnreachableError extends Error {
  override name = 'VirusTotalUnreachableError';
}

/** The subset of the VirusTotal API v3 this service uses. Every method honours `signal`. */
export class VirusTotalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  /** The file's report, or `undefined` when VirusTotal has never seen the file (404). */
  async getFileReport(sha256: string, signal: AbortSignal): Promise<VirusTotalFileReport | undefined> {
    try {
      const response = await this.request(`${this.baseUrl}/files/${sha256}`, { signal });
      const body = await readJson<{ data?: { attributes?: VirusTotalFileReport } }>(response);
      return body.data?.attributes ?? {};
    } catch (error) {
      if (error instanceof VirusTotalApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** A one-time URL for uploads above the direct limit (32 MB), valid for about an hour. */
  async getLargeUploadUrl(signal: AbortSignal): Promise<string> {
    const response = await this.request(`${this.baseUrl}/files/upload_url`, { signal });
    const body = await readJson<{ data?: unknown }>(response);
    if (typeof body.data !== 'string')
      throw new VirusTotalApiError(502, undefined, 'VirusTotal sent no upload URL');
    return body.data;
  }

  /**
   * Uploads a file as `multipart/form-data`, streamed with a known length, and returns the id
   * of the analysis VirusTotal queued. `uploadUrl` defaults to `{url}/files` (up to 32 MB).
   */
  async uploadFile(
    file: { stream: Readable; size: number; name: string },
    signal: AbortSignal,
    uploadUrl = `${this.baseUrl}/files`,
  ): Promise<string> {
    const body = multipartFileBody('file', file.name, file.stream, file.size);
    // The key goes only to VirusTotal's own origin, whatever upload URL a response named.
    const sameOrigin = new URL(uploadUrl).origin === new URL(this.baseUrl).origin;
    let response: Response;
    try {
      response = await this.request(
        uploadUrl,
        {
          method: 'POST',
          headers: { 'content-type': body.contentType, 'content-length': String(body.contentLength) },
          body: body.chunks,
          duplex: 'half',
          signal,
        },
        sameOrigin,
      );
    } catch (error) {
      // Reading the object failed, not VirusTotal: say so, as the Scanner contract promises.
      if (body.sourceError !== undefined && !signal.aborted) throw body.sourceError;
      throw error;
    }
    const parsed = await readJson<{ data?: { id?: unknown } }>(response);
    const id = parsed.data?.id;
    if (typeof id !== 'string')
      throw new VirusTotalApiError(502, undefined, 'VirusTotal accepted the upload but sent no analysis id');
    return id;
  }

  async getAnalysis(id: string, signal: AbortSignal): Promise<VirusTotalAnalysis> {
    const response = await this.request(`${this.baseUrl}/analyses/${encodeURIComponent(id)}`, { signal });
    const body = await readJson<{ data?: { attributes?: VirusTotalAnalysis } }>(response);
    return body.data?.attributes ?? {};
  }

  /** Resolves with a 2xx response; any other status throws {@link VirusTotalApiError}. */
  private async request(url: string, init: RequestInit, sendKey = true): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/json');
    if (sendKey) headers.set('x-apikey', this.apiKey);
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers });
    } catch (error) {
      init.signal?.throwIfAborted();
      // undici hides the interesting part (ECONNREFUSED…) in `cause`.
      const cause = (error as { cause?: unknown }).cause ?? error;
      throw new VirusTotalUnreachableError(
        `could not complete a request to VirusTotal (${errorCode(cause) ?? errorMessage(cause)})`,
        { cause: error },
      );
    }
    if (response.ok) return response;
    throw await apiErrorFrom(response);
  }
}

async function readJson<T>(response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch {
    throw new VirusTotalApiError(
      502,
      undefined,
      `VirusTotal sent a response that is not JSON (HTTP ${response.status})`,
    );
  }
}

async function apiErrorFrom(response: Response): Promise<VirusTotalApiError> {
  let apiCode: string | undefined;
  let apiMessage: string | undefined;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') apiCode = body.error.code;
    if (typeof body.error?.message === 'string') apiMessage = body.error.message;
  } catch {
    // Not JSON (a proxy's HTML page, say): the status alone has to do.
  }
  const label = `HTTP ${response.status}${apiCode ? ` ${apiCode}` : ''}`;
  const message =
    response.status === 401 || response.status === 403
      ? // VirusTotal's message adds nothing here, and key problems are best kept terse.
        `VirusTotal refused the API key (${label})`
      : `VirusTotal answered ${label}${apiMessage ? `: ${apiMessage.slice(0, 200)}` : ''}`;
  return new VirusTotalApiError(
    response.status,
    apiCode,
    message,
    parseRetryAfter(response.headers.get('retry-after')),
  );
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
