import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ScanTarget } from '../../src/scanners/scanner';
import { scanTargetFromBuffer } from '../../src/scanners/scan-target';
import { EICAR_TEST_STRING, SignatureScanner } from '../../src/scanners/signature.scanner';
import { parseBlocklist } from '../../src/scanners/signature/blocklist';
import { StreamPatternMatcher } from '../../src/scanners/signature/stream-pattern-matcher';

const EICAR = Buffer.from(EICAR_TEST_STRING, 'latin1');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Splits `bytes` exactly at the given offsets, so a test controls where chunk boundaries fall. */
function targetSplitAt(bytes: Buffer, offsets: number[]): ScanTarget {
  const cuts = [0, ...offsets, bytes.length];
  const chunks = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
  return { assetId: 'split', size: bytes.length, open: async () => Readable.from(chunks) };
}

describe('StreamPatternMatcher', () => {
  it('finds the pattern split at every possible position', () => {
    const data = Buffer.concat([Buffer.alloc(100, 1), EICAR, Buffer.alloc(100, 2)]);
    for (let cut = 1; cut < data.length; cut++) {
      const matcher = new StreamPatternMatcher(EICAR);
      matcher.push(data.subarray(0, cut));
      matcher.push(data.subarray(cut));
      expect(matcher.found, `cut at ${cut}`).toBe(true);
    }
  });

  it('finds the pattern fed one byte at a time', () => {
    const matcher = new StreamPatternMatcher(EICAR);
    for (const byte of Buffer.concat([Buffer.from('prefix'), EICAR])) matcher.push(Buffer.from([byte]));
    expect(matcher.found).toBe(true);
  });

  it('does not find an incomplete pattern', () => {
    const matcher = new StreamPatternMatcher(EICAR);
    matcher.push(EICAR.subarray(0, 40));
    matcher.push(Buffer.alloc(10));
    matcher.push(EICAR.subarray(40));
    expect(matcher.found).toBe(false);
  });
});

describe('parseBlocklist', () => {
  it('reads hashes, ignores comments and blank lines, lower-cases', () => {
    const hash = 'A'.repeat(64);
    const list = parseBlocklist(`# header\n\n${hash}  # trailing comment\n${'b'.repeat(64)}\r\n`);
    expect([...list]).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
  });

  it('names the file and line of a malformed entry', () => {
    expect(() => parseBlocklist(`${'a'.repeat(64)}\nnot-a-hash\n`, 'list.txt')).toThrow(/list\.txt:2/);
  });
});

describe('SignatureScanner', () => {
  const scanner = new SignatureScanner();

  it('detects EICAR across a chunk boundary', async () => {
    const bytes = Buffer.concat([Buffer.alloc(70_000, 0x41), EICAR, Buffer.alloc(1_000, 0x42)]);
    const verdict = await scanner.scan(targetSplitAt(bytes, [70_000 + 30]));
    expect(verdict).toMatchObject({
      outcome: 'infected',
      engine: 'signature',
      threats: [{ engine: 'signature', name: 'Eicar-Test-Signature' }],
    });
  });

  it('passes clean bytes', async () => {
    const verdict = await scanner.scan(scanTargetFromBuffer('clean', Buffer.alloc(300_000, 0x43), 4096));
    expect(verdict).toMatchObject({ outcome: 'clean', engine: 'signature' });
  });

  it('reports a block-listed hash, read from the configured file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blocklist-'));
    const blocked = Buffer.from('a harmless-looking file someone reported');
    const file = path.join(dir, 'blocklist.txt');
    await writeFile(file, `# reported files\n${sha256(blocked)}\n`);
    try {
      const fromFile = SignatureScanner.fromBlocklistFile(file);
      const [signatures] = await fromFile.signatures();
      expect(signatures!.version).toMatch(/^signature-1\/[0-9a-f]{16}$/);
      expect(await fromFile.scan(scanTargetFromBuffer('bad', blocked, 7))).toEqual({
        outcome: 'infected',
        engine: 'signature',
        threats: [{ engine: 'signature', name: `Blocklist.SHA256.${sha256(blocked)}` }],
        engineVersion: `${signatures!.version} (1 block-listed hashes)`,
        signatures: { signature: signatures!.version },
      });
      expect((await fromFile.scan(scanTargetFromBuffer('ok', Buffer.from('other bytes')))).outcome).toBe(
        'clean',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads an edited block-list again: a new version, and the new hashes count', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blocklist-'));
    const file = path.join(dir, 'blocklist.txt');
    const later = Buffer.from('reported only later');
    await writeFile(file, '# nothing yet\n');
    try {
      const scanner = SignatureScanner.fromBlocklistFile(file);
      const [before] = await scanner.signatures();
      expect((await scanner.scan(scanTargetFromBuffer('later', later))).outcome).toBe('clean');

      await writeFile(file, `${sha256(later)}\n`);
      const [after] = await scanner.signatures();
      expect(after!.version).not.toBe(before!.version);
      expect(after!.updatedAt).toBeInstanceOf(Date);
      expect((await scanner.scan(scanTargetFromBuffer('later', later))).outcome).toBe('infected');

      // A broken edit throws, naming the file, and the list in use stays.
      await writeFile(file, 'not a hash\n');
      await expect(scanner.signatures()).rejects.toThrow(/blocklist\.txt:1/);
      expect((await scanner.scan(scanTargetFromBuffer('later', later))).outcome).toBe('infected');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails at construction when the block-list file is missing', () => {
    expect(() => SignatureScanner.fromBlocklistFile('/nonexistent/blocklist.txt')).toThrow(/blocklist\.txt/);
  });

  it('rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(scanner.scan(scanTargetFromBuffer('x', EICAR), controller.signal)).rejects.toThrow(
      'shutting down',
    );
  });
});
