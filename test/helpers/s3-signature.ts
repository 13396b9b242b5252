import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 for the signer on node:crypto (the SDK's own hash package is not a direct dependency). */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.create();
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.create();
  }
  private create(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
}

/**
 * The signature S3 would compute for a PUT to `presignedUrl` sent with `headers`: the headers the
 * URL names in X-Amz-SignedHeaders, taken from the request, signed with the URL's own date, scope
 * and lifetime, exactly as S3 verifies a presigned request.
 */
export async function signatureFor(
  credentials: { accessKeyId: string; secretAccessKey: string },
  presignedUrl: string,
  headers: Record<string, string>,
): Promise<string | undefined> {
  const url = new URL(presignedUrl);
  const params = url.searchParams;
  const [, , region, service] = (params.get('X-Amz-Credential') ?? '').split('/');
  const signedNames = (params.get('X-Amz-SignedHeaders') ?? '').split(';');
  const sent: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(headers)) sent[name.toLowerCase()] = value;

  // The header only tells the signer the payload is unsigned; it moves into the query as sent.
  const toSign: Record<string, string> = { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' };
  for (const name of signedNames) toSign[name] = sent[name] ?? '';
  const query: Record<string, string> = {};
  for (const [name, value] of params) if (name !== 'X-Amz-Signature') query[name] = value;

  const signer = new SignatureV4({
    credentials,
    region: region ?? '',
    service: service ?? '',
    sha256: NodeSha256,
    uriEscapePath: false, // S3 signs the path as sent
  });
  const amzDate = params.get('X-Amz-Date') ?? '';
  const signingDate = new Date(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  const names = new Set(signedNames);
  const signed = await signer.presign(
    {
      method: 'PUT',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: toSign,
    },
    {
      signingDate,
      expiresIn: Number(params.get('X-Amz-Expires')),
      signableHeaders: names,
      unhoistableHeaders: names,
    },
  );
  if (signed.query?.['X-Amz-SignedHeaders'] !== params.get('X-Amz-SignedHeaders')) {
    throw new Error('the recomputation signed other headers than the URL names');
  }
  return signed.query?.['X-Amz-Signature'] as string | undefined;
}
