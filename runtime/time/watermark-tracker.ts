// Event-time progress of one source: the bounded-out-of-orderness watermark per split (max timestamp seen
// minus the delay), merged by minimum across splits, with splits that have been silent longer than the idle
// timeout left out (table.exec.source.idle-timeout / scan.watermark.idle-timeout), as Flink aligns them.

export class WatermarkTracker {
  private readonly maxTs = new Map<string, number>();
  private readonly lastActive = new Map<string, number>();
  private current = -Infinity;

  constructor(private readonly delayMs: number, private readonly idleTimeoutMs: number, private readonly clock: () => number = Date.now) {}

  /** Records the largest event timestamp of a batch from a split. */
  observe(split: string, maxTimestamp: number): void {
    const prev = this.maxTs.get(split);
    if (prev === undefined || maxTimestamp > prev) this.maxTs.set(split, maxTimestamp);
    this.lastActive.set(split, this.clock());
  }

  /** Marks a split as present (assigned) even before it has data: it holds the watermark back until idle. */
  register(split: string): void {
    if (!this.lastActive.has(split)) this.lastActive.set(split, this.clock());
  }

  /** The watermark now: never decreases. */
  watermark(): number {
    const now = this.clock();
    let min = Infinity;
    let active = 0;
    for (const [split, last] of this.lastActive) {
      if (this.idleTimeoutMs > 0 && now - last >= this.idleTimeoutMs) continue;
      active++;
      const ts = this.maxTs.get(split);
      const wm = ts === undefined ? -Infinity : ts - this.delayMs;
      if (wm < min) min = wm;
    }
    if (active > 0 && min > this.current) this.current = min;
    return this.current;
  }

  /**
   * Whether the source holds no watermark back: no split assigned, or every split silent longer than the idle
   * timeout. A parallel subtask then marks its channels idle (Flink's WatermarkStatus.IDLE).
   */
  idle(): boolean {
    if (this.lastActive.size === 0) return true;
    if (this.idleTimeoutMs <= 0) return false;
    const now = this.clock();
    for (const last of this.lastActive.values()) if (now - last < this.idleTimeoutMs) return false;
    return true;
  }

  snapshot(): unknown {
    return { current: Number.isFinite(this.current) ? this.current : null, maxTs: [...this.maxTs] };
  }

  restore(s: unknown): void {
    const x = s as { current: number | null; maxTs: [string, number][] };
    this.current = x.current ?? -Infinity;
    for (const [split, ts] of x.maxTs) this.maxTs.set(split, ts);
  }
}
