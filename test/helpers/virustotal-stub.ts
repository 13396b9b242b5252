import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EICAR_TEST_STRING } from '../../src/scanners/signature.scanner';

/**
 * A local stand-in for the VirusTotal API v3 (the only stub in the suite: VirusTotal is an
 * external paid service). It speaks the subset the scanner uses, with the real paths and
 * JSON:API shapes: GET /files/{sha256}, POST /files, GET /files/upload_url, POST to that URL,
 * GET /analyses/{id}. Uploads are parsed as real multipart/form-data.
 */

/** One engine's opinion, as in `last_analysis_results`. */
export interface StubEngineResult {
  category: 'malicious' | 'suspicious' | 'undetected' | 'harmless' | 'type-unsupported' | 'timeout';
  result: string | null;
}
export type StubResults = Record<string, StubEngineResult>;

export interface VirusTotalStubOptions {
  /** The only key accepted; anything else gets 401 WrongCredentialsError. */
  apiKey?: string;
  /** POST /files refuses bodies over this with 413, as VirusTotal does over 32 MB. @default 32 MB */
  maxDirectUploadBytes?: number;
}

export interface StubUpload {
  sha256: string;
  size: number;
  fileName: string;
  route: 'files' | 'upload_url';
  /** Whether that request carried the right x-apikey. */
  hadApiKey: boolean;
  /** Whether it declared its length up front (Content-Length) rather than being chunked. */
  hadContentLength: boolean;
}

export interface VirusTotalStub {
  /** Base URL to configure the scanner with, e.g. http://127.0.0.1:PORT/api/v3 */
  readonly url: string;
  readonly apiKey: string;
  /** Every request, in order (path without the query). */
  readonly requests: { method: string; path: string }[];
  readonly uploads: StubUpload[];
  /** A file VirusTotal already has a report for. */
  addKnownFile(sha256: string, results: StubResults): void;
  /**
   * How uploads are analysed from now on: the results (default: EICAR content malicious for
   * three engines, anything else undetected) and how many polls answer `queued`/`in-progress`
   * before `completed` (default 1; Infinity never completes).
   */
  setUploadBehaviour(behaviour: {
    results?: (content: Buffer) => StubResults;
    pollsBeforeCompletion?: number;
  }): void;
  /** The next `count` API requests get 429 QuotaExceededError, with Retry-After when given. */
  rateLimitNext(count: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

/** Default analysis of an uploaded file: EICAR is malicious, everything else undetected. */
export function defaultStubResults(content: Buffer): StubResults {
  const eicar = content.includes(EICAR_TEST_STRING);
  const verdict = (name: string): StubEngineResult =>
    eicar ? { category: 'malicious', result: name } : { category: 'undetected', result: null };
  return {
    Kaspersky: verdict('EICAR-Test-File'),
    ESET: verdict('Eicar test file'),
    ClamAV: verdict('Win.Test.EICAR_HDB-1'),
    Paloalto: { category: 'type-unsupported', result: null },
  };
}

interface StubAnalysis {
  sha256: string;
  size: number;
  results: StubResults;
  pollsLeft: number;
  polls: number;
}

export async function startVirusTotalStub(options: VirusTotalStubOptions = {}): Promise<VirusTotalStub> {
  const apiKey = options.apiKey ?? `stub-key-${randomBytes(8).toString('hex')}`;
  const maxDirectUploadBytes = options.maxDirectUploadBytes ?? 32 * 1024 * 1024;
  const knownFiles = new Map<string, { results: StubResults; size: number; date: number }>();
  const analyses = new Map<string, StubAnalysis>();
  const uploadTokens = new Set<string>();
  const requests: { method: string; path: string }[] = [];
  const uploads: StubUpload[] = [];
  let uploadResults = defaultStubResults;
  let pollsBeforeCompletion = 1;
  let rateLimited = 0;
  let retryAfterSeconds: number | undefined;
  let origin = '';

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalError', message: String(error) } });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path });
    const hadApiKey = req.headers['x-apikey'] === apiKey;

    if (rateLimited > 0) {
      rateLimited -= 1;
      await drain(req);
      const headers: Record<string, string> =
        retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
      return sendJson(
        res,
        429,
        { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } },
        headers,
      );
    }
    const uploadToken = /^\/upload\/([\w-]+)$/.exec(path)?.[1];
    if (method === 'POST' && uploadToken && uploadTokens.delete(uploadToken)) {
      // The real one-time upload URL also wants the key; the stub records whether it came.
      return acceptUpload(req, res, 'upload_url', hadApiKey, Infinity);
    }
    if (!hadApiKey) {
      await drain(req);
      return sendJson(res, 401, { error: { code: 'WrongCredentialsError', message: 'Wrong API key' } });
    }
    if (method === 'GET' && path === '/api/v3/files/upload_url') {
      const token = randomUUID();
      uploadTokens.add(token);
      return sendJson(res, 200, { data: `${origin}/upload/${token}` });
    }
    if (method === 'POST' && path === '/api/v3/files') {
      return acceptUpload(req, res, 'files', hadApiKey, maxDirectUploadBytes);
    }
    const fileId = /^\/api\/v3\/files\/([0-9a-fA-F]{64})$/.exec(path)?.[1]?.toLowerCase();
    if (method === 'GET' && fileId) {
      const known = knownFiles.get(fileId);
      if (!known) {
        return sendJson(res, 404, {
          error: { code: 'NotFoundError', message: `File "${fileId}" not found` },
        });
      }
      return sendJson(res, 200, { data: fileObject(fileId, known) });
    }
    const analysisId = /^\/api\/v3\/analyses\/([^/]+)$/.exec(path)?.[1];
    if (method === 'GET' && analysisId) {
      const analysis = analyses.get(decodeURIComponent(analysisId));
      if (!analysis)
        return sendJson(res, 404, { error: { code: 'NotFoundError', message: 'Analysis not found' } });
      return sendJson(res, 200, analysisObject(decodeURIComponent(analysisId), analysis));
    }
    await drain(req);
    return sendJson(res, 404, { error: { code: 'NotFoundError', message: `No route ${method} ${path}` } });
  }

  async function acceptUpload(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: StubUpload['route'],
    hadApiKey: boolean,
    limit: number,
  ): Promise<void> {
    const body = await readBody(req);
    if (body.length > limit) {
      return sendJson(res, 413, { error: { code: 'RequestEntityTooLarge', message: 'Payload too large' } });
    }
    // Parsed with the platform's own multipart parser, so a malformed body fails here.
    const form = await new Response(body, {
      headers: { 'content-type': req.headers['content-type'] ?? '' },
    }).formData();
    const file = form.get('file');
    if (!(file instanceof Blob)) {
      return sendJson(res, 400, { error: { code: 'BadRequestError', message: 'No file field' } });
    }
    const content = Buffer.from(await file.arrayBuffer());
    const sha256 = createHash('sha256').update(content).digest('hex');
    const hadContentLength = req.headers['content-length'] === String(body.length);
    uploads.push({
      sha256,
      size: content.length,
      fileName: (file as File).name,
      route,
      hadApiKey,
      hadContentLength,
    });
    const id = Buffer.from(
      `${createHash('md5').update(content).digest('hex')}:${Date.now()}:${randomUUID()}`,
    ).toString('base64');
    analyses.set(id, {
      sha256,
      size: content.length,
      results: uploadResults(content),
      pollsLeft: pollsBeforeCompletion,
      polls: 0,
    });
    return sendJson(res, 200, {
      data: { type: 'analysis', id, links: { self: `${origin}/api/v3/analyses/${id}` } },
    });
  }

  function analysisObject(id: string, analysis: StubAnalysis) {
    analysis.polls += 1;
    const completed = analysis.polls > analysis.pollsLeft;
    if (completed && !knownFiles.has(analysis.sha256)) {
      // As on VirusTotal, a finished analysis makes the file known.
      knownFiles.set(analysis.sha256, { results: analysis.results, size: analysis.size, date: nowSeconds() });
    }
    const status = completed ? 'completed' : analysis.polls === 1 ? 'queued' : 'in-progress';
    return {
      data: {
        type: 'analysis',
        id,
        links: { self: `${origin}/api/v3/analyses/${id}` },
        attributes: {
          status,
          date: nowSeconds(),
          stats: completed ? statsOf(analysis.results) : statsOf({}),
          results: completed ? analysis.results : {},
        },
      },
      meta: { file_info: { sha256: analysis.sha256, size: analysis.size } },
    };
  }

  function fileObject(sha256: string, known: { results: StubResults; size: number; date: number }) {
    return {
      type: 'file',
      id: sha256,
      links: { self: `${origin}/api/v3/files/${sha256}` },
      attributes: {
        sha256,
        size: known.size,
        last_analysis_date: known.date,
        last_analysis_stats: statsOf(known.results),
        last_analysis_results: Object.fromEntries(
          Object.entries(known.results).map(([engine, result]) => [
            engine,
            {
              ...result,
              engine_name: engine,
              method: 'blacklist',
              engine_version: '1.0',
              engine_update: '20240101',
            },
          ]),
        ),
      },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/api/v3`,
    apiKey,
    requests,
    uploads,
    addKnownFile(sha256, results) {
      knownFiles.set(sha256.toLowerCase(), { results, size: 0, date: nowSeconds() });
    },
    setUploadBehaviour(behaviour) {
      if (behaviour.results) uploadResults = behaviour.results;
      if (behaviour.pollsBeforeCompletion !== undefined)
        pollsBeforeCompletion = behaviour.pollsBeforeCompletion;
    },
    rateLimitNext(count, seconds) {
      rateLimited = count;
      retryAfterSeconds = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function statsOf(results: StubResults): Record<string, number> {
  const stats: Record<string, number> = {
    malicious: 0,
    suspicious: 0,
    undetected: 0,
    harmless: 0,
    timeout: 0,
    'confirmed-timeout': 0,
    failure: 0,
    'type-unsupported': 0,
  };
  for (const { category } of Object.values(results)) stats[category] = (stats[category] ?? 0) + 1;
  return stats;
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function drain(req: http.IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
