import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BodyMismatchError, ExactLengthStream } from '../../src/storage/byte-count';

async function run(chunks: string[], expected: number, sha256 = false) {
  const counter = new ExactLengthStream(expected, { sha256 });
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      received.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), counter, sink);
  return { counter, body: Buffer.concat(received).toString() };
}

describe('ExactLengthStream', () => {
  it('passes an exact body through and hashes it', async () => {
    const { counter, body } = await run(['hello ', 'world'], 11, true);
    expect(body).toBe('hello world');
    expect(counter.digestBase64()).toBe(createHash('sha256').update('hello world').digest('base64'));
  });

  it('fails as soon as the body is longer than declared', async () => {
    await expect(run(['hello ', 'world'], 8)).rejects.toMatchObject({ reason: 'too-long' });
  });

  it('fails at the end when the body is shorter than declared', async () => {
    const error = await run(['hello'], 11).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyMismatchError);
    expect(error).toMatchObject({ reason: 'too-short' });
  });

  it('accepts an empty body declared empty', async () => {
    await expect(run([], 0)).resolves.toMatchObject({ body: '' });
  });
});
