// The datagen source reader: produces batches of up to 1024 rows, paced by the Throttler. When a throttle
// batch completes ahead of its time slot the reader owes a sleep; it is taken at the start of the next poll,
// in slices of at most MAX_WAIT_MS so the runtime gets empty batches back and its timers keep running.
// At parallelism n, subtask i produces the contiguous row range [i·L/n, (i+1)·L/n) of a bounded table's L rows
// (row r is the same whichever subtask makes it, so the table is the same at any parallelism) and its share
// of rows-per-second, as Flink's datagen splits its sequence and rate; an unbounded one draws its own rows.
import { randomInt } from 'node:crypto';
import type { SourceBatch, SourceContext, SourceReader } from '../../core/connector.js';
import { UserError } from '../../core/errors.js';
import type { FieldSpec } from './field-specs.js';
import { datagenSettings, type DatagenSettings } from './options.js';
import { RowGenerator } from './generators.js';
import { monotonicNanos, Throttler, type NanoClock } from './throttler.js';

const MAX_BATCH = 1024;
const MAX_WAIT_MS = 50;

/** What a checkpoint holds: the next row to emit (an index in the table) and the seed rows are generated with. */
export interface DatagenPosition {
  rows: number;
  seed: number;
}

/** Unbounded subtasks draw rows from ranges this far apart, so that no two produce the same row. */
const UNBOUNDED_STRIDE = 2 ** 40;

export function createSource(ctx: SourceContext, clock: NanoClock = monotonicNanos): SourceReader {
  return new DatagenReader(ctx, clock);
}

class DatagenReader implements SourceReader {
  readonly bounded: boolean;
  private readonly settings: DatagenSettings;
  private readonly specs: FieldSpec[];
  private readonly limit: number;
  /** This subtask's first row (see the header). */
  private readonly first: number;
  private readonly rowsPerSecond: number;
  private readonly split: string;
  private generator: RowGenerator | null = null;
  private throttler: Throttler | null = null;
  private emitted = 0;
  private seed = 0;
  private resumeAtNanos = 0;

  constructor(private readonly ctx: SourceContext, private readonly clock: NanoClock) {
    this.settings = datagenSettings(ctx);
    this.specs = ctx.fields.map((f) => {
      const spec = this.settings.fields.find((s) => s.name === f.name);
      if (!spec) throw new UserError(`table '${ctx.table}': column '${f.name}' is not declared`);
      return spec;
    });
    const total = this.settings.rows;
    this.bounded = total !== Infinity;
    const { index, parallelism } = ctx.subtask ?? { index: 0, parallelism: 1 };
    this.first = this.bounded ? Math.floor((index * total) / parallelism) : index * UNBOUNDED_STRIDE;
    this.limit = this.bounded ? Math.floor(((index + 1) * total) / parallelism) : Infinity;
    this.rowsPerSecond = this.settings.rowsPerSecond / parallelism;
    this.split = `datagen-${index}`;
  }

  async open(restored: unknown | null): Promise<void> {
    const position = restored as DatagenPosition | null;
    this.seed = position?.seed ?? this.settings.seed ?? randomInt(0, 2 ** 32);
    this.emitted = position?.rows ?? this.first;
    this.generator = new RowGenerator(this.specs, this.seed);
    this.throttler = new Throttler(this.rowsPerSecond, this.clock);
  }

  async poll(): Promise<SourceBatch | null> {
    if (this.emitted >= this.limit) return null;
    const owedMs = (this.resumeAtNanos - this.clock()) / 1e6;
    if (owedMs > 0) {
      await sleep(Math.min(owedMs, MAX_WAIT_MS), this.ctx.signal);
      if (this.clock() < this.resumeAtNanos) return { split: this.split, rows: [] };
    }
    const throttler = this.throttler!;
    const count = Math.min(MAX_BATCH, this.limit - this.emitted, throttler.rowsLeftInBatch());
    const rows = this.generator!.rows(this.emitted, count, Date.now());
    this.emitted += count;
    const sleepMs = throttler.emitted(count);
    if (sleepMs > 0) this.resumeAtNanos = this.clock() + sleepMs * 1e6;
    return { split: this.split, rows };
  }

  splits(): string[] {
    return [this.split];
  }

  snapshot(): DatagenPosition {
    return { rows: this.emitted, seed: this.seed };
  }

  async close(): Promise<void> {}
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
