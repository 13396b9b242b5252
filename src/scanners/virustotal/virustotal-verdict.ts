import type { VirusTotalEngineResult, VirusTotalStats } from './virustotal-client';

/** What VirusTotal's numbers mean for us, before engine name and version are added. */
export type VirusTotalOutcome =
  { outcome: 'clean' } | { outcome: 'infected'; threats: string[] } | { outcome: 'error'; reason: string };

// Sixty-odd engines often agree on one name with small variations; a row needs only a handful.
const MAX_THREAT_NAMES = 20;
const CATEGORIES_WITH_AN_OPINION = ['malicious', 'suspicious', 'undetected', 'harmless'];

/**
 * Reads `stats`/`results` (from a file's last analysis or from a finished analysis).
 *
 * Any `malicious` vote makes it infected, named by the engines' `result` fields. `suspicious`
 * votes alone count as clean: they are heuristics VirusTotal itself does not call detections.
 * When no engine gave an opinion at all (every one timed out or could not read the type),
 * that is an error, not clean: nobody looked.
 */
export function interpretVirusTotalStats(
  stats: VirusTotalStats | undefined,
  results: Record<string, VirusTotalEngineResult> | undefined,
): VirusTotalOutcome {
  const malicious = stats?.malicious ?? 0;
  if (malicious > 0) {
    const names = Object.values(results ?? {})
      .filter(
        (result) =>
          result.category === 'malicious' && typeof result.result === 'string' && result.result !== '',
      )
      .map((result) => result.result as string);
    const threats = [...new Set(names)].slice(0, MAX_THREAT_NAMES);
    return {
      outcome: 'infected',
      threats: threats.length > 0 ? threats : [`flagged malicious by ${malicious} VirusTotal engines`],
    };
  }
  const opinions = CATEGORIES_WITH_AN_OPINION.reduce((sum, category) => sum + (stats?.[category] ?? 0), 0);
  if (opinions === 0)
    return { outcome: 'error', reason: 'no VirusTotal engine gave an opinion on this file' };
  return { outcome: 'clean' };
}
