// The contract between generated (or interpreted) code and the runtime's operators: what a fused stage is
// as a function, and what an aggregate kernel provides. Both execution modes produce these shapes.
import type { Row, RowKind } from './row.js';
import type { UdfFunctions } from './udf.js';

/** Accumulators of one group (or one window of one group): create, finish into a row, merge (sessions). */
export interface AggKernel<A = any> {
  create(): A;
  /** Writes the aggregate output columns into `out`. */
  result(acc: A, out: Row): void;
  merge(into: A, from: A): void;
  /** Retracting kernels (an updating input): the rows the accumulators hold; at 0 or below the group is gone. */
  rows?: (acc: A) => number;
}

/** Output of a map stage: rows and, when the input is a changelog, their kinds. */
export interface StageOutput {
  rows: Row[];
  kinds: RowKind[] | null;
}

/** A chain of calcs over a batch. */
export type MapStage = (rows: Row[], kinds: RowKind[] | null, out: StageOutput) => void;
/**
 * A chain of calcs ending in an aggregate's accumulate step, into the aggregate's state `S`: runtime/state's
 * GroupState (GroupIngest) or WindowState (WindowIngest), which sit above this contract.
 */
export type AggregateIngest<S> = (rows: Row[], kinds: RowKind[] | null, st: S) => void;
/** A join's condition beyond its equality keys, over a joined row: true keeps the pair. */
export type RowCondition = (row: Row) => unknown;
/**
 * The rows a regular join makes, with the calcs of the fused node reading it applied (FusedNode.joinOutput):
 * each gives the calcs' row, or null when their filter drops it. `l`, `r`: input rows (null: NULL padding);
 * `a`, `o`: a row the other side keeps flat, its values from `a[o]` (runtime/state/flat-join-state.ts).
 */
export interface JoinOutput {
  joined(l: Row | null, r: Row | null): Row | null;
  leftWithFlat(l: Row, a: readonly unknown[], o: number): Row | null;
  rightWithFlat(r: Row, a: readonly unknown[], o: number): Row | null;
}
/** Adds a source's computed columns to decoded rows, in place. */
export type ComputeColumns = (rows: Row[]) => void;

export interface StageCode {
  /** Per fused stage id. */
  stages: Record<string, MapStage | AggregateIngest<never>>;
  /** Per source node id that has computed columns. */
  computed: Record<string, ComputeColumns>;
  /** Per join node id that has a condition beyond its keys. */
  conditions?: Record<string, RowCondition>;
  /** Per join node id whose reader is fused into it (FusedNode.joinOutput): its output rows. */
  joinOutputs?: Record<string, JoinOutput>;
  /** Stages that keep no reference to their input rows once they return (their source may recycle them). */
  releasesInput?: string[];
  /** Per fused stage id that reads CURRENT_WATERMARK: the cell holding the watermark its input received (null before one). */
  watermarks?: Record<string, WatermarkCell>;
  /** The UDF table the code calls: aggregates create, finish and merge the accumulators of aggregate functions with it. */
  udfs?: UdfFunctions;
}

/** The watermark (ms) a stage's operator has received, null before the first one. */
export interface WatermarkCell { wm: number | null }

/** Group key of several columns: a string that cannot collide between different value tuples of one type. */
export function compositeKey(values: readonly unknown[]): string {
  let k = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    k += (i ? '\u0001' : '') + (v === null ? '\u0000' : typeof v === 'string' ? 's' + v : String(v));
  }
  return k;
}
