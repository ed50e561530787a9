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

export type AggFunction = 'sum' | 'count' | 'avg' | 'min' | 'max';

export interface AggCall {
  fn: AggFunction;
  /** Input column; null for COUNT(*). */
  arg: string | null;
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

export interface UnionNode extends NodeBase {
  kind: 'union';
  inputs: string[];
}

export interface SinkNode extends NodeBase, OptionLocs {
  kind: 'sink';
  input: string;
  table: string;
  connector: string;
  options: Record<string, string>;
  primaryKey: string[];
}

export type PlanNode = SourceNode | CalcNode | GroupAggregateNode | WindowAggregateNode | UnionNode | SinkNode;
export type PlanNodeKind = PlanNode['kind'];

/** A run of nodes executed by one generated function: stateless calcs, ending at an aggregate's ingest or a sink. */
export interface FusedStage {
  id: string;
  /** The node whose output feeds the stage. */
  input: string;
  /** The calc nodes fused, in order. */
  calcs: string[];
  /** Where the stage delivers: an aggregate (its ingest is fused in) or any other node. */
  target: string;
  /** Size of the generated code, for explain. */
  codeSize: number;
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
  stages: FusedStage[];
}

export const inputsOf = (n: PlanNode): string[] =>
  n.kind === 'source' ? [] : n.kind === 'union' ? n.inputs : [n.input];
