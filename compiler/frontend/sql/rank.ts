// ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS rn in a select list, and the enclosing query's
// `WHERE rn <= N` / `rn = 1` / `rn BETWEEN a AND b` that makes it a Top-N or a deduplication, as Flink's
// planner reads the pattern. The select becomes a calc over a rank node without a range; the enclosing
// WHERE replaces that node by one with the range (passes reject a rank left without one).
import { FunctionCallContext, type ColumnProjectItemContext, type OverWindowItemContext, type WindowSpecContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { DataTypes } from '../../../runtime/core/data-types.js';
import { literal, type Expr } from '../../../runtime/core/expr.js';
import type { CalcNode, PlanNode, RankNode, SortKey } from '../../../runtime/core/plan.js';
import { rankChangelog, rankStrategy, rankUpsertKey } from '../../../runtime/exec/rank/rank-strategy.js';
import { Table, type TableContext } from '../../api/table.js';
import type { PlanBuilder } from '../../ir/plan-builder.js';
import { CompileError } from '../../ir/diagnostics.js';
import type { LExpr } from '../../ir/logical-expr.js';
import { functionName } from './expression.js';
import { windowOf } from './over.js';
import { pathOf, unquoteName } from './names.js';
import type { SqlNode, SqlText } from './sql-text.js';

/** What lowering a rank needs of the query's context. */
interface RankContext {
  env: TableContext;
  text: SqlText;
  /** The WINDOW clause's windows by name (absent in an enclosing WHERE). */
  windows?: ReadonlyMap<string, WindowSpecContext>;
}

/** The select list of a query with ROW_NUMBER() OVER: the other items, over a rank of the FROM table. */
export function lowerRowNumberSelect(q: RankContext, table: Table, items: ColumnProjectItemContext[], plainItem: (item: ColumnProjectItemContext) => LExpr[]): Table {
  const { text } = q;
  const over = items.filter((i) => i.selectWindowItemColumnName());
  if (over.length > 1) throw text.unsupported('more than one OVER item in a select list', over[1]);
  const item = over[0].selectWindowItemColumnName()!.overWindowItem();
  const rank = rankNode(q, table, item);
  const loc = text.loc(over[0]);
  const input = table.getSchema();
  const select: LExpr[] = items.flatMap((i): LExpr[] => {
    if (i === over[0]) return [{ kind: 'ref', name: rank.rankColumn!, loc }];
    // `*` is the FROM table's columns, not the row number.
    return plainItem(i).flatMap((e) => (e.kind === 'star' ? input.map((f): LExpr => ({ kind: 'ref', name: f.name, loc: e.loc })) : [e]));
  });
  return new Table(q.env, rank).project(select, loc);
}

function rankNode(q: RankContext, table: Table, item: OverWindowItemContext): RankNode {
  const { text } = q;
  const fnExpr = item.primaryExpression();
  const call = fnExpr instanceof FunctionCallContext ? fnExpr.functionCallExpression() : undefined;
  const name = call ? functionName(text, call).toUpperCase() : text.source(fnExpr);
  if (name !== 'ROW_NUMBER' || call!.functionParam().some((a) => a.getText() !== '')) {
    throw text.unsupported(`OVER aggregates (${name} OVER)`, item.KW_OVER(),
      'ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) filtered by rn <= N (Top-N) or rn = 1 (deduplication) is supported; aggregate with GROUP BY and a group window instead');
  }
  const spec = windowOf({ text, windows: q.windows ?? new Map() }, item);
  if (spec.windowFrame()) throw text.error('ROW_NUMBER() takes no window frame (ROWS/RANGE)', spec.windowFrame());
  const schema = table.getSchema();
  const column = (parts: string[], at: SqlNode): string => {
    const c = parts[parts.length - 1];
    if (!schema.some((f) => f.name === c)) throw text.error(`unknown column '${parts.join('.')}'`, at, `columns: ${schema.map((f) => f.name).join(', ')}`);
    return c;
  };
  const partition = spec.partitionByClause();
  const partitionKeys = partition ? [...partition.columnName().map((c) => column(pathOf(c), c)), ...partition.primaryExpression().map((p) => {
    throw text.unsupported('an expression in PARTITION BY', p, 'compute it as a column in a subquery and partition by that column');
  })] : [];
  const order = spec.orderByClause();
  if (!order) throw text.error('ROW_NUMBER() needs ORDER BY in its OVER clause', spec, 'OVER (PARTITION BY k ORDER BY ts) for deduplication, ORDER BY v DESC for Top-N');
  const orderBy = order.orderItemDefinition().map((o): SortKey => {
    const c = o.columnName();
    if (!c) throw text.unsupported('an expression in ORDER BY of OVER', o, 'compute it as a column in a subquery and order by that column');
    const desc = !!o.KW_DESC();
    // Flink's default: NULLs are the smallest values (first ascending, last descending).
    const nullsFirst = o.KW_NULLS() ? !!o.KW_FIRST() : !desc;
    return { column: column(pathOf(c), c), desc, nullsFirst };
  });
  const rankColumn = unquoteName(item.identifier().getText());
  if (schema.some((f) => f.name === rankColumn)) throw text.error(`the row number's name '${rankColumn}' is a column of the input already`, item.identifier());
  const input = table.node;
  const shape = { partitionKeys, orderBy, rankStart: 1, rankEnd: null, rankColumn, windowEnd: windowEndColumn(q.env.plan, input, partitionKeys, text, spec) };
  return q.env.plan.add<RankNode>({
    kind: 'rank', input: input.id, ...shape, strategy: rankStrategy(shape, input),
    schema: [...schema, { name: rankColumn, type: DataTypes.BIGINT().notNull!() }], changelog: input.changelog, loc: text.loc(item),
  });
}

/**
 * Window Top-N: the partition keys hold the window_start and window_end of a window aggregate or a window table
 * function below (through calcs that pass them on); its end column names the window of each row.
 */
function windowEndColumn(plan: PlanBuilder, input: PlanNode, partitionKeys: string[], text: SqlText, at: SqlNode): string | null {
  const propertyOf = (node: PlanNode, column: string): { property: string; time: string } | null => {
    if (node.kind === 'windowAggregate') {
      const p = node.properties.find((x) => x.name === column);
      return p ? { property: p.property, time: node.window.time } : null;
    }
    if (node.kind === 'windowTable') {
      const property = ({ window_start: 'start', window_end: 'end' } as Record<string, string>)[column];
      return property ? { property, time: node.window.time } : null;
    }
    if (node.kind === 'calc') {
      const p = node.projections.find((x) => x.name === column);
      return p && p.expr.kind === 'field' ? propertyOf(plan.node(node.input), p.expr.name) : null;
    }
    return null;
  };
  const props = partitionKeys.map((k) => propertyOf(input, k));
  const end = props.findIndex((p) => p?.property === 'end');
  if (!props.some((p) => p?.property === 'start') || end < 0) return null;
  if (props[end]!.time === 'processing') {
    throw text.unsupported('window Top-N on processing-time windows', at, 'rank the rows of event-time windows (a rowtime column with a WATERMARK)');
  }
  return partitionKeys[end];
}

/**
 * WHERE over a select with ROW_NUMBER(): conditions on the row number set the rank's range (Flink's rank
 * range), the rest filter its output. Returns null when the table is no pending rank.
 */
export function filterRank(q: RankContext, table: Table, cond: LExpr, at: SqlNode): Table | null {
  const calc = table.node;
  if (calc.kind !== 'calc' || calc.filter !== null) return null;
  const pending = q.env.plan.node(calc.input);
  if (pending.kind !== 'rank' || pending.rankEnd !== null) return null;
  const rn = calc.projections.find((p) => p.expr.kind === 'field' && p.expr.name === pending.rankColumn)?.name;
  const conjuncts = splitAnd(cond);
  let start = 1;
  let end = Infinity;
  const rest: LExpr[] = [];
  for (const c of conjuncts) {
    const bound = rn === undefined ? null : rankBound(c, rn);
    if (!bound) { rest.push(c); continue; }
    start = Math.max(start, bound.start);
    end = Math.min(end, bound.end);
  }
  if (end === Infinity) return null;
  const loc = q.text.loc(at);
  if (end < start) throw new CompileError(`the row number range ${start} to ${end} is empty`, loc);
  const { id: _id, ...base } = pending;
  const constant = start === end; // rn = 1: Flink drops the rank column and writes the constant
  const shape = { ...base, rankStart: start, rankEnd: end, rankColumn: constant ? null : pending.rankColumn };
  const input = q.env.plan.node(pending.input);
  const strategy = rankStrategy(shape, input);
  const ranked = q.env.plan.add<RankNode>({
    ...shape, strategy, changelog: rankChangelog(strategy), upsertKey: rankUpsertKey(shape),
    schema: constant ? input.schema : pending.schema,
  });
  const projections = calc.projections.map((p): CalcNode['projections'][number] =>
    (constant && p.expr.kind === 'field' && p.expr.name === pending.rankColumn ? { name: p.name, expr: literal(start, DataTypes.BIGINT().notNull!()) as Expr } : p));
  let out = new Table(q.env, q.env.plan.calc(ranked, projections, null, calc.loc));
  if (rest.length) out = out.filterBy(rest.reduce((a, b): LExpr => ({ kind: 'call', fn: 'and', args: [a, b], loc })), loc);
  return out;
}

function splitAnd(e: LExpr): LExpr[] {
  return e.kind === 'call' && e.fn === 'and' && e.args.length === 2 ? [...splitAnd(e.args[0]), ...splitAnd(e.args[1])] : [e];
}

/** `rn <= 3`, `3 >= rn`, `rn < 4`, `rn = 1`, `rn > 1`, `rn BETWEEN 2 AND 5`: the row numbers it keeps. */
function rankBound(e: LExpr, rn: string): { start: number; end: number } | null {
  if (e.kind !== 'call') return null;
  const isRn = (x: LExpr) => x.kind === 'ref' && x.name === rn;
  const num = (x: LExpr) => (x.kind === 'lit' && typeof x.value === 'number' && Number.isInteger(x.value) ? x.value : null);
  if (e.fn === 'between' && isRn(e.args[0]) && num(e.args[1]) !== null && num(e.args[2]) !== null) {
    return { start: num(e.args[1])!, end: num(e.args[2])! };
  }
  const flip: Record<string, string> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq' };
  if (!(e.fn in flip) || e.args.length !== 2) return null;
  let [a, b] = e.args;
  let op = e.fn;
  if (isRn(b)) { [a, b] = [b, a]; op = flip[op]; }
  const n = num(b);
  if (!isRn(a) || n === null) return null;
  switch (op) {
    case 'le': return { start: 1, end: n };
    case 'lt': return { start: 1, end: n - 1 };
    case 'eq': return { start: n, end: n };
    case 'ge': return { start: n, end: Infinity };
    case 'gt': return { start: n + 1, end: Infinity };
    default: return null;
  }
}
