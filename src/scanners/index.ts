import type { Config, ScannerEngineName } from '../config';
import { ClamAvScanner } from './clamav.scanner';
import { MultiScanner } from './multi.scanner';
import type { Scanner } from './scanner';
import { SignatureScanner } from './signature.scanner';
import { VirusTotalScanner } from './virustotal.scanner';

/**
 * The scanner `config.scan.engines` asks for: one engine as itself, several as a
 * {@link MultiScanner} (any detection counts, any error blocks). Throws when an engine's
 * settings are unusable (e.g. an unreadable block-list file), so start-up fails early.
 */
export function createScanner(config: Config): Scanner {
  const engines = config.scan.engines.map((name) => createEngine(name, config));
  return engines.length === 1 ? engines[0]! : new MultiScanner(engines);
}

function createEngine(name: ScannerEngineName, config: Config): Scanner {
  switch (name) {
    case 'signature':
      return SignatureScanner.fromBlocklistFile(config.scan.signatureBlocklistFile);
    case 'clamav':
      return new ClamAvScanner(config.scan.clamav);
    case 'virustotal': {
      const { apiKey, url, pollIntervalMs } = config.scan.virustotal;
      if (!apiKey) throw new Error('VIRUSTOTAL_API_KEY is required for the virustotal engine');
      return new VirusTotalScanner({ apiKey, url, pollIntervalMs });
    }
  }
}
