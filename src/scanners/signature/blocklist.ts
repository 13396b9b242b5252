const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses a SHA-256 block-list: one hex hash per line, `#` starts a comment, blank lines are
 * ignored. A malformed line throws, naming `source` and the line, so a typo cannot silently
 * drop a hash from the list.
 */
export function parseBlocklist(text: string, source = 'block-list'): Set<string> {
  const hashes = new Set<string>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.replace(/#.*$/, '').trim().toLowerCase();
    if (line === '') return;
    if (!SHA256_HEX.test(line)) {
      throw new Error(
        `${source}:${index + 1}: expected a SHA-256 hash (64 hex digits), got ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    hashes.add(line);
  });
  return hashes;
}
