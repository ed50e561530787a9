// The shell of a sink writer that buffers changes and sends them in batches through a SinkFlusher (jdbc,
// elasticsearch-7): the flusher started once the connection is ready, write()'s check of an earlier failure
// and its backpressure, flush(), close(), and the refusal of updates by a sink without a key. A subclass
// says how rows enter its buffer, when a batch is full, how it is taken and sent, and how to disconnect.
import type { SinkContext, SinkWriter } from './connector.js';
import { UserError } from './errors.js';
import { ROW_KIND_SHORT, RowKind, type Batch } from './row.js';
import { SinkFlusher, type FlushTarget } from './sink-flusher.js';

/** write() waits once this many batches' worth of entries are buffered behind the one being sent. */
const HIGH_WATER_BATCHES = 4;

export abstract class BufferingSinkWriter<B> implements SinkWriter, FlushTarget<B> {
  private flusher: SinkFlusher<B> | null = null;

  protected constructor(protected readonly ctx: SinkContext, private readonly connector: string) {}

  abstract open(restored: unknown | null): Promise<void>;

  /** Called by open() once the connection is ready: batches of `batchSize` entries, sent every `intervalMs`. */
  protected startFlushing(batchSize: number, intervalMs: number): void {
    this.flusher = new SinkFlusher<B>(this, { intervalMs, highWater: batchSize * HIGH_WATER_BATCHES, signal: this.ctx.signal });
  }

  write(batch: Batch): void | Promise<void> {
    const flusher = this.opened();
    flusher.throwIfFailed();
    this.buffer(batch);
    return flusher.afterWrite();
  }

  flush(): Promise<void> {
    return this.opened().flush();
  }

  async close(): Promise<void> {
    await this.flusher?.close();
    this.flusher = null;
    await this.disconnect();
  }

  /** A sink without a PRIMARY KEY appends: any other change is a user error naming the fix. */
  protected requireInsert(kind: RowKind, appends: string, hint: string): void {
    if (kind !== RowKind.INSERT) {
      throw new UserError(`table '${this.ctx.table}' declares no PRIMARY KEY, so the ${this.connector} sink only ${appends}, but it received a ${ROW_KIND_SHORT[kind]} change`, hint);
    }
  }

  /** Adds a batch of changes to the buffer. */
  protected abstract buffer(batch: Batch): void;
  /** Closes the connection; never throws. */
  protected abstract disconnect(): Promise<void>;

  // FlushTarget: the buffer as the send loop sees it.
  abstract buffered(): number;
  abstract full(): boolean;
  abstract take(): B | null;
  abstract send(batch: B, signal: AbortSignal): Promise<void>;

  private opened(): SinkFlusher<B> {
    if (this.flusher === null) throw new Error(`${this.connector} sink of table '${this.ctx.table}' is not open`);
    return this.flusher;
  }
}
