/** What one INSTREAM reply means, before it is tagged with the engine's name and version. */
export type InstreamOutcome =
  { outcome: 'clean' } | { outcome: 'infected'; threats: string[] } | { outcome: 'error'; reason: string };

const SIZE_LIMIT_REPLY = 'INSTREAM size limit exceeded. ERROR';

/**
 * Reads clamd's answer to INSTREAM: `stream: OK`, `stream: <Name> FOUND`, or `… ERROR`.
 * Anything else is an error: only an explicit OK may ever count as clean.
 */
export function interpretInstreamReply(reply: string): InstreamOutcome {
  const lines = reply
    .replace(/\0+$/, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length === 0) return { outcome: 'error', reason: 'clamd sent an empty reply' };

  const threats = lines.flatMap((line) => /^stream: (.+) FOUND$/.exec(line)?.[1] ?? []);
  // A detection stands even next to an error line (ALLMATCH scans can report both).
  if (threats.length > 0) return { outcome: 'infected', threats: [...new Set(threats)] };

  if (lines.includes(SIZE_LIMIT_REPLY)) {
    return {
      outcome: 'error',
      reason:
        "clamd refused the stream: it is larger than clamd's StreamMaxLength (INSTREAM size limit exceeded)",
    };
  }
  const errorLine = lines.find((line) => line.endsWith(' ERROR'));
  if (errorLine) {
    return {
      outcome: 'error',
      reason: `clamd reported an error: ${errorLine.replace(/ ERROR$/, '').slice(0, 300)}`,
    };
  }
  if (lines.every((line) => line === 'stream: OK')) return { outcome: 'clean' };
  return {
    outcome: 'error',
    reason: `unexpected reply from clamd: ${JSON.stringify(lines.join(' | ').slice(0, 300))}`,
  };
}
