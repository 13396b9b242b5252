import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { multipartFileBody } from '../../src/scanners/virustotal/multipart-body';
import { parseRetryAfter } from '../../src/scanners/virustotal/virustotal-client';
import { interpretVirusTotalStats } from '../../src/scanners/virustotal/virustotal-verdict';

describe('interpretVirusTotalStats', () => {
  it('is infected on any malicious vote, named by the engines', () => {
    expect(
      interpretVirusTotalStats(
        { malicious: 2, undetected: 50 },
        {
          A: { category: 'malicious', result: 'EICAR-Test-File' },
          B: { category: 'malicious', result: 'EICAR-Test-File' },
          C: { category: 'undetected', result: null },
        },
      ),
    ).toEqual({ outcome: 'infected', threats: ['EICAR-Test-File'] });
  });

  it('still names something when no engine gave a result name', () => {
    expect(interpretVirusTotalStats({ malicious: 3 }, {})).toEqual({
      outcome: 'infected',
      threats: ['flagged malicious by 3 VirusTotal engines'],
    });
  });

  it('is clean when engines looked and found nothing', () => {
    expect(interpretVirusTotalStats({ malicious: 0, suspicious: 1, undetected: 60 }, {})).toEqual({
      outcome: 'clean',
    });
  });

  it('is an error when no engine gave an opinion', () => {
    expect(interpretVirusTotalStats({ malicious: 0, 'type-unsupported': 12, timeout: 3 }, {}).outcome).toBe(
      'error',
    );
    expect(interpretVirusTotalStats(undefined, undefined).outcome).toBe('error');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('multipartFileBody', () => {
  async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of chunks) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts);
  }

  it('produces exactly contentLength bytes that a multipart parser reads back', async () => {
    const content = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    const body = multipartFileBody(
      'file',
      'asset-1',
      Readable.from([content.subarray(0, 1000), content.subarray(1000)]),
      content.length,
    );
    const bytes = await collect(body.chunks);
    expect(bytes.length).toBe(body.contentLength);

    const form = await new Response(bytes, { headers: { 'content-type': body.contentType } }).formData();
    const file = form.get('file') as File;
    expect(file.name).toBe('asset-1');
    const parsed = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(parsed).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
  });

  it('fails instead of sending a different length than declared', async () => {
    const body = multipartFileBody('file', 'a', Readable.from([Buffer.alloc(10)]), 11);
    await expect(collect(body.chunks)).rejects.toThrow(/10 bytes, not its declared 11/);
    expect(body.sourceError).toBeInstanceOf(Error);
  });
});
