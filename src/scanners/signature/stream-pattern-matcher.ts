/**
 * Finds a byte pattern in data that arrives in chunks, including a match split across chunk
 * boundaries, while remembering only `pattern.length - 1` bytes between chunks.
 */
export class StreamPatternMatcher {
  private carry: Buffer = Buffer.alloc(0);
  private matched = false;

  constructor(private readonly pattern: Buffer) {
    if (pattern.length === 0) throw new RangeError('StreamPatternMatcher needs a non-empty pattern');
  }

  /** True once the pattern has been seen in the bytes pushed so far. */
  get found(): boolean {
    return this.matched;
  }

  push(chunk: Buffer): boolean {
    if (this.matched || chunk.length === 0) return this.matched;
    const keep = this.pattern.length - 1;
    // Only the seam needs copying: the carried tail plus just enough of the new chunk.
    const seam = Buffer.concat([this.carry, chunk.subarray(0, keep)]);
    this.matched = seam.includes(this.pattern) || chunk.includes(this.pattern);
    this.carry =
      chunk.length >= keep
        ? Buffer.from(chunk.subarray(chunk.length - keep))
        : Buffer.concat([this.carry, chunk]).subarray(-keep);
    return this.matched;
  }
}
