/**
 * Rows wait here at most `everyMs`, or until `flushAt` are buffered, before one batched insert. If the
 * database falls behind, the oldest rows are dropped (and counted), never the process. A failed insert
 * puts its rows back at the front for the next flush.
 */
export class BufferedWriter<T> {
  private buffer: T[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  dropped = 0;

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly onError: (err: Error) => void,
    private readonly limits = { everyMs: 1_000, flushAt: 500, cap: 20_000 },
  ) {
    this.timer = setInterval(() => this.flushSoon(), limits.everyMs);
    this.timer.unref();
  }

  push(row: T): void {
    this.buffer.push(row);
    if (this.buffer.length > this.limits.cap) {
      this.dropped += this.buffer.length - this.limits.cap;
      this.buffer.splice(0, this.buffer.length - this.limits.cap);
    }
    if (this.buffer.length >= this.limits.flushAt) this.flushSoon();
  }

  /** Resolves once everything pushed so far has been written (or has failed and gone back). */
  flush(): Promise<void> {
    this.flushSoon();
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private flushSoon(): void {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        await this.write(batch);
      } catch (err) {
        this.onError(err as Error);
        this.buffer = [...batch, ...this.buffer];
      }
    });
  }
}
