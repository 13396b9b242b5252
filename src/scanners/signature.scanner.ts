import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { forEachChunk } from './stream-digest';
import { parseBlocklist } from './signature/blocklist';
import { StreamPatternMatcher } from './signature/stream-pattern-matcher';
import type { ScanTarget, ScanVerdict, Scanner, SignatureInfo } from './scanner';

/** The 68-byte EICAR anti-virus test string, which every engine detects by agreement. */
export const EICAR_TEST_STRING = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** The name the project's ClamAV test signatures use too (official ClamAV says `Win.Test.EICAR_HDB-1`). */
const EICAR_THREAT_NAME = 'Eicar-Test-Signature';

const ENGINE_VERSION = 'signature-1';

/** Options of the built-in development engine. */
export interface SignatureScannerOptions {
  /** Lower- or upper-case hex SHA-256 hashes of whole objects to report as infected. */
  blockedSha256?: Iterable<string>;
}

/** The block-list as last read: its hashes, and what identifies that content. */
interface LoadedBlocklist {
  blocked: ReadonlySet<string>;
  /** `signature-1` with no file, else `signature-1/<first 16 hex of the file's SHA-256>`. */
  version: string;
  /** The file's modification time, when there is a file. */
  updatedAt?: Date;
  /** What `refresh` compares to decide whether to read the file again. */
  stamp?: string;
}

/**
 * The built-in **development** engine: it detects only the EICAR test string (anywhere in the
 * object) and objects whose SHA-256 is on a block-list. It knows no real malware. It exists so
 * the service runs and its whole scan pipeline can be exercised with zero setup; production
 * must use `clamav` and/or `virustotal`.
 *
 * Streams the object once, holding one chunk plus 67 bytes at a time.
 */
export class SignatureScanner implements Scanner {
  readonly engine = 'signature';
  /** Streams any length. */
  readonly maxScanBytes = Number.POSITIVE_INFINITY;
  private list: LoadedBlocklist;

  constructor(
    options: SignatureScannerOptions = {},
    private readonly blocklistFile?: string,
  ) {
    const blocked = new Set([...(options.blockedSha256 ?? [])].map((hash) => hash.toLowerCase()));
    this.list = { blocked, version: ENGINE_VERSION };
  }

  /**
   * Reads the block-list file now, so a missing or malformed file stops start-up with a message
   * naming it rather than failing every scan later. {@link signatures} reads it again when it
   * changes (the workers ask every minute), so an edited list needs no restart.
   */
  static fromBlocklistFile(path: string | undefined): SignatureScanner {
    const scanner = new SignatureScanner({}, path);
    if (path) scanner.list = readBlocklist(path);
    return scanner;
  }

  private get blocked(): ReadonlySet<string> {
    return this.list.blocked;
  }

  /**
   * Re-reads the block-list file when its size or modification time changed. A file that became
   * unreadable or malformed throws, naming it, and the list in use stays as it was.
   */
  refresh(): void {
    const path = this.blocklistFile;
    if (!path) return;
    if (fileStamp(path) === this.list.stamp) return;
    this.list = readBlocklist(path);
  }

  /** The block-list's version (a hash of its content) and the file's modification time. */
  async signatures(): Promise<SignatureInfo[]> {
    this.refresh();
    const { version, updatedAt } = this.list;
    return [{ engine: this.engine, version, ...(updatedAt ? { updatedAt } : {}) }];
  }

  async scan(target: ScanTarget, signal?: AbortSignal): Promise<ScanVerdict> {
    signal?.throwIfAborted();
    const stream = await target.open();
    const eicar = new StreamPatternMatcher(Buffer.from(EICAR_TEST_STRING, 'latin1'));
    const hash = createHash('sha256');
    await forEachChunk(stream, signal, (bytes) => {
      eicar.push(bytes);
      hash.update(bytes);
    });

    const sha256 = hash.digest('hex');
    const threats = [
      ...(eicar.found ? [EICAR_THREAT_NAME] : []),
      ...(this.blocked.has(sha256) ? [`Blocklist.SHA256.${sha256}`] : []),
    ].map((name) => ({ engine: this.engine, name }));
    const engineVersion = `${this.list.version} (${this.blocked.size} block-listed hashes)`;
    const signatures = { [this.engine]: this.list.version };
    return threats.length > 0
      ? { outcome: 'infected', engine: this.engine, threats, engineVersion, signatures }
      : { outcome: 'clean', engine: this.engine, engineVersion, signatures };
  }

  async ping(): Promise<string> {
    return `${this.list.version} (${this.blocked.size} block-listed hashes)`;
  }
}

function fileStamp(path: string): string {
  const stat = statSync(path);
  return `${stat.size}:${stat.mtimeMs}`;
}

function readBlocklist(path: string): LoadedBlocklist {
  const stamp = fileStamp(path);
  const text = readFileSync(path, 'utf8');
  const blocked = parseBlocklist(text, path);
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { blocked, version: `${ENGINE_VERSION}/${digest}`, updatedAt: statSync(path).mtime, stamp };
}
