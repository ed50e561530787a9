// The flink-playgrounds data generator's Throttler, ported exactly: time is cut into short batches, a batch's
// rows go out at full speed, then the generator sleeps for what is left of the batch's time slot. The float
// and int casts of the Java code are reproduced (Math.fround, truncation) so the batch sizes are the same.
// The Java version counts single records; this one is told how many rows were emitted at once, so the source
// can produce whole batches and never sets a timer per row.

/** Throttler's batch size and slot length for a rate, as the Java constructor computes them. */
export function throttleParams(rowsPerSecond: number): { batchSize: number; nanosPerBatch: number } {
  const rate = Math.fround(rowsPerSecond); // final float ratePerSubtask = (float) maxRecordsPerSecond;
  if (rate >= 10000) {
    // high rates: all throttling in intervals of 2 ms; (int) ratePerSubtask / 500
    return { batchSize: Math.trunc(javaInt(rate) / 500), nanosPerBatch: 2_000_000 };
  }
  const batchSize = javaInt(Math.fround(rate / 20)) + 1;
  return { batchSize, nanosPerBatch: javaInt(Math.fround(1_000_000_000 / rate)) * batchSize };
}

/** Java's (int) cast of a float: truncation, saturating at the int range. */
function javaInt(x: number): number {
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(x)));
}

/** Monotonic nanoseconds; injectable so tests can drive time. */
export type NanoClock = () => number;
export const monotonicNanos: NanoClock = () => performance.now() * 1e6;

export class Throttler {
  readonly batchSize: number;
  readonly nanosPerBatch: number;
  private endOfNextBatchNanos: number;
  private currentBatch = 0;

  constructor(rowsPerSecond: number, private readonly clock: NanoClock = monotonicNanos) {
    ({ batchSize: this.batchSize, nanosPerBatch: this.nanosPerBatch } = throttleParams(rowsPerSecond));
    this.endOfNextBatchNanos = clock() + this.nanosPerBatch;
  }

  /** Rows that may still go out before the current batch is complete. */
  rowsLeftInBatch(): number {
    return this.batchSize - this.currentBatch;
  }

  /**
   * Records `rows` emitted (at most rowsLeftInBatch()). Returns the milliseconds to sleep now: non-zero only
   * when the rows completed a batch ahead of its time slot, exactly as Throttler.throttle() would sleep.
   */
  emitted(rows: number): number {
    this.currentBatch += rows;
    if (this.currentBatch < this.batchSize) return 0;
    this.currentBatch = 0;
    const now = this.clock();
    const millisRemaining = Math.trunc((this.endOfNextBatchNanos - now) / 1_000_000);
    if (millisRemaining > 0) {
      this.endOfNextBatchNanos += this.nanosPerBatch;
      return millisRemaining;
    }
    this.endOfNextBatchNanos = now + this.nanosPerBatch;
    return 0;
  }
}
