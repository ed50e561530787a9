// Local-global aggregation (Flink's two-phase aggregation, table.optimizer.agg-phase-strategy TWO_PHASE): in
// every subtask, the fused node that ends in an aggregate's accumulate step accumulates each batch into a
// local state of its own, and its partial accumulators, one per key (and window), go through the hash
// exchange instead of the rows; the subtask that owns the key merges them into its state (the aggregate's
// kernel merge()). As Flink's MiniBatchLocalGroupAggFunction, the local state spans many source batches: the
// partials go out once PARTIAL_ROWS input rows are in it, at the runner's timer tick (subtask-runner.ts, every
// 20 ms), and before a watermark, a checkpoint barrier or the end of input passes on. Sending them per source
// batch (1024 rows) gained nothing with many keys (id % 1000: ~1000 partials per batch, each copied to the
// other thread) and cost -p 2 three times the CPU of -p 1 (bench/RESULTS.md, issue 18.6). PARTIAL_ROWS bounds
// the local state (at most that many entries, plus one batch) and the size of one exchange message.
// The local state never fires windows and never drops late rows: lateness is the owner's decision, against
// the watermark that is the minimum over all subtasks (as at parallelism 1).
import type { AggKernel, AggregateIngest } from '../../core/kernels.js';
import type { OperatorMetrics } from '../../core/metrics.js';
import type { GroupAggregateNode, WindowAggregateNode } from '../../core/plan.js';
import type { Row, RowKind } from '../../core/row.js';
import type { Field } from '../../core/data-types.js';
import { GroupState, type GroupIngest } from '../../state/group-state.js';
import { WindowState, type WindowIngest } from '../../state/window-state.js';
import type { Processor } from '../processors.js';
import { DEFAULT_MAX_PARALLELISM, keyGroupFunction } from '../key-groups.js';

type AggNode = GroupAggregateNode | WindowAggregateNode;

/** A partial of a group aggregate: [keys, accumulators]. */
export type GroupPartial = [unknown[], unknown];
/** A partial of a window aggregate: [window start, window end, group key, keys, accumulators]. */
export type WindowPartial = [number, number, unknown, unknown[], unknown];

/** The key values of a partial, for the hash exchange's router. */
export const partialKeys = (agg: AggNode) => (agg.kind === 'groupAggregate' ? (p: GroupPartial) => p[0] : (p: WindowPartial) => p[3]);

/** Input rows a local aggregate takes in before its partials go out (they may go sooner: see the header). */
export const PARTIAL_ROWS = 16_384;

/** The pre-aggregating end of a fused accumulate step: runs its ingest into a local state, sends the partials on. */
export class LocalAggregate implements Processor {
  readonly outputs: Processor[] = [];
  private readonly state: GroupState | WindowState;
  /** Input rows in the local state since its partials last went out. */
  private buffered = 0;
  /** Processing-time windows send theirs with every batch: the owner fires on its own clock, so no partial may wait. */
  private readonly flushRows: number;

  constructor(private readonly ingest: AggregateIngest<never>, agg: AggNode, kernel: AggKernel, input: readonly Field[], private readonly metrics: OperatorMetrics) {
    this.flushRows = agg.kind === 'windowAggregate' && agg.window.time === 'processing' ? 0 : PARTIAL_ROWS;
    const aggNames = agg.aggs.map((a) => a.name);
    const keyTypes = agg.keys.map((k) => input.find((f) => f.name === k)!.type);
    // Never snapshotted (its partials leave with every batch): the key groups are those of the default maximum.
    const kgOf = keyGroupFunction(keyTypes, DEFAULT_MAX_PARALLELISM);
    this.state = agg.kind === 'groupAggregate'
      ? new GroupState(kernel, agg.keys, keyTypes, aggNames, kgOf, DEFAULT_MAX_PARALLELISM)
      : new WindowState(agg.window, kernel, agg.keys, aggNames, agg.properties, kgOf, DEFAULT_MAX_PARALLELISM);
  }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    (this.ingest as AggregateIngest<GroupState | WindowState>)(rows, kinds, this.state);
    this.buffered += rows.length;
    if (this.buffered >= this.flushRows) this.flush();
  }

  /** Sends the partials of the rows taken in since the last time (the runner calls it on its timer and before a barrier). */
  flush(): void {
    if (this.buffered === 0) return;
    this.buffered = 0;
    const partials = this.state.takePartials();
    if (partials.length === 0) return;
    this.metrics.recordsOut += partials.length;
    for (const o of this.outputs) o.process(partials as unknown as Row[], null);
  }

  watermark(wm: number): void {
    this.flush();
    for (const o of this.outputs) o.watermark(wm);
  }

  endInput(): void {
    this.flush();
    for (const o of this.outputs) o.endInput();
  }
}

/** The owner's ingest: merges the partials that came through the exchange into its state. */
export function mergeIngest(agg: AggNode): GroupIngest | WindowIngest {
  if (agg.kind === 'groupAggregate') {
    return (partials: Row[], _kinds: RowKind[] | null, st: GroupState) => {
      for (const [keys, acc] of partials as unknown as GroupPartial[]) st.mergePartial(keys, acc);
    };
  }
  return (partials: Row[], _kinds: RowKind[] | null, st: WindowState) => {
    for (const [start, end, key, keys, acc] of partials as unknown as WindowPartial[]) st.mergePartial(start, end, key, keys, acc);
  };
}
