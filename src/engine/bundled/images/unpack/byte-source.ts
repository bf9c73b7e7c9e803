const streamFailures = new WeakSet<object>();

/** True for an error that came from the stream itself (not from handling its bytes). */
export function isStreamFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && streamFailures.has(err);
}

/**
 * Pull-based reading of a byte stream in exact amounts, for the tar reader. A chunk is pulled
 * from the stream only when needed (the stream's backpressure holds the rest back), and every
 * chunk is shown once to `onChunk` (hashing, counting) as it arrives. Nothing is copied except
 * the few bytes of a header that straddles two chunks.
 */
export class ByteSource {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  /** Bytes handed out so far (the position in the stream). */
  position = 0;

  constructor(
    private readonly chunks: AsyncIterator<unknown>,
    private readonly onChunk: (chunk: Buffer) => void,
  ) {}

  /** Pulls one more chunk into the queue; false at the end of the stream. */
  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    let next: IteratorResult<unknown>;
    try {
      next = await this.chunks.next();
    } catch (err) {
      if (typeof err === 'object' && err !== null) streamFailures.add(err);
      throw err;
    }
    if (next.done) {
      this.ended = true;
      return false;
    }
    const value: unknown = next.value;
    const chunk = Buffer.isBuffer(value)
      ? value
      : value instanceof Uint8Array
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        : Buffer.from(String(value));
    if (chunk.length > 0) {
      this.onChunk(chunk);
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    return true;
  }

  /** Up to `max` bytes from the head of the queue (which must not be empty). */
  private shift(max: number): Buffer {
    const head = this.queue[0]!;
    let piece: Buffer;
    if (head.length <= max) {
      this.queue.shift();
      piece = head;
    } else {
      piece = head.subarray(0, max);
      this.queue[0] = head.subarray(max);
    }
    this.queued -= piece.length;
    this.position += piece.length;
    return piece;
  }

  /**
   * Exactly `n` bytes; `null` when the stream ended before the first of them.
   * Throws `truncated(got)` when it ends part way.
   */
  async read(n: number, truncated: (got: number) => Error): Promise<Buffer | null> {
    while (this.queued < n) {
      if (!(await this.pull())) {
        if (this.queued === 0) return null;
        throw truncated(this.queued);
      }
    }
    if (n === 0) return Buffer.alloc(0);
    if (this.queue[0]!.length >= n) return this.shift(n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const piece = this.shift(n - at);
      piece.copy(out, at);
      at += piece.length;
    }
    return out;
  }

  /** `n` bytes as the chunks come (no copying); throws `truncated(got)` at an early end. */
  async *take(n: number, truncated: (got: number) => Error): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.queued === 0 && !(await this.pull())) throw truncated(n - left);
      const piece = this.shift(left);
      left -= piece.length;
      yield piece;
    }
  }

  /** Skips `n` bytes (reading them: they still count and are hashed). */
  async skip(n: number, truncated: (got: number) => Error): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.queued === 0 && !(await this.pull())) throw truncated(n - left);
      left -= this.shift(left).length;
    }
  }

  /** Reads to the end of the stream (an archive's trailing padding is part of its digest). */
  async drain(): Promise<void> {
    do {
      while (this.queued > 0) this.shift(this.queued);
    } while (await this.pull());
  }
}
