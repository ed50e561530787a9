// OVER aggregates in a select list (`SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT
// ROW) AS s`, `... OVER w AS s` with `WINDOW w AS (...)`), lowered as Flink's planner lowers them: a calc computing
// the functions' arguments, one overAggregate node (every OVER item of a select shares its window, as Flink
// requires), a calc for the select list. What Flink's streaming planner rejects is a compile error here too.
// Aggregate functions (`@udaf`) run over a window as in Flink, DISTINCT too; a bounded frame takes rows back out
// of the accumulator, so there, as in Flink, the function needs a retract method.
import { FunctionCallContext, type ColumnProjectItemContext, type FunctionCallExpressionContext, type OverWindowItemContext, type WindowSpecContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { DataTypes, typeToString, withType, type Field } from '../../../runtime/core/data-types.js';
import type { AggFunction, OverAggregateNode, OverCall } from '../../../runtime/core/plan.js';
import { Resolver, type UdfSignature } from '../resolve.js';
import { Table, type TableContext } from '../../api/table.js';
import { stripAlias, type LExpr } from '../../ir/logical-expr.js';
import { aggResultType, checkAggArg } from '../lower-aggregate.js';
import { functionName } from './expression.js';
import { intervalMillis } from './interval.js';
import { pathOf, unquoteName } from './names.js';
import type { SqlNode, SqlText } from './sql-text.js';

export interface OverContext {
  env: TableContext;
  text: SqlText;
  /** The WINDOW clause's windows by name. */
  windows: ReadonlyMap<string, WindowSpecContext>;
  /** Converts a call's arguments (the query's expression converter). */
  args: (call: FunctionCallExpressionContext) => LExpr[];
}

const AGGREGATE_FUNCTIONS = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);
const SUPPORTED = 'supported over a window: COUNT, SUM, AVG, MIN, MAX, aggregate functions (@udaf) (also DISTINCT) and LAG(x [, offset [, default]]); ROW_NUMBER() for Top-N';

/** Whether an OVER item calls ROW_NUMBER (a Top-N or deduplication, rank.ts) rather than an OVER aggregate. */
export function isRowNumberItem(text: SqlText, item: ColumnProjectItemContext): boolean {
  const fnExpr = item.selectWindowItemColumnName()!.overWindowItem().primaryExpression();
  const call = fnExpr instanceof FunctionCallContext ? fnExpr.functionCallExpression() : undefined;
  return !!call && functionName(text, call).toUpperCase() === 'ROW_NUMBER';
}

/** The window of an OVER item: written inline, or named in the WINDOW clause. */
export function windowOf(q: Pick<OverContext, 'text' | 'windows'>, item: OverWindowItemContext): WindowSpecContext {
  const spec = item.windowSpec();
  if (spec) {
    if (spec.errorCapturingIdentifier()) throw q.text.unsupported('a window that extends a named one (OVER (w ...))', spec, 'write the whole window inline or in the WINDOW clause');
    return spec;
  }
  const ref = item.errorCapturingIdentifier()!;
  const name = unquoteName(ref.getText());
  const named = q.windows.get(name);
  if (!named) throw q.text.error(`unknown window '${name}'`, ref, q.windows.size ? `the WINDOW clause names ${[...q.windows.keys()].join(', ')}` : `declare it: WINDOW ${name} AS (PARTITION BY ... ORDER BY ...)`);
  return named;
}

/** The select list of a query with OVER aggregates: the other items, over an overAggregate of the FROM table. */
export function lowerOverSelect(q: OverContext, table: Table, items: ColumnProjectItemContext[], plainItem: (item: ColumnProjectItemContext) => LExpr[]): Table {
  const { text } = q;
  const input = table.getSchema();
  if (table.node.changelog !== 'insert-only') {
    throw text.unsupported('an OVER aggregate over an updating input', items.find((i) => i.selectWindowItemColumnName())!,
      'Flink\'s OverAggregate takes only appending input: aggregate over the appending table, not over a GROUP BY or join result');
  }
  const overItems = items.filter((i) => i.selectWindowItemColumnName()).map((i) => i.selectWindowItemColumnName()!.overWindowItem());
  // The functions first: a function Flink rejects is the error, whatever the window.
  overItems.forEach((item) => overFunction(q, item));
  const first = windowOf(q, overItems[0]);
  const window = readWindow(text, first, input);
  const shape = JSON.stringify(window);
  for (const item of overItems.slice(1)) {
    const spec = windowOf(q, item);
    if (JSON.stringify(readWindow(text, spec, input)) !== shape) {
      throw text.unsupported('OVER aggregates over different windows in one select', item.KW_OVER(),
        `Flink computes all OVER aggregates of a select on the same window; use '${text.source(first)}' for each, or join two queries`);
    }
  }

  // The functions' arguments as columns (a column argument is read as it is).
  const argExprs: LExpr[] = [];
  const calls = overItems.map((item, i) => overCall(q, item, i, argExprs, input, window.frame));
  const loc = text.loc(overItems[0]);
  const pre = argExprs.length === 0 ? table : table.project([...input.map((f): LExpr => ({ kind: 'ref', name: f.name, loc })), ...argExprs], loc);
  const preSchema = pre.getSchema();
  const fields: Field[] = calls.map((c, i) => {
    const argType = c.arg === null ? DataTypes.BIGINT() : preSchema.find((f) => f.name === c.arg)!.type;
    const at = overItems[i].primaryExpression();
    if (c.fn === 'lag') return { name: c.name, type: withType(argType, { nullable: true, timeAttribute: undefined }) };
    if (c.udaf) return { name: c.name, type: q.env.functions.udf(c.udaf.name)!.resultType };
    checkAggArg(c.fn, argType, text.loc(at));
    return { name: c.name, type: aggResultType(c.fn, argType) };
  });
  const node = q.env.plan.add<OverAggregateNode>({
    kind: 'overAggregate', input: pre.node.id, partitionKeys: window.partitionKeys, orderBy: window.orderBy, time: window.time,
    frame: window.frame, calls, schema: [...preSchema, ...fields], changelog: 'insert-only', loc,
  });
  const select: LExpr[] = items.flatMap((i): LExpr[] => {
    const over = i.selectWindowItemColumnName();
    if (over) {
      const k = overItems.indexOf(over.overWindowItem());
      const alias = unquoteName(over.overWindowItem().identifier().getText());
      return [{ kind: 'alias', expr: { kind: 'ref', name: calls[k].name, loc }, name: alias, loc: text.loc(over.overWindowItem().identifier()) }];
    }
    // `*` is the FROM table's columns, not the aggregates' argument columns.
    return plainItem(i).flatMap((e) => (e.kind === 'star' ? input.map((f): LExpr => ({ kind: 'ref', name: f.name, loc: e.loc })) : [e]));
  });
  return new Table(q.env, node).project(select, loc);
}

interface OverWindow {
  partitionKeys: string[];
  orderBy: string;
  time: 'event' | 'processing';
  frame: OverAggregateNode['frame'];
}

function readWindow(text: SqlText, spec: WindowSpecContext, schema: readonly Field[]): OverWindow {
  const column = (parts: string[], at: SqlNode): Field => {
    const c = parts[parts.length - 1];
    const f = schema.find((x) => x.name === c);
    if (!f) throw text.error(`unknown column '${parts.join('.')}'`, at, `columns: ${schema.map((x) => x.name).join(', ')}`);
    return f;
  };
  const partition = spec.partitionByClause();
  const partitionKeys = partition ? partition.columnName().map((c) => column(pathOf(c), c).name) : [];
  const partitionExpr = partition?.primaryExpression()[0];
  if (partitionExpr) throw text.unsupported('an expression in PARTITION BY', partitionExpr, 'compute it as a column in a subquery and partition by that column');
  const order = spec.orderByClause();
  const timeHint = 'order by a time attribute: a rowtime column with a WATERMARK, or a PROCTIME() column';
  if (!order) throw text.error('an OVER aggregate on a stream needs ORDER BY a time attribute, as in Flink', spec, timeHint);
  const keys = order.orderItemDefinition();
  if (keys.length !== 1) throw text.unsupported('ORDER BY of more than one column in an OVER window', order, `Flink orders OVER windows on a stream by one time attribute; ${timeHint}`);
  const c = keys[0].columnName();
  if (!c) throw text.unsupported('an expression in ORDER BY of OVER', keys[0], timeHint);
  const f = column(pathOf(c), c);
  const attr = f.type.timeAttribute;
  const frame = readFrame(text, spec);
  if (!attr) {
    throw text.unsupported(`ORDER BY ${f.name} (not a time attribute) in an OVER window`, c,
      frame.preceding === null ? `sluice orders OVER windows by a time attribute only (docs/over.md); ${timeHint}` : `Flink does not sort bounded OVER windows by other columns; ${timeHint}`);
  }
  if (keys[0].KW_DESC()) throw text.error('an OVER window on a stream can only be ordered ascending, as in Flink', keys[0], `ORDER BY ${f.name} ASC`);
  return { partitionKeys, orderBy: f.name, time: attr === 'rowtime' ? 'event' : 'processing', frame };
}

/** `ROWS|RANGE BETWEEN <start> AND CURRENT ROW`; none is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, as in SQL. */
function readFrame(text: SqlText, spec: WindowSpecContext): OverWindow['frame'] {
  const f = spec.windowFrame();
  if (!f) return { unit: 'range', preceding: null };
  const unit = f.KW_ROWS() ? 'rows' : 'range';
  const source = text.source(f).replace(/\s+/g, ' ').toUpperCase();
  const m = /^(ROWS|RANGE) BETWEEN (.+) AND (.+)$/.exec(source);
  if (!m) throw text.unsupported(`the window frame ${source}`, f, 'write ROWS BETWEEN n PRECEDING AND CURRENT ROW or RANGE BETWEEN INTERVAL \'1\' MINUTE PRECEDING AND CURRENT ROW');
  if (m[3] !== 'CURRENT ROW') throw text.unsupported(`a window frame ending at ${m[3]}`, f, 'Flink supports OVER windows up to CURRENT ROW on a stream (no FOLLOWING)');
  const start = m[2];
  if (start === 'UNBOUNDED PRECEDING') return { unit, preceding: null };
  if (start === 'CURRENT ROW') return { unit, preceding: 0 };
  if (/FOLLOWING$/.test(start)) throw text.unsupported(`a window frame starting at ${start}`, f, 'Flink supports OVER windows up to CURRENT ROW on a stream (no FOLLOWING)');
  const rows = /^(\d+) PRECEDING$/.exec(start);
  if (rows) {
    if (unit === 'range') throw text.error(`RANGE BETWEEN ${rows[1]} PRECEDING needs an interval on a time attribute`, f, `RANGE BETWEEN INTERVAL '${rows[1]}' SECOND PRECEDING AND CURRENT ROW, or ROWS BETWEEN ${rows[1]} PRECEDING AND CURRENT ROW`);
    return { unit, preceding: Number(rows[1]) };
  }
  const interval = f.timeIntervalExpression();
  if (interval && /PRECEDING$/.test(start)) {
    if (unit === 'rows') throw text.error('ROWS BETWEEN takes a number of rows, not an interval', f, 'RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW');
    return { unit, preceding: intervalMillis(text, interval) };
  }
  throw text.unsupported(`the window frame start ${start}`, f);
}

/** The function of an OVER item, upper case (an aggregate function's signature with it), when sluice (and Flink) can run it over a window. */
function overFunction(q: Pick<OverContext, 'env' | 'text'>, item: OverWindowItemContext): { name: string; call: FunctionCallExpressionContext; udaf?: UdfSignature } {
  const { text } = q;
  const fnExpr = item.primaryExpression();
  const call = fnExpr instanceof FunctionCallContext ? fnExpr.functionCallExpression() : undefined;
  if (!call) throw text.unsupported(`${text.source(fnExpr)} OVER`, fnExpr, SUPPORTED);
  const written = functionName(text, call);
  const name = written.toUpperCase();
  if (text.clauses.get(call.start!.start)?.filter) throw text.unsupported(`${name}(...) FILTER (WHERE ...) OVER`, call, 'filter in the argument: SUM(CASE WHEN cond THEN x END) OVER (...)');
  if (name === 'LEAD') throw text.error('LEAD is not supported on a stream, as in Flink ("LEAD Function is not supported in stream mode")', fnExpr, 'LAG(x) looks back instead; a stream has no rows after the current one yet');
  if (name === 'RANK' || name === 'DENSE_RANK') {
    throw text.unsupported(`${name}() on a stream`, fnExpr, `Flink's streaming Top-N takes ROW_NUMBER() only ("${name}() on streaming table is not supported currently"): SELECT * FROM (SELECT *, ROW_NUMBER() OVER (...) AS rn FROM t) WHERE rn <= N`);
  }
  if (name === 'ROW_NUMBER') {
    throw text.unsupported('ROW_NUMBER() next to other OVER functions', fnExpr, 'rank in a query of its own: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (...) AS rn FROM t) WHERE rn <= N');
  }
  const udaf = q.env.functions.udf(written);
  if (udaf?.kind === 'aggregate') return { name, call, udaf };
  if (name !== 'LAG' && !AGGREGATE_FUNCTIONS.has(name)) throw text.unsupported(`${name} OVER`, fnExpr, SUPPORTED);
  return { name, call };
}

function overCall(q: OverContext, item: OverWindowItemContext, index: number, argExprs: LExpr[], input: readonly Field[], frame: OverWindow['frame']): OverCall {
  const { text } = q;
  const { name, call, udaf } = overFunction(q, item);
  const fnExpr = item.primaryExpression();
  const windowText = item.windowSpec() ? text.source(item.windowSpec()) : '';
  const distinct = call.setQuantifier()?.getText().toUpperCase() === 'DISTINCT';
  const args = q.args(call);
  const out = `$over${index}`;
  const label = `${text.source(fnExpr)} OVER ${windowText || unquoteName(item.errorCapturingIdentifier()?.getText() ?? '')}`;
  const argColumn = (e: LExpr, suffix = ''): string => {
    const s = stripAlias(e);
    if (s.kind === 'ref') return s.name;
    const col = `$over_arg${index}${suffix}`;
    argExprs.push({ kind: 'alias', expr: e, name: col, loc: e.loc });
    return col;
  };
  if (name === 'LAG') {
    const frame = windowOf(q, item).windowFrame();
    if (frame) throw text.error('LAG takes no window frame (ROWS/RANGE), as in Flink', frame, 'LAG(x) OVER (PARTITION BY ... ORDER BY ts)');
    if (args.length < 1 || args.length > 3) throw text.error('LAG takes 1 to 3 arguments: LAG(x [, offset [, default]])', call);
    if (distinct) throw text.error('DISTINCT applies to aggregate functions, not LAG', call.setQuantifier());
    const offset = args.length > 1 ? constant(args[1]) : 1;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw text.error('LAG\'s offset must be a non-negative integer literal', call.functionParam(1));
    const defaultValue = args.length > 2 ? constant(args[2]) : null;
    if (defaultValue === undefined) throw text.error('LAG\'s default must be a literal', call.functionParam(2));
    return { fn: 'lag', arg: argColumn(args[0]), distinct: false, name: out, offset, defaultValue, label };
  }
  if (udaf) return userOverCall(q, input, udaf, call, args, { distinct, out, label, frame }, argColumn);
  const fn = name.toLowerCase() as AggFunction;
  const star = args.length === 0 || (args.length === 1 && stripAlias(args[0]).kind === 'star');
  if (star && fn !== 'count') throw text.error(`${name} needs an argument`, call);
  if (args.length > 1) throw text.error(`${name} takes one argument`, call);
  return { fn, arg: star ? null : argColumn(args[0]), distinct, name: out, label };
}

/**
 * An aggregate function (`@udaf`) over the window: its arguments checked against its signature (at the wrong
 * argument's line and column) and computed as columns. A bounded frame (`ROWS`/`RANGE ... n PRECEDING`) retracts
 * the rows that leave it, so, as Flink's planner (its BoundedOverAggregateHelper needs retract), the function must
 * have a retract method; UNBOUNDED PRECEDING only accumulates.
 */
function userOverCall(q: OverContext, input: readonly Field[], sig: UdfSignature, call: FunctionCallExpressionContext, args: LExpr[],
  c: { distinct: boolean; out: string; label: string; frame: OverWindow['frame'] }, argColumn: (e: LExpr, suffix: string) => string): OverCall {
  const { text } = q;
  if (c.frame.preceding !== null && !sig.retract) {
    throw text.error(`aggregate function ${sig.name} has no retract method, which a bounded OVER window needs: the rows that leave the frame are taken back out, as in Flink ("No matching retract method found for AggregateFunction")`, call,
      'add retract(acc, ...args) to it, undoing what accumulate(acc, ...args) did; or use RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, which only accumulates');
  }
  const lcall: Extract<LExpr, { kind: 'call' }> = { kind: 'call', fn: sig.name, args, loc: text.loc(call) };
  const resolver = new Resolver(input, q.env.functions, 'the OVER window\'s input');
  const resolved = resolver.udfArgs(sig, lcall);
  // A DECIMAL reaches the function as the type it declares: where udfArgs cast an argument, the column is cast too.
  const columns = args.map((a, i) => {
    const cast = typeToString(resolved[i].type) !== typeToString(resolver.resolve(a).type);
    return argColumn(cast ? { kind: 'cast', expr: a, type: resolved[i].type, loc: a.loc } : a, `_${i}`);
  });
  return {
    fn: 'udaf', arg: null, distinct: c.distinct, name: c.out, label: c.label,
    udaf: { name: sig.name, args: columns, merge: !!sig.merge, retract: !!sig.retract, ...(sig.resultType.nullable ? {} : { notNull: typeToString(sig.resultType) }) },
  };
}

/** A literal's value (`-1` is a negated literal); undefined when the expression is no constant. */
function constant(e: LExpr): unknown {
  const s = stripAlias(e);
  if (s.kind === 'lit') return s.value;
  if (s.kind === 'call' && s.fn === 'negate' && s.args.length === 1) {
    const v = constant(s.args[0]);
    return typeof v === 'number' ? -v : undefined;
  }
  return undefined;
}
