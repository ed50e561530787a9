// The operators of a running job, connected in a graph: each takes batches and watermarks from upstream
// and pushes to its outputs synchronously. Sinks may answer with a promise (full buffers), which the runner
// awaits before it polls the source again: that is how backpressure reaches the source.
import type { Field } from '../core/data-types.js';
import type { AggKernel, MapStage, StageOutput } from '../core/kernels.js';
import type { GroupIngest } from '../state/group-state.js';
import type { WindowIngest } from '../state/window-state.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { GroupAggregateNode, WindowAggregateNode } from '../core/plan.js';
import type { Row, RowKind } from '../core/row.js';
import type { SinkWriter } from '../core/connector.js';
import { GroupState } from '../state/group-state.js';
import { WindowState } from '../state/window-state.js';
import { sliceable } from '../state/window-slices.js';
import { keyGroupFunction } from './key-groups.js';
import { MiniBatchTrigger, type MiniBatchSettings } from './mini-batch.js';

export interface Processor {
  process(rows: Row[], kinds: RowKind[] | null): void;
  watermark(wm: number): void;
  endInput(): void;
}

export interface Stateful {
  snapshot(): unknown;
  restore(state: unknown): void;
}

export abstract class Emitter {
  readonly outputs: Processor[] = [];
  constructor(readonly metrics: OperatorMetrics) {}

  protected emit(rows: Row[], kinds: RowKind[] | null): void {
    if (rows.length === 0) return;
    this.metrics.recordsOut += rows.length;
    for (const o of this.outputs) o.process(rows, kinds);
  }

  watermark(wm: number): void {
    for (const o of this.outputs) o.watermark(wm);
  }

  endInput(): void {
    for (const o of this.outputs) o.endInput();
  }
}

/** Calcs (fused or one alone). */
export class MapProcessor extends Emitter implements Processor {
  constructor(private readonly stage: MapStage, metrics: OperatorMetrics) { super(metrics); }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const out: StageOutput = { rows: [], kinds: kinds === null ? null : [] };
    this.stage(rows, kinds, out);
    this.emit(out.rows, out.kinds);
  }
}

/**
 * Non-windowed aggregate: accumulates a batch, then emits the changes as an upsert changelog; with a
 * mini-batch (mini-batch.ts), only once the mini-batch is due, or when the runner flushes it.
 */
export class GroupAggProcessor extends Emitter implements Processor, Stateful {
  readonly state: GroupState;
  private readonly trigger: MiniBatchTrigger | null;

  constructor(
    private readonly ingest: GroupIngest, kernel: AggKernel, node: GroupAggregateNode, input: readonly Field[], metrics: OperatorMetrics, miniBatch: MiniBatchSettings | null,
    maxParallelism: number,
    /** Batch mode: emit once, at the end of input (final rows, inserts only). */
    private readonly atEnd = false,
    /**
     * Batch mode in one subtask: an aggregate without keys has its one row over no input too (COUNT 0, the others
     * NULL), as Flink's batch aggregate; a stream has no row until the first input, as Flink's GroupAggFunction.
     * (Parallel subtasks would each make one: not there.)
     */
    private readonly rowOverNoInput = false,
  ) {
    super(metrics);
    const keyTypes = node.keys.map((k) => input.find((f) => f.name === k)!.type);
    this.state = new GroupState(kernel, node.keys, keyTypes, node.aggs.map((a) => a.name), keyGroupFunction(keyTypes, maxParallelism), maxParallelism);
    this.trigger = miniBatch && new MiniBatchTrigger(miniBatch);
    this.keyless = node.keys.length === 0;
  }

  private readonly keyless: boolean;

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    this.ingest(rows, kinds, this.state);
    if (this.atEnd) return;
    if (this.trigger === null || this.trigger.add(rows.length, Date.now())) this.flush();
  }

  /** Emits the changes since the last emission. */
  flush(): void {
    this.trigger?.reset();
    const out: Row[] = [];
    const outKinds: RowKind[] = [];
    this.state.drainChanges(out, outKinds);
    this.emit(out, outKinds);
  }

  /** For the runner's timer: a mini-batch whose latency has passed goes out even when no input comes. */
  flushIfDue(now: number): void {
    if (this.trigger?.due(now)) this.flush();
  }

  endInput(): void {
    if (this.rowOverNoInput && this.keyless && this.state.map.size === 0) this.state.touch(this.state.entry([]));
    this.flush();
    super.endInput();
  }

  snapshot(): unknown { return this.state.snapshot(); }
  restore(s: unknown): void { this.state.restore(s); }
}

/**
 * Window aggregate: accumulates, and fires windows when the watermark (or the clock) passes their end. A batch
 * (no watermark: every window fires at the end of input) keeps its windows as slices where that is exact
 * (runtime/state/window-slices.ts).
 */
export class WindowAggProcessor extends Emitter implements Processor, Stateful {
  readonly state: WindowState;

  constructor(
    private readonly ingest: WindowIngest, kernel: AggKernel, node: WindowAggregateNode, input: readonly Field[], metrics: OperatorMetrics, maxParallelism: number,
    /** A single task's batch run: slice the windows if they can be. */
    batch = false,
  ) {
    super(metrics);
    const keyTypes = node.keys.map((k) => input.find((f) => f.name === k)!.type);
    const sliced = batch && sliceable(node.window, node.aggs, input);
    this.state = new WindowState(node.window, kernel, node.keys, node.aggs.map((a) => a.name), node.properties, keyGroupFunction(keyTypes, maxParallelism), maxParallelism, sliced);
  }

  get processingTime(): boolean {
    return this.state.spec.time === 'processing';
  }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const lateBefore = this.state.late;
    this.ingest(rows, kinds, this.state);
    this.metrics.lateRecordsDropped += this.state.late - lateBefore;
  }

  watermark(wm: number): void {
    if (!this.processingTime) this.fire(wm);
    super.watermark(wm);
  }

  /** Processing-time windows: when the next one fires. */
  nextFireTime(): number {
    return this.state.nextFireTime();
  }

  /** Processing-time windows fire from the runner's timer. */
  fire(time: number): void {
    const out: Row[] = [];
    // Rows go out in chunks as they are made: a batch's end fires every window at once.
    this.state.fire(time, out, (rows) => this.emit(rows, null));
    this.emit(out, null);
  }

  endInput(): void {
    this.fire(Infinity);
    super.endInput();
  }

  snapshot(): unknown { return this.state.snapshot(); }
  restore(s: unknown): void { this.state.restore(s); }
}

/** Passes batches on unchanged (an exchange within one subtask). */
export class Forward extends Emitter implements Processor {
  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    this.emit(rows, kinds);
  }
}

/** Union of several inputs: the watermark is the minimum over inputs; the end comes when all have ended. */
export class UnionProcessor extends Emitter {
  private readonly wms: number[];
  private ended = 0;
  private current = -Infinity;

  constructor(private readonly inputs: number, metrics: OperatorMetrics) {
    super(metrics);
    this.wms = new Array(inputs).fill(-Infinity);
  }

  port(i: number): Processor {
    return {
      process: (rows, kinds) => { this.metrics.recordsIn += rows.length; this.emit(rows, kinds); },
      watermark: (wm) => {
        this.wms[i] = wm;
        const min = Math.min(...this.wms);
        // this.watermark / this.endInput: a join built on the union (the interval join) acts on them first.
        if (min > this.current) { this.current = min; this.watermark(min); }
      },
      endInput: () => {
        this.wms[i] = Infinity;
        if (++this.ended === this.inputs) this.endInput();
        else this.port(i).watermark(Infinity);
      },
    };
  }
}

/** Hands batches to a sink writer; collects the promises of writers whose buffers are full. */
export class SinkProcessor implements Processor {
  constructor(private readonly writer: SinkWriter, private readonly metrics: OperatorMetrics, private readonly pending: Promise<void>[]) {}

  process(rows: Row[], kinds: RowKind[] | null): void {
    if (rows.length === 0) return;
    this.metrics.recordsIn += rows.length;
    const batch = { rows, kinds };
    this.metrics.outputSample?.add(batch);
    const p = this.writer.write(batch);
    if (p) this.pending.push(p);
  }

  watermark(): void {}

  endInput(): void {}
}
