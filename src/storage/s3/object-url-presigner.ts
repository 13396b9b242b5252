import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3RequestPresigner, getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { encodeKeyForUrlPath, encodeRfc3986 } from '../storage-key';

type RequestToSign = Parameters<S3RequestPresigner['presign']>[0];
type PresignOptions = NonNullable<Parameters<S3RequestPresigner['presign']>[1]>;

/** Where the bucket's objects live and how requests to them are signed. */
interface BucketEndpoint {
  protocol: string;
  hostname: string;
  port?: number;
  /** '' for virtual-hosted buckets, '/bucket' for path-style ones. */
  basePath: string;
  signingRegion: string;
  signingService: string;
}

/** One object request to presign. */
export interface ObjectRequest {
  method: 'GET' | 'PUT';
  key: string;
  /** Lower-case names; every one of them is signed, and none is moved into the query. */
  headers?: Record<string, string>;
  query?: Record<string, string>;
  expiresInSeconds: number;
  signingDate: Date;
}

const PROBE_KEY = 'endpoint-probe';

/**
 * Presigns object URLs with `S3RequestPresigner.presign` directly. `getSignedUrl` clones the
 * client's middleware stack and resolves the endpoint on every call, about ten times the cost of
 * the signature itself; the bucket's endpoint does not depend on the key, so it is resolved once,
 * by the SDK's own rules (through one `getSignedUrl` call), and reused for every key.
 */
export class S3ObjectUrlPresigner {
  private endpoint?: Promise<BucketEndpoint>;
  private readonly presigner: S3RequestPresigner;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.presigner = new S3RequestPresigner({
      credentials: client.config.credentials,
      region: client.config.region,
      sha256: client.config.sha256,
    });
  }

  /** Absolute presigned URL for `request`. */
  async presign(request: ObjectRequest): Promise<string> {
    const endpoint = await this.resolveEndpoint();
    const headers = { ...request.headers };
    const toSign: RequestToSign = {
      method: request.method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: `${endpoint.basePath}/${encodeKeyForUrlPath(request.key)}`,
      query: { ...request.query },
      headers,
    };
    const names = new Set(Object.keys(headers));
    const options: PresignOptions = {
      expiresIn: request.expiresInSeconds,
      signingDate: request.signingDate,
      signingRegion: endpoint.signingRegion,
      signingService: endpoint.signingService,
      // The presigner treats content-type as unsignable and hoists x-amz-* headers into the
      // query string; both would let a client send something other than what was declared.
      signableHeaders: names,
      unhoistableHeaders: names,
    };
    return formatUrl(await this.presigner.presign(toSign, options));
  }

  private resolveEndpoint(): Promise<BucketEndpoint> {
    this.endpoint ??= this.probeEndpoint().catch((error: unknown) => {
      this.endpoint = undefined; // let the next call retry (e.g. credentials not there yet)
      throw error;
    });
    return this.endpoint;
  }

  private async probeEndpoint(): Promise<BucketEndpoint> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: PROBE_KEY });
    const url = new URL(await getSignedUrl(this.client, command, { expiresIn: 60 }));
    // The scope is accessKeyId/date/region/service/aws4_request; read it from the end.
    const scope = (url.searchParams.get('X-Amz-Credential') ?? '').split('/');
    const signingRegion = scope.at(-3);
    const signingService = scope.at(-2);
    if (!url.pathname.endsWith(`/${PROBE_KEY}`) || !signingRegion || !signingService) {
      throw new Error('Unexpected presigned URL shape from the S3 SDK');
    }
    return {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      basePath: url.pathname.slice(0, -(PROBE_KEY.length + 1)),
      signingRegion,
      signingService,
    };
  }
}

function formatUrl(request: RequestToSign): string {
  const port = request.port ? `:${request.port}` : '';
  const query = Object.entries(request.query ?? {})
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) =>
        v == null ? encodeRfc3986(name) : `${encodeRfc3986(name)}=${encodeRfc3986(v)}`,
      ),
    )
    .join('&');
  return `${request.protocol}//${request.hostname}${port}${request.path}${query ? `?${query}` : ''}`;
}
