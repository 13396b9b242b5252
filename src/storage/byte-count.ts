import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Why a body was refused after it started arriving. */
export type BodyMismatchReason = 'too-long' | 'too-short' | 'checksum';

/** The body did not match what was declared (and signed); nothing was stored. */
export class BodyMismatchError extends Error {
  override name = 'BodyMismatchError';
  constructor(readonly reason: BodyMismatchReason) {
    super(
      reason === 'checksum'
        ? 'Body does not match its declared SHA-256'
        : `Body is ${reason === 'too-long' ? 'longer' : 'shorter'} than its declared length`,
    );
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * Pass-through that fails as soon as more than `expectedBytes` arrive, or at the end when fewer
 * did, and optionally hashes what passes. HTTP framing normally enforces Content-Length already;
 * this keeps the guarantee when something in between (a proxy, a stream from elsewhere) does not.
 */
export class ExactLengthStream extends Transform {
  private received = 0;
  private readonly hash?: Hash;

  constructor(
    private readonly expectedBytes: number,
    options: { sha256?: boolean } = {},
  ) {
    super();
    if (options.sha256) this.hash = createHash('sha256');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.expectedBytes) {
      callback(new BodyMismatchError('too-long'));
      return;
    }
    this.hash?.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.received < this.expectedBytes ? new BodyMismatchError('too-short') : null);
  }

  /** Base64 SHA-256 of everything that passed; only once the stream has finished. */
  digestBase64(): string {
    if (!this.hash) throw new Error('ExactLengthStream was created without sha256');
    return this.hash.digest('base64');
  }
}
