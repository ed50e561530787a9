// The job plan: the one IR. The compiler builds and rewrites it (compiler/ir re-exports these types);
// the runtime executes it, with or without the generated code of its fused stages. Plain JSON data.
import type { Field } from './data-types.js';
import type { Expr } from './expr.js';
import type { ChangelogMode } from './row.js';

/** Where in the user's source a node or expression came from (1-based line and column). */
export interface SourceLoc { readonly file: string; readonly line: number; readonly col: number }

interface NodeBase {
  /** Stable operator id, derived from the node's content and inputs (see compiler/passes/assign-ids.ts). */
  id: string;
  /** Output columns. */
  schema: Field[];
  changelog: ChangelogMode;
  /** Unique key of the output when changelog is not insert-only (column names). */
  upsertKey?: string[];
  loc?: SourceLoc;
}

export interface WatermarkSpec {
  /** The rowtime column. */
  column: string;
  /** WATERMARK FOR column AS column - INTERVAL: the bound of out-of-orderness. */
  delayMs: number;
}

/** Where each WITH option of a table was written (compile time only; bundles drop it). */
type OptionLocs = { optionLocs?: Record<string, SourceLoc> };

export interface SourceNode extends NodeBase, OptionLocs {
  kind: 'source';
  table: string;
  connector: string;
  options: Record<string, string>;
  /** Every physical column of the DDL, in order (formats such as csv locate fields by position). */
  declared: Field[];
  /** Physical columns the connector decodes: after projection pushdown only the ones read downstream. */
  physical: Field[];
  /** Computed columns (`c AS expr`), evaluated right after decoding, in order. */
  computed: { name: string; expr: Expr }[];
  watermark: WatermarkSpec | null;
  proctime: string | null;
}

export interface CalcNode extends NodeBase {
  kind: 'calc';
  input: string;
  /** Applied first; rows for which it is not true are dropped. */
  filter: Expr | null;
  projections: { name: string; expr: Expr }[];
}

/**
 * `welford_m2`: the planner's helper for STDDEV/VAR* (runtime/core/collecting-aggs.ts), not a SQL name. `udaf`: an
 * aggregate function (`@udaf`), named by AggCall.udaf.
 */
export type AggFunction = 'sum' | 'count' | 'avg' | 'min' | 'max' | 'welford_m2' | 'udaf' | CollectingAgg;

/**
 * Aggregates that keep the values they saw (runtime/core/collecting-aggs.ts): FIRST_VALUE, LAST_VALUE, LISTAGG,
 * JSON_ARRAYAGG, JSON_OBJECTAGG, ARRAY_AGG. (STDDEV/VAR* are lowered into WELFORD_M2 and COUNT, as Flink's planner does.)
 */
export type CollectingAgg = 'first_value' | 'last_value' | 'listagg' | 'json_arrayagg' | 'json_objectagg' | 'array_agg';

export interface AggCall {
  fn: AggFunction;
  /** Input column; null for COUNT(*). JSON_OBJECTAGG's key, JSON_ARRAYAGG's element as JSON text. */
  arg: string | null;
  /** JSON_OBJECTAGG's value column (JSON text); a NULL value leaves the entry out (ABSENT ON NULL). */
  arg2?: string;
  /** LISTAGG's separator. */
  separator?: string;
  /** FILTER (WHERE ...): a BOOLEAN column; the row is accumulated (or retracted) only where it is TRUE. */
  filter?: string;
  /**
   * An aggregate function's call (`fn: 'udaf'`; `arg` is null): its name in the run's UDF table, its argument
   * columns (passed to accumulate and retract as they are, NULLs included, as Flink does), and whether it has
   * merge (a session window and a parallel job's local pre-aggregation need it) and retract; `notNull`: the
   * declared result type when it is NOT NULL (a NULL result then fails the job).
   */
  udaf?: { name: string; args: string[]; merge: boolean; retract: boolean; notNull?: string };
  distinct: boolean;
  /** Output column name. */
  name: string;
  /** How the user wrote it, for messages: 'sum(amount) AS total'. */
  label?: string;
}

export interface GroupAggregateNode extends NodeBase {
  kind: 'groupAggregate';
  input: string;
  keys: string[];
  aggs: AggCall[];
  /**
   * The input is updating (a CDC source, an outer join, another group-by): -U/-D rows are taken back out of
   * the accumulators, whose layout keeps what that needs (runtime/state/agg-kernel.ts). Absent: insert-only.
   */
  retracting?: true;
}

export interface WindowSpec {
  type: 'tumble' | 'slide' | 'session' | 'cumulate';
  /** The time attribute column the window is defined on. */
  timeColumn: string;
  time: 'event' | 'processing';
  sizeMs: number;
  /** slide for 'slide', step for 'cumulate'. */
  slideMs: number;
  gapMs: number;
}

export type WindowProperty = 'start' | 'end' | 'rowtime' | 'proctime';

export interface WindowAggregateNode extends NodeBase {
  kind: 'windowAggregate';
  input: string;
  window: WindowSpec;
  keys: string[];
  aggs: AggCall[];
  /** Window properties emitted as columns, e.g. { name: 'w_start', property: 'start' }. */
  properties: { name: string; property: WindowProperty }[];
}

/**
 * A window table function read on its own (Flink's WindowTableFunction, `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))`
 * without a GROUP BY of its window): every input row goes out at once, once per window it falls in (TUMBLE one,
 * HOP size/slide, CUMULATE one per step up to its window's end), with the input's columns and then the window's
 * `window_start`, `window_end` and `window_time` (end - 1 ms, the time attribute). Rows with a NULL time are
 * dropped; late rows are not (Flink's operator keeps them: a window Top-N above drops them). Stateless.
 */
export interface WindowTableNode extends NodeBase {
  kind: 'windowTable';
  input: string;
  /** tumble, slide or cumulate (a session window needs the rows of its key: it is an aggregate's only). */
  window: WindowSpec;
}

/** The columns a window table function appends, in order, named as Flink names them. */
export const WINDOW_TABLE_COLUMNS = ['window_start', 'window_end', 'window_time'] as const;

export interface UnionNode extends NodeBase {
  kind: 'union';
  inputs: string[];
}

/**
 * `semi` and `anti` are Flink's LeftSemiJoin and LeftAntiJoin (what `IN` / `EXISTS` and `NOT IN` / `NOT EXISTS`
 * subqueries become): a left row goes out, once, while it has a match (semi) or while it has none (anti); the
 * right side's columns are in the schema, always NULL, for the condition's names (a calc above drops them).
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

/**
 * A regular join (Flink's StreamingJoinOperator; runtime/exec/join-processor.ts): both inputs kept in state per
 * join key, a changelog out. The output row is the left input's columns (`leftFields`, in order) then the
 * right input's (`rightFields`), named as `schema` says (right columns whose name the left side has are renamed,
 * as Flink does: `k` → `k0`). `leftKeys[i] = rightKeys[i]` are the equality conditions (input column names);
 * `condition` is the rest of the ON clause over the output columns.
 */
export interface JoinNode extends NodeBase {
  kind: 'join';
  left: string;
  right: string;
  joinType: JoinType;
  leftFields: string[];
  rightFields: string[];
  leftKeys: string[];
  rightKeys: string[];
  condition: Expr | null;
  /** An interval join (Flink's time-bounded join; runtime/exec/interval-join-processor.ts): the bounds its condition puts on the time attributes. */
  interval?: IntervalBounds;
  /** A window join (Flink's WindowJoin; runtime/exec/window-join-processor.ts): both inputs carry the same windows, joined window by window. */
  window?: WindowJoinColumns;
  /** An event-time temporal join (`JOIN r FOR SYSTEM_TIME AS OF l.rowtime`; runtime/exec/temporal-join-processor.ts): the right input is a versioned table. */
  temporal?: TemporalJoinColumns;
}

/**
 * An event-time temporal join (Flink's TemporalRowTimeJoinOperator), `joinType` inner or left: each left row
 * joins the version of the right (versioned) table valid at its time, the right row of its key with the
 * largest time at or before it, once the watermark passes its time. Input column names: the left row's time
 * (a rowtime), the versions' time (the versioned table's rowtime) and its primary key (among the right keys).
 */
export interface TemporalJoinColumns {
  leftTime: string;
  rightTime: string;
  primaryKey: string[];
}

/**
 * The window columns of a window join's inputs (input column names): its condition has `leftStart = rightStart`
 * and `leftEnd = rightEnd` (they are among the join keys too). Rows are kept per window end and joined when the
 * watermark passes it. `window` is the inputs' window (for explain: its time column is the one it was defined on).
 */
export interface WindowJoinColumns {
  leftStart: string;
  leftEnd: string;
  rightStart: string;
  rightEnd: string;
  window: WindowSpec;
}

/**
 * `leftTime - rightTime` lies in [lowerMs, upperMs] for every joined pair (Flink's leftLowerBound and
 * leftUpperBound, strict bounds already moved by 1 ms); the time columns are input column names, both rowtime
 * ('event': state is cleaned as the watermark passes) or both proctime ('processing': as the clock does).
 */
export interface IntervalBounds {
  time: 'event' | 'processing';
  leftTime: string;
  rightTime: string;
  lowerMs: number;
  upperMs: number;
}

/**
 * A lookup join (Flink's LookupJoin; runtime/exec/lookup-join-processor.ts): each input row looks up the rows of
 * a dimension table (`table`, read through its connector's lookup) whose `keys` columns equal its own, as the
 * table is when the row arrives (`FOR SYSTEM_TIME AS OF` a proctime). The output is the input's columns
 * (`inputFields`) then the looked-up ones (`lookupFields`, named as `schema` says); `condition` is the rest of
 * the ON clause over the output names. Row kinds pass through.
 */
export interface LookupJoinNode extends NodeBase {
  kind: 'lookupJoin';
  input: string;
  joinType: 'inner' | 'left';
  table: string;
  connector: string;
  options: Record<string, string>;
  inputFields: string[];
  lookupFields: Field[];
  /** Lookup table column = input column. */
  keys: { lookup: string; input: string }[];
  condition: Expr | null;
}

/**
 * A correlate (Flink's Correlate): each input row joined with the rows a function of that row gives, for
 * `CROSS JOIN UNNEST(a) AS u(x)`, `LEFT JOIN UNNEST(...) ON TRUE` and `[LEFT] JOIN LATERAL TABLE(f(...))`.
 * `unnest` gives the elements of an ARRAY (one column; a ROW element's fields as columns, `rowFields`) or the
 * entries of a MAP (key, value); `udtf` the rows a table function (`@udtf`) yields, tuples or objects (`rows:
 * 'row'`, columns `fields` by position or by name) or the one column's values (`rows: 'scalar'`), whose
 * declared types `fields` gives (a NULL where one is NOT NULL fails the job, naming the function). A `left`
 * correlate keeps a row that gives none, with NULLs. The output is the input's columns (`inputFields`) then
 * `outputFields`; row kinds pass through (a retraction retracts each row the function gives).
 */
export interface CorrelateNode extends NodeBase {
  kind: 'correlate';
  input: string;
  joinType: 'inner' | 'left';
  fn: { kind: 'unnest'; of: 'array' | 'map'; rowFields?: string[] } | { kind: 'udtf'; name: string; rows: 'row' | 'scalar'; fields: Field[] };
  /** What gives the rows, over the input's columns: UNNEST's argument; the table function's call (a `udf` expression, its value the iterable of rows). */
  args: Expr[];
  inputFields: string[];
  outputFields: Field[];
}

/** One key of a sort order (ORDER BY inside OVER): NULLs sort first ascending and last descending, as in Flink. */
export interface SortKey {
  column: string;
  desc: boolean;
  nullsFirst: boolean;
}

/**
 * ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) filtered to a range of row numbers: Top-N, and
 * deduplication when the order is one time attribute and the range is 1 (runtime/exec/rank/ picks the
 * strategy, as Flink's planner does). On the rows of windows (a window aggregate's output, or a window table
 * function's) partitioned by window_start and window_end (`windowEnd`), the rows of a window are ranked (or
 * deduplicated) once, when the watermark passes its end.
 */
export interface RankNode extends NodeBase {
  kind: 'rank';
  input: string;
  partitionKeys: string[];
  orderBy: SortKey[];
  /** First and last row number kept (1-based, inclusive); rankEnd null: no filter on the row number yet. */
  rankStart: number;
  rankEnd: number | null;
  /** The row number column when the output carries it (its last column), else null. */
  rankColumn: string | null;
  /** Window Top-N: the input's window end column (the window's rows are complete when the watermark passes it). */
  windowEnd: string | null;
  /** The algorithm (runtime/exec/rank/rank-strategy.ts decides it from the above and the input). */
  strategy: RankStrategy;
}

/**
 * ORDER BY / LIMIT of a query (Flink's Sort, SortLimit and Limit). A batch sorts every row at the end of input
 * and sends rows offset+1 .. offset+fetch in order. A stream runs it as Flink's streaming planner does, as
 * `streaming` says: 'rowtime' / 'proctime', ORDER BY an ascending time attribute then other columns (rows go
 * out in order as time passes them; rowtime rows older than the last sent are dropped as late); 'top-n',
 * ORDER BY ... LIMIT (a Top-N over the whole input, updating); 'limit', LIMIT alone (the first rows); null,
 * what a stream cannot do (any other ORDER BY): refused unless the run is a batch.
 */
export interface SortNode extends NodeBase {
  kind: 'sort';
  input: string;
  orderBy: SortKey[];
  /** Rows skipped before the first one sent. */
  offset: number;
  /** Rows sent at most; null: all. */
  fetch: number | null;
  streaming: SortStreaming | null;
}

export type SortStreaming = 'rowtime' | 'proctime' | 'top-n' | 'limit';

export type RankStrategy =
  | 'dedup-proctime-first' | 'dedup-proctime-last' | 'dedup-rowtime-first' | 'dedup-rowtime-last'
  | 'first-n' | 'append-top-n' | 'retract-top-n' | 'window-top-n' | 'window-dedup-first' | 'window-dedup-last';

/**
 * A function of an OVER window: an aggregate, an aggregate function (`fn: 'udaf'`, named by `udaf` as in AggCall;
 * `arg` is null), or LAG (the value `offset` rows back, `defaultValue` before the first).
 */
export interface OverCall {
  fn: AggFunction | 'lag';
  /** Input column; null for COUNT(*) and aggregate functions. */
  arg: string | null;
  udaf?: AggCall['udaf'];
  distinct: boolean;
  /** Output column name. */
  name: string;
  /** LAG's offset (1 when not written). */
  offset?: number;
  /** LAG's default value (null when not written). */
  defaultValue?: unknown;
  /** How the user wrote it, for messages. */
  label?: string;
}

/**
 * Flink's streaming OverAggregate: every input row goes out with its columns and the values of `calls` over
 * the rows of its partition up to it, in the order of a time attribute (runtime/exec/over/). `preceding` bounds
 * the frame: a number of rows (`ROWS n PRECEDING`), milliseconds (`RANGE INTERVAL ... PRECEDING`) or null
 * (UNBOUNDED PRECEDING). On event time a row goes out when the watermark passes it; on processing time at once.
 */
export interface OverAggregateNode extends NodeBase {
  kind: 'overAggregate';
  input: string;
  partitionKeys: string[];
  /** The time attribute column the rows are ordered by (ascending). */
  orderBy: string;
  time: 'event' | 'processing';
  frame: { unit: 'rows' | 'range'; preceding: number | null };
  calls: OverCall[];
}

export interface SinkNode extends NodeBase, OptionLocs {
  kind: 'sink';
  input: string;
  table: string;
  connector: string;
  options: Record<string, string>;
  primaryKey: string[];
}

/**
 * Calcs fused into one generated loop over a batch (made by compiler/passes/fuse-stages.ts, the last pass;
 * compiler/codegen/emit-stages.ts writes its code, runtime/exec/interpret-plan.ts interprets the same calcs).
 * The loop either emits rows (its schema: the last calc's) or, when `accumulateInto` names the aggregate
 * that reads it (through a hash exchange), ends in that aggregate's accumulate step and emits nothing itself.
 * A node whose input is a regular join (its only reader) may instead be that join's output (`joinOutput`): the
 * join applies the calcs to each pair it finds, building no row of its own, and the node passes batches on.
 */
export interface FusedNode extends NodeBase {
  kind: 'fused';
  input: string;
  /** The calcs, in order, as they were before fusion (their ids stay: metrics and explain name them). */
  calcs: CalcNode[];
  /** The aggregate whose accumulate step ends the loop, or null: the loop emits rows. */
  accumulateInto: string | null;
  /** Size of the generated code in bytes, for explain (0 until codegen ran). */
  codeSize: number;
  /** The regular join (its input) that applies these calcs to the rows it makes (StageCode.joinOutputs). */
  joinOutput?: string;
}

/**
 * How rows move from the subtasks of one operator to those of the next (Flink's ship strategies): the
 * same subtask (`forward`), the subtask owning the key group of `keys` (`hash`), round robin
 * (`rebalance`), or every subtask (`broadcast`). An edge without an exchange node is `forward`.
 */
export type Distribution =
  | { kind: 'forward' }
  | { kind: 'hash'; keys: string[] }
  | { kind: 'rebalance' }
  | { kind: 'broadcast' };

/** A redistribution of its input's rows among the subtasks of the next operator; rows pass unchanged. */
export interface ExchangeNode extends NodeBase {
  kind: 'exchange';
  input: string;
  distribution: Distribution;
}

export type PlanNode = SourceNode | CalcNode | GroupAggregateNode | WindowAggregateNode | WindowTableNode | UnionNode | JoinNode | LookupJoinNode | CorrelateNode | SinkNode | FusedNode | ExchangeNode | RankNode | OverAggregateNode | SortNode;
export type PlanNodeKind = PlanNode['kind'];

/** The `never` arm of an exhaustive switch over a `kind`: adding a kind makes every such switch a type error. */
export function unhandledKind(x: never): never {
  throw new Error(`unhandled kind: ${JSON.stringify((x as { kind?: unknown }).kind)}`);
}

export interface UdfRef {
  name: string;
  /** Module (relative to the project root) that declares the function: the bundle imports it. */
  module: string;
  /**
   * The name its module registers it under (udf()/@udf), when the job registered it under another one
   * (createTemporarySystemFunction); absent: `name`.
   */
  registeredAs?: string;
  inputTypes: Field['type'][];
  resultType: Field['type'];
}

export interface JobPlan {
  name: string;
  /** Job arguments the plan was built with (they shape it). */
  args: string[];
  config: Record<string, string>;
  /** Nodes in dependency order: every input precedes its consumers. */
  nodes: PlanNode[];
  udfs: UdfRef[];
}

export function inputsOf(n: PlanNode): string[] {
  switch (n.kind) {
    case 'source': return [];
    case 'union': return n.inputs;
    case 'join': return [n.left, n.right];
    case 'calc': case 'groupAggregate': case 'windowAggregate': case 'windowTable': case 'sink': case 'fused': case 'exchange': case 'rank': case 'overAggregate': case 'sort': case 'lookupJoin': case 'correlate': return [n.input];
    default: return unhandledKind(n);
  }
}

/**
 * The plan's operators as the user wrote them, for listings (REST vertices, metrics): a fused node stands for
 * its calcs, and an exchange is an edge, not an operator; inputs are rewritten to name operators again.
 */
export function operatorsOf(plan: JobPlan): PlanNode[] {
  const outputOf = new Map<string, string>();
  const out: PlanNode[] = [];
  const to = (id: string) => outputOf.get(id) ?? id;
  for (const n of plan.nodes) {
    switch (n.kind) {
      case 'fused': {
        out.push(...n.calcs.map((c, i) => (i === 0 ? { ...c, input: to(n.input) } : c)));
        outputOf.set(n.id, n.calcs.length ? n.calcs[n.calcs.length - 1].id : to(n.input));
        break;
      }
      case 'exchange': outputOf.set(n.id, to(n.input)); break;
      case 'source': out.push(n); break;
      case 'union': out.push({ ...n, inputs: n.inputs.map(to) }); break;
      case 'join': out.push({ ...n, left: to(n.left), right: to(n.right) }); break;
      case 'calc': case 'groupAggregate': case 'windowAggregate': case 'windowTable': case 'sink': case 'rank': case 'overAggregate': case 'sort': case 'lookupJoin': case 'correlate': out.push({ ...n, input: to(n.input) }); break;
      default: unhandledKind(n);
    }
  }
  return out;
}
