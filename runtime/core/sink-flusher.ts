// The send loop of a buffering sink (jdbc, elasticsearch-7): full batches go out in the background, one at a
// time and in order (so a later change to a key never overtakes an earlier one); a timer sends what is left
// after an interval; write() hands back a promise while far too much is buffered (backpressure); flush() waits
// until the buffer is empty and every batch is acknowledged. A batch that finally fails is kept as the sink's
// failure and thrown from the next write() or flush(), as Flink's sinks do with their background flushes.

/** What a sink's buffer offers to the loop. */
export interface FlushTarget<B> {
  /** Entries buffered now (rows or actions): compared with the high-water mark. */
  buffered(): number;
  /** True when a full batch is buffered (max rows, actions or bytes reached). */
  full(): boolean;
  /** Removes the next batch to send; null when the buffer is empty. */
  take(): B | null;
  /** Sends a batch, retrying as the connector does; rejects when it fails for good. */
  send(batch: B, signal: AbortSignal): Promise<void>;
}

export interface FlusherOptions {
  /** Sends whatever is buffered this often; 0 turns the timer off. */
  intervalMs: number;
  /** Above this many buffered entries, write() waits for the send loop. */
  highWater: number;
  /** The job's stop signal: aborts retry waits. */
  signal: AbortSignal;
}

export class SinkFlusher<B> {
  private loop: Promise<void> | null = null;
  /** Set by flush() and the timer: send even a partial batch, until the buffer is empty. */
  private drainRequested = false;
  private failure: { error: unknown } | null = null;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout | null;

  constructor(private readonly target: FlushTarget<B>, private readonly options: FlusherOptions) {
    const stop = () => this.abort.abort();
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
    this.timer = options.intervalMs > 0 ? setInterval(() => this.onTimer(), options.intervalMs) : null;
    // The timer must not keep a finished process alive; close() clears it anyway.
    this.timer?.unref();
  }

  /** Call at the end of write(): starts sending a full buffer, and returns a promise while too much is buffered. */
  afterWrite(): void | Promise<void> {
    this.throwIfFailed();
    if (!this.target.full()) return;
    const loop = this.start();
    if (this.target.buffered() >= this.options.highWater) return loop.then(() => this.throwIfFailed());
  }

  /** Resolves when everything buffered so far is sent and acknowledged; throws the sink's failure. */
  async flush(): Promise<void> {
    this.throwIfFailed();
    while (this.loop !== null || this.target.buffered() > 0) {
      this.drainRequested = true;
      await this.start();
      this.throwIfFailed();
    }
  }

  /** Stops the timer and any retry wait; waits for a batch already on the wire. Does not send the rest. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.loop;
  }

  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure.error;
    if (this.closed) throw new Error('sink is closed');
  }

  private onTimer(): void {
    if (this.loop !== null || this.failure !== null || this.target.buffered() === 0) return;
    this.drainRequested = true;
    // Never rejects: a failure is kept for the next write() or flush().
    void this.start();
  }

  private start(): Promise<void> {
    if (this.loop === null) this.loop = this.run().finally(() => { this.loop = null; });
    return this.loop;
  }

  private async run(): Promise<void> {
    while (this.failure === null && !this.closed && (this.drainRequested || this.target.full())) {
      const batch = this.target.take();
      if (batch === null) { this.drainRequested = false; break; }
      try {
        await this.target.send(batch, this.abort.signal);
      } catch (e) {
        this.failure = { error: e };
      }
    }
  }
}
