// One source's loop: polls its reader, adds computed and time columns, tracks event time per split, pushes
// each batch through the operators behind it, waits for full sinks (backpressure) and parks at the
// snapshot barrier. Measures where the time goes (ChainTimes).
import type { SourceReader } from '../core/connector.js';
import type { ComputeColumns } from '../core/kernels.js';
import type { Logger } from '../core/log.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { SourceNode } from '../core/plan.js';
import { RowKind, type Row } from '../core/row.js';
import type { WatermarkTracker } from '../time/watermark-tracker.js';
import type { Processor } from './processors.js';
import type { Barrier } from './snapshot.js';

/**
 * Where a source's chain spends its time (cumulative ms): waiting for input (idle), processing (busy), or
 * waiting for sinks whose buffers are full (backpressured). The cluster turns these into Flink's
 * busy/idle/backPressuredTimeMsPerSecond and the backpressure level.
 */
export interface ChainTimes {
  idleMs: number;
  busyMs: number;
  backPressuredMs: number;
}

/** What the runner shares with its pumps. */
export interface PumpControl {
  signal: AbortSignal;
  /** Sources end their input instead of parking (stop-with-savepoint --drain). */
  draining(): boolean;
  barrier: Barrier;
  /** Waits for sinks whose buffers were full. */
  drainPending(): Promise<void>;
  /** Per source id: the last watermark it emitted. */
  watermarks: Map<string, number>;
  /** Advance the watermark after every this many rows instead of after each polled batch (RunOptions.rowsPerWatermark). */
  rowsPerWatermark?: number;
  /** Called when a bounded source's input ends, before the end reaches the operators (RunOptions.onEndOfInput). */
  onEndOfInput?: () => void;
}

export class SourcePump {
  readonly outputs: Processor[] = [];
  done = false;
  /** A poll has returned: the reader's splits are known (a parallel subtask with none is idle). */
  polled = false;
  readonly times: ChainTimes = { idleMs: 0, busyMs: 0, backPressuredMs: 0 };

  constructor(
    readonly node: SourceNode,
    readonly reader: SourceReader,
    readonly tracker: WatermarkTracker | null,
    private readonly computed: ComputeColumns | undefined,
    /** The job keeps none of the batch's rows once processed: hand them back to the reader (SourceReader.recycle). */
    private readonly recycle: boolean,
    private readonly metrics: OperatorMetrics,
    private readonly log: Logger,
  ) {}

  async run(ctl: PumpControl): Promise<void> {
    const { node, reader, times, metrics: m } = this;
    const rowtime = node.watermark?.column;
    const proctime = node.proctime;
    let lastWm = -Infinity;
    try {
      while (!ctl.signal.aborted && !ctl.draining()) {
        const polling = performance.now();
        const batch = await reader.poll();
        if (batch === null) break;
        this.polled = true;
        const processing = performance.now();
        // A poll that brought rows was reading and decoding; an empty one was waiting for input.
        if (batch.rows.length > 0) times.busyMs += processing - polling;
        else times.idleMs += processing - polling;
        for (const split of reader.splits()) this.tracker?.register(split);
        let rows = batch.rows;
        let kinds = batch.kinds ?? null;
        if (rows.length > 0) {
          m.recordsOut += rows.length;
          if (this.computed) this.computed(rows);
          if (proctime) { const now = Date.now(); for (const r of rows) r[proctime] = now; }
          if (ctl.rowsPerWatermark && this.tracker) {
            lastWm = this.pushInSteps(batch.split, rows, kinds, ctl, lastWm);
          } else {
            if (rowtime) ({ rows, kinds } = this.observeRowtime(batch.split, rows, kinds, rowtime));
            for (const o of this.outputs) o.process(rows, kinds);
          }
          if (this.recycle) reader.recycle!(batch.rows);
        }
        if (this.tracker) {
          const wm = this.tracker.watermark();
          if (wm > lastWm) { lastWm = wm; ctl.watermarks.set(node.id, wm); for (const o of this.outputs) o.watermark(wm); }
        }
        const waiting = performance.now();
        times.busyMs += waiting - processing;
        await ctl.drainPending();
        times.backPressuredMs += performance.now() - waiting;
        // Draining sources do not park: they leave the loop and end their input before the snapshot.
        if (ctl.barrier.raised && !ctl.draining()) await ctl.barrier.park();
      }
      if ((reader.bounded || ctl.draining()) && !ctl.signal.aborted) {
        ctl.onEndOfInput?.();
        for (const o of this.outputs) o.endInput();
      }
    } finally {
      this.done = true;
      ctl.barrier.arrive();
    }
  }

  /**
   * A batch pushed in steps of ctl.rowsPerWatermark rows, the watermark advancing after each: as if the rows had
   * arrived that far apart (reconcile replays a stream's lateness this way: every record against the watermark
   * of the records before it).
   */
  private pushInSteps(split: string, all: Row[], allKinds: RowKind[] | null, ctl: PumpControl, lastWm: number): number {
    const step = ctl.rowsPerWatermark!;
    for (let i = 0; i < all.length; i += step) {
      let rows = all.slice(i, i + step);
      let kinds = allKinds && allKinds.slice(i, i + step);
      ({ rows, kinds } = this.observeRowtime(split, rows, kinds, this.node.watermark!.column));
      for (const o of this.outputs) o.process(rows, kinds);
      const wm = this.tracker!.watermark();
      if (wm > lastWm) { lastWm = wm; ctl.watermarks.set(this.node.id, wm); for (const o of this.outputs) o.watermark(wm); }
    }
    return lastWm;
  }

  /**
   * Tracks the largest timestamp per split; added rows without a rowtime cannot be placed in time and are skipped,
   * counted. A retraction without one stays: an upsert-kafka tombstone carries only its key, and it deletes the
   * key's row whatever its time (Flink's watermark assigner passes it on too).
   */
  private observeRowtime(split: string, rows: Row[], kinds: RowKind[] | null, column: string): { rows: Row[]; kinds: RowKind[] | null } {
    let max = -Infinity;
    let nulls = 0;
    const unplaced = (r: Row, i: number) => (r[column] === null || r[column] === undefined) && (kinds === null || kinds[i] === RowKind.INSERT || kinds[i] === RowKind.UPDATE_AFTER);
    for (let i = 0; i < rows.length; i++) {
      const ts = rows[i][column] as number | null | undefined;
      // unplaced(), inline: this loop runs over every row of every batch.
      if (ts === null || ts === undefined) { if (kinds === null || kinds[i] === RowKind.INSERT || kinds[i] === RowKind.UPDATE_AFTER) nulls++; }
      else if (ts > max) max = ts;
    }
    if (nulls > 0) {
      this.metrics.badRecordsSkipped += nulls;
      this.log.warn({ table: this.node.table, column, skipped: nulls }, 'rows with a NULL rowtime were skipped');
      const keep = rows.map((r, i) => !unplaced(r, i));
      kinds = kinds && kinds.filter((_, i) => keep[i]);
      rows = rows.filter((_, i) => keep[i]);
    }
    if (max > -Infinity) this.tracker?.observe(split, max);
    return { rows, kinds };
  }
}
