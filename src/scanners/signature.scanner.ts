import { createHash } from 'node:crypto';
import { forEachChunk } from './stream-digest';
import { loadBlocklistFile } from './signature/blocklist';
import { StreamPatternMatcher } from './signature/stream-pattern-matcher';
import type { ScanTarget, ScanVerdict, Scanner } from './scanner';

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
  private readonly blocked: ReadonlySet<string>;

  constructor(options: SignatureScannerOptions = {}) {
    this.blocked = new Set([...(options.blockedSha256 ?? [])].map((hash) => hash.toLowerCase()));
  }

  /**
   * Reads the block-list file once, now, so a missing or malformed file stops start-up with a
   * message naming it rather than failing every scan later. Changes need a restart.
   */
  static fromBlocklistFile(path: string | undefined): SignatureScanner {
    return new SignatureScanner({ blockedSha256: path ? loadBlocklistFile(path) : [] });
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
    ];
    const engineVersion = `${ENGINE_VERSION} (${this.blocked.size} block-listed hashes)`;
    return threats.length > 0
      ? { outcome: 'infected', engine: this.engine, threats, engineVersion }
      : { outcome: 'clean', engine: this.engine, engineVersion };
  }

  async ping(): Promise<string> {
    return `${ENGINE_VERSION} (${this.blocked.size} block-listed hashes)`;
  }
}
