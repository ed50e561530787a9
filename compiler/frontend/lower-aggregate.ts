// Lowers `groupBy(keys).select(...)`, `window(w).groupBy(...).select(...)` and global aggregates into
// calc (keys and aggregate arguments) → aggregate → calc (the select list), the shape Flink's planner
// produces. The first calc is what codegen fuses with the aggregate's ingest.
import { DataTypes, isInteger, isNumeric, isString, isTemporal, typeToString, withType, type DataType, type Field } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';
import type { AggCall, AggFunction, GroupAggregateNode, PlanNode, SourceLoc, WindowAggregateNode, WindowProperty, WindowSpec } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import { exprKey, isAggregateName, outputName, stripAlias, type GroupWindowDef, type LExpr } from '../ir/logical-expr.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { Resolver, type FunctionCatalog } from './resolve.js';


export interface AggregateRequest {
  input: PlanNode;
  keys: LExpr[];
  select: LExpr[];
  /** HAVING: a condition over the select's scope (keys, aggregates), applied before the projection. */
  having?: LExpr;
  window?: GroupWindowDef;
  loc?: SourceLoc;
}

export function lowerAggregate(plan: PlanBuilder, functions: FunctionCatalog, req: AggregateRequest): PlanNode {
  const resolver = new Resolver(req.input.schema, functions);
  const pre: { name: string; expr: Expr }[] = [];
  const preName = (e: Expr, wanted: string): string => {
    const same = pre.find((p) => JSON.stringify(p.expr) === JSON.stringify(e));
    if (same) return same.name;
    let name = wanted;
    while (pre.some((p) => p.name === name)) name = `${wanted}_${pre.length}`;
    pre.push({ name, expr: e });
    return name;
  };

  // Group keys: the window alias is a key only in spelling.
  const keyExprs = req.keys.filter((k) => !(req.window && stripAlias(k).kind === 'ref' && (stripAlias(k) as { name: string }).name === req.window.alias));
  if (req.window && keyExprs.length === req.keys.length) {
    throw new CompileError(`the window '${req.window.alias}' must be one of the groupBy keys`, req.loc, `groupBy($('${req.window.alias}'), ...)`);
  }
  const keyByText = new Map<string, string>();
  const keys = keyExprs.map((k, i) => {
    const e = resolver.resolve(k);
    const name = preName(e, k.kind === 'alias' ? k.name : stripAlias(k).kind === 'ref' ? (e as { name: string }).name : `$k${i}`);
    keyByText.set(exprKey(k), name);
    if (stripAlias(k).kind === 'ref') keyByText.set((e as { name: string }).name, name);
    return name;
  });

  const window = req.window ? windowSpec(req.window, resolver, (time) => preName(time, (time as { name: string }).name)) : undefined;

  // Aggregates in the select list (and HAVING) become aggregate calls over pre-computed argument columns.
  const aggs: AggCall[] = [];
  const aggTypes: DataType[] = [];
  const aggByText = new Map<string, string>();
  const collect = (e: LExpr, alias?: string): void => {
    if (e.kind === 'call' && isAggregateName(e.fn)) {
      const text = exprKey(e);
      if (aggByText.has(text)) return;
      const fn = e.fn.toLowerCase() as AggFunction;
      if (e.args.length > 1) throw new CompileError(`${fn.toUpperCase()} takes one argument`, e.loc);
      const star = e.args.length === 0 || stripAlias(e.args[0]).kind === 'star';
      if (star && fn !== 'count') throw new CompileError(`${fn.toUpperCase()} needs an argument`, e.loc);
      let arg: string | null = null;
      let argType: DataType = DataTypes.BIGINT();
      if (!star) {
        const a = resolver.resolve(e.args[0]);
        checkAggArg(fn, a.type, e.loc);
        argType = a.type;
        arg = preName(a, stripAlias(e.args[0]).kind === 'ref' ? (a as { name: string }).name : `$a${aggs.length}`);
      }
      const name = `$agg${aggs.length}`;
      aggs.push({ fn, arg, distinct: !!e.distinct, name, label: alias ? `${text} AS ${alias}` : text });
      aggTypes.push(aggResultType(fn, argType));
      aggByText.set(text, name);
      return;
    }
    if (e.kind === 'call') e.args.forEach((a) => collect(a));
    else if (e.kind === 'alias') collect(e.expr, e.name);
    else if (e.kind === 'cast') collect(e.expr);
  };
  req.select.forEach((e) => collect(e));
  if (req.having) collect(req.having);

  const preCalc = plan.calc(req.input, pre, null, req.loc);
  const preType = (name: string) => preCalc.schema.find((f) => f.name === name)!.type;

  const properties: { name: string; property: WindowProperty }[] = [];
  const propertyName = (p: WindowProperty): string => {
    const existing = properties.find((x) => x.property === p);
    if (existing) return existing.name;
    const name = `$w_${p}`;
    properties.push({ name, property: p });
    return name;
  };
  // Rewrite the select list over the aggregate's output: keys by name, aggregates and window properties by column.
  const rewrite = (e: LExpr): LExpr => {
    const text = exprKey(e);
    if (e.kind === 'alias') return { ...e, expr: rewrite(e.expr) };
    if (aggByText.has(text)) return { kind: 'ref', name: aggByText.get(text)!, loc: e.loc };
    if (keyByText.has(text)) return { kind: 'ref', name: keyByText.get(text)!, loc: e.loc };
    if (e.kind === 'windowProp') {
      if (!req.window || e.window !== req.window.alias) {
        throw new CompileError(`unknown window '${e.window}'`, e.loc, req.window ? `the window is named '${req.window.alias}'` : 'window properties need .window(...)');
      }
      if (e.property === 'proctime' && window!.time !== 'processing') throw new CompileError(`proctime() on an event-time window`, e.loc, 'use rowtime()');
      if (e.property === 'rowtime' && window!.time !== 'event') throw new CompileError(`rowtime() on a processing-time window`, e.loc, 'use proctime()');
      return { kind: 'ref', name: propertyName(e.property), loc: e.loc };
    }
    if (e.kind === 'ref') {
      throw new CompileError(`column '${e.name}' is neither grouped nor aggregated`, e.loc,
        `add it to groupBy(...) or wrap it in an aggregate such as $('${e.name}').max()`);
    }
    if (e.kind === 'call') return { ...e, args: e.args.map(rewrite) };
    if (e.kind === 'cast') return { ...e, expr: rewrite(e.expr) };
    return e;
  };
  const select = req.select.map(rewrite);
  const having = req.having ? rewrite(req.having) : undefined;

  const keyFields: Field[] = keys.map((k) => ({ name: k, type: withType(preType(k), { timeAttribute: undefined }) }));
  const aggFields: Field[] = aggs.map((a, i) => ({ name: a.name, type: aggTypes[i] }));
  let agg: PlanNode;
  if (window) {
    const propFields: Field[] = properties.map((p) => ({ name: p.name, type: propertyType(p.property) }));
    agg = plan.add<WindowAggregateNode>({
      kind: 'windowAggregate', input: preCalc.id, window, keys, aggs, properties,
      schema: [...keyFields, ...aggFields, ...propFields], changelog: 'insert-only', loc: req.loc,
    });
  } else {
    agg = plan.add<GroupAggregateNode>({
      kind: 'groupAggregate', input: preCalc.id, keys, aggs,
      schema: [...keyFields, ...aggFields], changelog: 'upsert', upsertKey: keys, loc: req.loc,
      ...(preCalc.changelog !== 'insert-only' ? { retracting: true as const } : {}),
    });
  }
  const post = new Resolver(agg.schema, functions, 'the aggregate result');
  const filter = having ? post.resolve(having) : null;
  return plan.calc(agg, select.map((e, i) => ({ name: outputName(req.select[i], i), expr: post.resolve(e) })), filter, req.loc);
}

/**
 * A group window's spec, checked: its time column must be a time attribute of the input (`column` names the
 * column the window then reads it from), its intervals positive, a slide a divisor of the size.
 */
export function windowSpec(def: GroupWindowDef, resolver: Resolver, column: (time: Expr) => string): WindowSpec {
  const on = stripAlias(def.on);
  const timeExpr = resolver.resolve(on);
  const attr = timeExpr.type.timeAttribute;
  if (on.kind !== 'ref' || !attr) {
    throw new CompileError(`window '${def.alias}' is on ${exprKey(on)}, which is not a time attribute`, def.on.loc ?? def.loc,
      `declare an event-time attribute with WATERMARK FOR <col> AS <col> - INTERVAL '5' SECOND, or a processing-time one with <col> AS PROCTIME()`);
  }
  const window: WindowSpec = {
    type: def.type,
    timeColumn: column(timeExpr),
    time: attr === 'rowtime' ? 'event' : 'processing',
    sizeMs: def.type === 'session' ? 0 : intervalMs(def.size, def, 'size'),
    slideMs: def.type === 'slide' || def.type === 'cumulate' ? intervalMs(def.slide, def, 'slide') : 0,
    gapMs: def.type === 'session' ? intervalMs(def.gap, def, 'gap') : 0,
  };
  if (window.type === 'slide' && (window.slideMs <= 0 || window.sizeMs % window.slideMs !== 0)) {
    throw new CompileError(`sliding window size ${window.sizeMs} ms is not a multiple of its slide ${window.slideMs} ms`, def.loc);
  }
  return window;
}

function intervalMs(e: LExpr | undefined, w: GroupWindowDef, what: string): number {
  const x = e && stripAlias(e);
  if (!x || x.kind !== 'interval' || x.millis <= 0) {
    throw new CompileError(`window ${what} must be a positive interval such as lit(10).minutes()`, e?.loc ?? w.loc);
  }
  return x.millis;
}

export function checkAggArg(fn: AggFunction, t: DataType, loc?: SourceLoc): void {
  if ((fn === 'sum' || fn === 'avg') && !isNumeric(t)) {
    throw new CompileError(`${fn.toUpperCase()} needs a numeric argument, got ${typeToString(t)}`, loc, `cast it to a number: ${fn.toUpperCase()}(CAST(x AS DOUBLE))`);
  }
  if ((fn === 'min' || fn === 'max') && !(isNumeric(t) || isString(t) || isTemporal(t) || t.name === 'BOOLEAN')) {
    throw new CompileError(`${fn.toUpperCase()} needs a comparable argument, got ${typeToString(t)}`, loc);
  }
}

/**
 * Flink's result types: SUM and AVG keep the argument type (integer AVG truncates), except that SUM of a
 * DECIMAL(p, s) is DECIMAL(38, s) and AVG DECIMAL(38, max(s, 6)); COUNT is BIGINT NOT NULL.
 */
export function aggResultType(fn: AggFunction, arg: DataType): DataType {
  if (fn === 'count') return DataTypes.BIGINT().notNull!();
  if (arg.name === 'DECIMAL' && fn === 'sum') return DataTypes.DECIMAL(38, arg.scale ?? 0);
  if (arg.name === 'DECIMAL' && fn === 'avg') return DataTypes.DECIMAL(38, Math.max(arg.scale ?? 0, 6));
  const t = withType(arg, { nullable: true, timeAttribute: undefined });
  if (fn === 'sum' && isInteger(arg) && arg.name !== 'BIGINT') return t;
  return t;
}

/** The type of a window property column (window_start, window_end: TIMESTAMP(3); window_time: the time attribute). */
export function propertyType(p: WindowProperty): DataType {
  if (p === 'rowtime') return withType(DataTypes.TIMESTAMP(3).notNull!(), { timeAttribute: 'rowtime' });
  if (p === 'proctime') return withType(DataTypes.TIMESTAMP_LTZ(3).notNull!(), { timeAttribute: 'proctime' });
  return DataTypes.TIMESTAMP(3).notNull!();
}
