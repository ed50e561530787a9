// An event-time temporal join as SQL writes it (`FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
// ON o.currency = r.currency`), into a `join` plan node with `temporal` columns. The right side must be a
// versioned table, as Flink's planner requires: a primary key (a table's PRIMARY KEY, an upsert source's key, or
// the partition key of a deduplicating view, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1) and a
// rowtime; the ON condition must equate every primary key column with a column of the left side. The errors
// are Flink's, at the FOR SYSTEM_TIME AS OF. The output is the left input's columns, time attributes kept (a
// window can follow on the left rowtime), then the right input's without theirs (Flink materializes them),
// nullable on a LEFT join; its changelog is the left input's (each output row has its left row's kind).
// The key equalities are taken out of the condition later by compiler/passes/split-join-conditions.ts, as for
// every join, which pushes no conjunct into the versioned side (that would change which version is valid).
import { withType, type Field } from '../../runtime/core/data-types.js';
import { exprToString } from '../ir/explain.js';
import type { JoinNode, PlanNode, SourceLoc } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import type { LExpr } from '../ir/logical-expr.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { conjuncts } from './interval-bounds.js';
import { resolveJoinCondition } from './lower-join.js';
import type { FunctionCatalog } from './resolve.js';

export interface TemporalJoinRequest {
  left: PlanNode;
  /** The versioned table (a table or view of the catalog). */
  right: PlanNode;
  /** Its name, for messages. */
  table: string;
  joinType: 'inner' | 'left';
  condition: LExpr | null;
  /** Output names of the right input's columns (rightOutputNames). */
  rightNames: string[];
  /** The left input's rowtime column that FOR SYSTEM_TIME AS OF names. */
  leftTime: string;
  /** The PRIMARY KEY declared for a table of the catalog (a source without an upsert key of its own). */
  declaredKey: (table: string) => string[];
  /** The join, and the FOR SYSTEM_TIME AS OF clause (where the errors about the versioned table point). */
  loc?: SourceLoc;
  asOfLoc?: SourceLoc;
}

const VERSIONED_HINT = 'a versioned table has a PRIMARY KEY (k) NOT ENFORCED and a WATERMARK FOR its time column (an upsert-kafka table, for one), '
  + 'or is a view keeping the last row per key: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1';

export function lowerTemporalJoin(plan: PlanBuilder, functions: FunctionCatalog, req: TemporalJoinRequest): JoinNode {
  const { left, right, joinType, loc } = req;
  const at = req.asOfLoc ?? loc;
  const rightTime = right.schema.find((f) => f.type.timeAttribute === 'rowtime')?.name;
  if (rightTime === undefined) {
    throw new CompileError(`Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but no row time attribute can be found (table '${req.table}')`, at, VERSIONED_HINT);
  }
  const primaryKey = versionKey(plan, right, req.declaredKey);
  if (primaryKey.length === 0) {
    throw new CompileError(`Temporal Table Join requires primary key in versioned table, but no primary key can be found (table '${req.table}')`, at, VERSIONED_HINT);
  }
  const plain = (f: Field, name: string) => ({ name, type: withType(f.type, { timeAttribute: undefined }) });
  const inputs = [...left.schema.map((f) => plain(f, f.name)), ...right.schema.map((f, i) => plain(f, req.rightNames[i]))];
  const condition = req.condition ? resolveJoinCondition(inputs, functions, req.condition, loc) : null;
  // The primary key columns that the condition equates with a left column.
  const rightColumn = new Map(right.schema.map((f, i) => [req.rightNames[i], f.name]));
  const leftColumns = new Set(left.schema.map((f) => f.name));
  const equated = new Set<string>();
  for (const c of condition ? conjuncts(condition) : []) {
    if (c.kind !== 'call' || c.fn !== 'eq' || c.args[0].kind !== 'field' || c.args[1].kind !== 'field') continue;
    const [a, b] = [c.args[0].name, c.args[1].name];
    if (leftColumns.has(a) && rightColumn.has(b)) equated.add(rightColumn.get(b)!);
    if (leftColumns.has(b) && rightColumn.has(a)) equated.add(rightColumn.get(a)!);
  }
  if (equated.size === 0) {
    throw new CompileError('Currently the join key in Temporal Table Join can not be empty', req.condition?.loc ?? loc,
      `equate the versioned table's primary key with columns of the left table: ON ${primaryKey.map((k) => `o.${k} = r.${k}`).join(' AND ')}`);
  }
  const missing = primaryKey.filter((k) => !equated.has(k));
  if (missing.length > 0) {
    const outName = (k: string) => req.rightNames[right.schema.findIndex((f) => f.name === k)];
    throw new CompileError(
      `Temporal table's primary key [${primaryKey.map(outName).join(', ')}] must be included in the equivalence condition of temporal join, but current temporal join condition is [${exprToString(condition!)}]`,
      req.condition?.loc ?? loc, `add ${missing.map((k) => `o.<column> = r.${k}`).join(' AND ')} to the ON condition`);
  }
  const schema: Field[] = [
    ...left.schema,
    ...right.schema.map((f, i) => ({ name: req.rightNames[i], type: withType(f.type, { timeAttribute: undefined, ...(joinType === 'left' ? { nullable: true } : {}) }) })),
  ];
  return plan.add<JoinNode>({
    kind: 'join', left: left.id, right: right.id, joinType, schema,
    leftFields: left.schema.map((f) => f.name), rightFields: right.schema.map((f) => f.name),
    leftKeys: [], rightKeys: [], condition, changelog: left.changelog, ...(left.upsertKey ? { upsertKey: left.upsertKey } : {}), loc,
    temporal: { leftTime: req.leftTime, rightTime, primaryKey },
  });
}

/**
 * The primary key of a versioned table's rows (its columns), or [] when it has none: the node's upsert key
 * (an upsert source, a deduplicating rank), else through calcs that pass its columns on (a filter keeps a key
 * unique), the PRIMARY KEY a source table declares.
 */
function versionKey(plan: PlanBuilder, node: PlanNode, declaredKey: (table: string) => string[]): string[] {
  if (node.upsertKey && node.upsertKey.length > 0) return node.upsertKey;
  if (node.kind === 'source') return declaredKey(node.table);
  if (node.kind !== 'calc') return [];
  const inner = versionKey(plan, plan.node(node.input), declaredKey);
  const names = inner.map((k) => node.projections.find((p) => p.expr.kind === 'field' && p.expr.name === k)?.name);
  return names.every((n): n is string => n !== undefined) ? names : [];
}
