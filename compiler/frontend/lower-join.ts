// A join as the Table API and SQL write it, into a `join` plan node: the output is the left input's columns
// then the right input's, time attributes become plain timestamps (as in Flink: a regular join's output has no
// rowtime) unless time bounds in the condition make it an interval join (interval-bounds.ts) or equal windows a
// window join (window-join.ts), and the side an
// outer join pads is nullable. The ON condition is kept whole here; the
// pass compiler/passes/split-join-conditions.ts takes the key equalities out of it and pushes one-sided parts
// into the inputs, as it does with a WHERE above an inner join.
import { DataTypes, typeToString, withType, type Field } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';
import type { JoinNode, JoinType, PlanNode, SourceLoc } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import type { LExpr } from '../ir/logical-expr.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { intervalBounds, type JoinColumn } from './interval-bounds.js';
import { Resolver, type FunctionCatalog } from './resolve.js';
import { windowJoinOf } from './window-join.js';

export interface JoinRequest {
  left: PlanNode;
  right: PlanNode;
  joinType: JoinType;
  /** Over the output column names; null: every pair (a cross join, or a WHERE to come). */
  condition: LExpr | null;
  /** Output names of the right input's columns (rightOutputNames), in order. */
  rightNames: string[];
  loc?: SourceLoc;
}

/**
 * Output names of the right input's columns: a name the left side (or an earlier right column) has gets a
 * number, as Calcite uniquifies them (`k` → `k0`, then `k1`).
 */
export function rightOutputNames(left: readonly Field[], right: readonly Field[]): string[] {
  const used = new Set(left.map((f) => f.name));
  return right.map((f) => {
    let name = f.name;
    for (let i = 0; used.has(name); i++) name = `${f.name}${i}`;
    used.add(name);
    return name;
  });
}

/** Names both inputs of a Table API join have: Flink refuses such a join. */
export function ambiguousNames(left: readonly Field[], right: readonly Field[]): string[] {
  return right.filter((f) => left.some((l) => l.name === f.name)).map((f) => f.name);
}

export function lowerJoin(plan: PlanBuilder, functions: FunctionCatalog, req: JoinRequest): JoinNode {
  const { left, right, joinType, loc } = req;
  const plain = (f: Field, name: string, padded: boolean, keepTime = false): Field => ({
    name, type: withType(f.type, { ...(keepTime ? {} : { timeAttribute: undefined }), ...(padded ? { nullable: true } : {}) }),
  });
  // The condition sees the rows before padding; the output is padded on the outer join's other side(s).
  const inputs = [...left.schema.map((f) => plain(f, f.name, false)), ...right.schema.map((f, i) => plain(f, req.rightNames[i], false))];
  const condition = req.condition ? resolveJoinCondition(inputs, functions, req.condition, loc) : null;
  // Time bounds between two append-only inputs make it an interval join, whose output keeps the time attributes (as Flink's).
  // Equal windows of two append-only inputs make it a window join (Flink's WindowJoin), which keeps them too.
  const appendOnly = left.changelog === 'insert-only' && right.changelog === 'insert-only';
  const columns = joinColumns(left.schema, right.schema, req.rightNames);
  // A semi or anti join (an IN / EXISTS subquery) is a regular join: Flink makes no interval or window join of it.
  const filtering = joinType === 'semi' || joinType === 'anti';
  const window = condition && appendOnly && !filtering ? windowJoinOf(plan, left, right, condition, columns, loc) : null;
  const interval = condition && appendOnly && !window && !filtering ? intervalBounds(condition, columns) : null;
  const keepTime = interval !== null || window !== null;
  const schema = [
    ...left.schema.map((f) => plain(f, f.name, joinType === 'right' || joinType === 'full', keepTime)),
    ...right.schema.map((f, i) => plain(f, req.rightNames[i], joinType !== 'inner' && joinType !== 'right', keepTime)),
  ];
  // Interval and window joins send padded rows only once a row can no longer match: their output is append-only.
  // A semi join of append-only inputs only adds rows (a left row goes out when its first match comes); an anti join
  // takes a row back when its first match comes.
  const updating = !keepTime && (joinType === 'semi' ? !appendOnly : joinType !== 'inner' || !appendOnly);
  return plan.add<JoinNode>({
    kind: 'join', left: left.id, right: right.id, joinType, schema,
    leftFields: left.schema.map((f) => f.name), rightFields: right.schema.map((f) => f.name),
    leftKeys: [], rightKeys: [], condition, changelog: updating ? 'retract' : 'insert-only', loc, ...(interval ? { interval } : {}), ...(window ? { window } : {}),
  });
}

/** A join's ON condition over the joined row's columns (`inputs`: both sides' columns by their output names), BOOLEAN. */
export function resolveJoinCondition(inputs: Field[], functions: FunctionCatalog, condition: LExpr, loc: SourceLoc | undefined): Expr {
  const resolved = new Resolver(inputs, functions, 'the joined tables').resolve(condition);
  if (resolved.type.name !== DataTypes.BOOLEAN().name) {
    throw new CompileError(`a join condition must be BOOLEAN, got ${typeToString(resolved.type)}`, condition.loc ?? loc);
  }
  return resolved;
}

/** The condition's columns (output names) with their side, input column and time attribute. */
function joinColumns(left: readonly Field[], right: readonly Field[], rightNames: readonly string[]): Map<string, JoinColumn> {
  const columns = new Map<string, JoinColumn>();
  left.forEach((f) => columns.set(f.name, { side: 0, column: f.name, time: f.type.timeAttribute }));
  right.forEach((f, i) => columns.set(rightNames[i], { side: 1, column: f.name, time: f.type.timeAttribute }));
  return columns;
}
