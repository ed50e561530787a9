// Lowers `groupBy(keys).select(...)`, `window(w).groupBy(...).select(...)` and global aggregates into
// calc (keys and aggregate arguments) → aggregate → calc (the select list), the shape Flink's planner
// produces. The first calc is what codegen fuses with the aggregate's ingest.
import { DataTypes, isInteger, isNumeric, isString, isTemporal, typeToString, withType, type DataType, type Field } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';
import { isCollecting } from '../../runtime/core/collecting-aggs.js';
import type { AggCall, AggFunction, CollectingAgg, GroupAggregateNode, PlanNode, SourceLoc, WindowAggregateNode, WindowProperty, WindowSpec } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import { exprKey, isAggregateName, isUdafName, outputName, stripAlias, type GroupWindowDef, type LExpr } from '../ir/logical-expr.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { Resolver, type FunctionCatalog, type UdfSignature } from './resolve.js';


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
  /** STDDEV/VAR* calls: an expression over the SUM and COUNT calls they are lowered into. */
  const derivedByText = new Map<string, LExpr>();
  const addAgg = (call: Omit<AggCall, 'name'>, type: DataType): string => {
    const same = aggs.find((a) => JSON.stringify({ ...a, name: undefined, label: undefined }) === JSON.stringify({ ...call, name: undefined, label: undefined }));
    if (same) return same.name;
    const name = `$agg${aggs.length}`;
    aggs.push({ ...call, name });
    aggTypes.push(type);
    return name;
  };
  const argColumn = (e: LExpr): { name: string; type: DataType } => {
    const a = resolver.resolve(e);
    // Numbered by the aggregate it feeds, as before the statistical aggregates came: the names show in vertex names.
    return { name: preName(a, stripAlias(e).kind === 'ref' ? (a as { name: string }).name : `$a${aggs.length}`), type: a.type };
  };
  const collect = (e: LExpr, alias?: string): void => {
    if (e.kind === 'call' && isAggregateName(e.fn)) {
      const text = exprKey(e);
      if (aggByText.has(text) || derivedByText.has(text)) return;
      const fn = e.fn.toLowerCase();
      const label = alias ? `${text} AS ${alias}` : text;
      let filter: string | undefined;
      if (e.filter) {
        const f = resolver.resolve(e.filter);
        if (f.type.name !== 'BOOLEAN') throw new CompileError(`FILTER (WHERE ...) needs a BOOLEAN condition, got ${typeToString(f.type)}`, e.filter.loc ?? e.loc);
        filter = preName(f, `$f${pre.length}`);
      }
      const udaf = isUdafName(e.fn) ? functions.udf(e.fn) : undefined;
      if (udaf?.kind === 'aggregate') {
        aggByText.set(text, userAggregate(udaf, e, filter, label));
        return;
      }
      if (fn in VARIANCE) {
        derivedByText.set(text, lowerVariance(fn, e, filter));
        return;
      }
      if (isCollecting(fn)) {
        aggByText.set(text, collectingAgg(fn, e, filter, label));
        return;
      }
      const basic = fn as AggFunction;
      if (e.args.length > 1) throw new CompileError(`${fn.toUpperCase()} takes one argument`, e.loc);
      const star = e.args.length === 0 || stripAlias(e.args[0]).kind === 'star';
      if (star && fn !== 'count') throw new CompileError(`${fn.toUpperCase()} needs an argument`, e.loc);
      let arg: string | null = null;
      let argType: DataType = DataTypes.BIGINT();
      if (!star) {
        const a = argColumn(e.args[0]);
        checkAggArg(basic, a.type, e.loc);
        argType = a.type;
        arg = a.name;
      }
      aggByText.set(text, addAgg({ fn: basic, arg, distinct: !!e.distinct, ...(filter ? { filter } : {}), label }, aggResultType(basic, argType)));
      return;
    }
    if (e.kind === 'call') e.args.forEach((a) => collect(a));
    else if (e.kind === 'alias') collect(e.expr, e.name);
    else if (e.kind === 'cast') collect(e.expr);
  };
  /**
   * STDDEV_POP, STDDEV_SAMP (STDDEV), VAR_POP and VAR_SAMP (VARIANCE) as Flink's planner rewrites them (its
   * explain shows it): WELFORD_M2(x) / COUNT(x) [- 1, NULL at 1], POWER(.., 0.5) for STDDEV, cast back to x's
   * type. WELFORD_M2 and COUNT retract and merge, so these run in windows and over updating input too.
   */
  function lowerVariance(fn: string, e: Extract<LExpr, { kind: 'call' }>, filter: string | undefined): LExpr {
    if (e.args.length !== 1 || stripAlias(e.args[0]).kind === 'star') throw new CompileError(`${fn.toUpperCase()} takes one argument`, e.loc);
    if (e.distinct) throw new CompileError(`${fn.toUpperCase()}(DISTINCT ...) is not supported`, e.loc, `aggregate the distinct values in a subquery: SELECT ${fn.toUpperCase()}(x) FROM (SELECT DISTINCT x FROM t)`);
    const type = resolver.resolve(e.args[0]).type;
    if (!isNumeric(type)) throw new CompileError(`${fn.toUpperCase()} needs a numeric argument, got ${typeToString(type)}`, e.loc, `cast it to a number: ${fn.toUpperCase()}(CAST(x AS DOUBLE))`);
    const loc = e.loc;
    const DOUBLE = DataTypes.DOUBLE();
    const xs = argColumn({ kind: 'cast', expr: e.args[0], type: withType(DOUBLE, { nullable: type.nullable }), loc });
    const common = { distinct: false, ...(filter ? { filter } : {}), label: exprKey(e) };
    const ref = (name: string): LExpr => ({ kind: 'ref', name, loc });
    const call = (f: string, ...args: LExpr[]): LExpr => ({ kind: 'call', fn: f, args, loc });
    const lit = (value: number | null, t?: DataType): LExpr => ({ kind: 'lit', value, ...(t ? { type: t } : {}), loc });
    const m2 = ref(addAgg({ fn: 'welford_m2', arg: xs.name, ...common }, withType(DOUBLE, { nullable: true })));
    const count = ref(addAgg({ fn: 'count', arg: xs.name, ...common }, DataTypes.BIGINT().notNull!()));
    const population = VARIANCE[fn].population;
    const divisor = population ? count : call('case', call('eq', count, lit(1)), lit(null, DataTypes.BIGINT()), call('minus', count, lit(1)));
    const variance = call('divide', m2, divisor);
    const result = VARIANCE[fn].root ? call('power', variance, lit(0.5, DOUBLE.notNull!())) : variance;
    return { kind: 'cast', expr: result, type: withType(type, { nullable: true, timeAttribute: undefined }), loc };
  }

  /**
   * An aggregate function (`@udaf`): its arguments checked against its signature and computed as columns. As
   * Flink's planner, an updating input needs its retract method and a session window its merge method. DISTINCT
   * (`f(DISTINCT x, y)`) gives it each distinct argument tuple once (runtime/core/user-aggs.ts).
   */
  function userAggregate(sig: UdfSignature, e: Extract<LExpr, { kind: 'call' }>, filter: string | undefined, label: string): string {
    // A DISTINCT call merges sessions by its distinct tuples' counts (accumulate, retract), as Flink's DistinctAggCodeGen.
    if (window?.type === 'session' && !sig.merge && !e.distinct) {
      throw new CompileError(`aggregate function ${sig.name} has no merge method, which a session window needs (sessions merge as rows arrive), as in Flink`, e.loc,
        'add merge(acc, others) to it, adding each accumulator of others into acc; or use a TUMBLE or HOP window');
    }
    if (req.input.changelog !== 'insert-only' && !sig.retract) {
      throw new CompileError(`aggregate function ${sig.name} has no retract method, which it needs here: its input is updating (${req.input.changelog}), so rows are taken back out, as in Flink`, e.loc,
        'add retract(acc, ...args) to it, undoing what accumulate(acc, ...args) did; or aggregate an insert-only input');
    }
    const args = resolver.udfArgs(sig, e);
    const columns = args.map((a, i) => preName(a, stripAlias(e.args[i]).kind === 'ref' && a.kind === 'field' ? a.name : `$a${aggs.length}`));
    return addAgg({
      fn: 'udaf', arg: null, distinct: !!e.distinct,
      udaf: { name: sig.name, args: columns, merge: !!sig.merge, retract: !!sig.retract, ...(sig.resultType.nullable ? {} : { notNull: typeToString(sig.resultType) }) },
      ...(filter ? { filter } : {}), label,
    }, sig.resultType);
  }

  /** FIRST_VALUE, LAST_VALUE, LISTAGG, JSON_ARRAYAGG, JSON_OBJECTAGG, ARRAY_AGG (runtime/core/collecting-aggs.ts). */
  function collectingAgg(fn: CollectingAgg, e: Extract<LExpr, { kind: 'call' }>, filter: string | undefined, label: string): string {
    const upper = fn.toUpperCase();
    if (e.distinct) throw new CompileError(`${upper}(DISTINCT ...) is not supported`, e.loc, `aggregate the distinct values in a subquery: SELECT ${upper}(x) FROM (SELECT DISTINCT x FROM t)`);
    const common = { distinct: false, ...(filter ? { filter } : {}), label };
    const args = e.args.filter((a) => stripAlias(a).kind !== 'star');
    const STRING = DataTypes.STRING();
    switch (fn) {
      case 'first_value': case 'last_value': {
        if (args.length !== 1) throw new CompileError(`${upper} takes one argument`, e.loc);
        if (window?.type === 'session') {
          throw new CompileError(`${upper} in a session window is not supported, as in Flink (its ${fn === 'first_value' ? 'FirstValueAggFunction' : 'LastValueAggFunction'} cannot merge sessions)`, e.loc,
            'use a TUMBLE or HOP window, or MIN/MAX of the session\'s values');
        }
        const a = argColumn(args[0]);
        return addAgg({ fn, arg: a.name, ...common }, withType(a.type, { nullable: true, timeAttribute: undefined }));
      }
      case 'array_agg': {
        if (args.length !== 1) throw new CompileError('ARRAY_AGG takes one value: ARRAY_AGG(x [RESPECT | IGNORE NULLS])', e.loc);
        const a = argColumn(args[0]);
        return addAgg({ fn, arg: a.name, ...common }, withType(DataTypes.ARRAY(withType(a.type, { timeAttribute: undefined })), { nullable: true }));
      }
      case 'listagg': {
        if (args.length < 1 || args.length > 2) throw new CompileError('LISTAGG takes a string and an optional separator: LISTAGG(s [, sep])', e.loc);
        const a = argColumn(args[0]);
        if (!isString(a.type)) throw new CompileError(`LISTAGG needs a string argument, got ${typeToString(a.type)}`, e.loc, 'cast it: LISTAGG(CAST(x AS STRING))');
        const sep = args[1] && stripAlias(args[1]);
        if (sep && (sep.kind !== 'lit' || typeof sep.value !== 'string')) throw new CompileError('LISTAGG\'s separator must be a string literal', sep.loc ?? e.loc, "LISTAGG(s, ';')");
        return addAgg({ fn, arg: a.name, separator: sep ? (sep as { value: string }).value : ',', ...common }, withType(STRING, { nullable: true }));
      }
      case 'json_arrayagg': case 'json_objectagg': {
        // The frontend passes the ON NULL behaviour first (compiler/frontend/sql/expression.ts).
        if (window?.type === 'session') {
          throw new CompileError(`${upper} in a session window is not supported, as in Flink (its ${fn === 'json_arrayagg' ? 'JsonArrayAggFunction' : 'JsonObjectAggFunction'} has no accumulate method for merging windows)`, e.loc,
            'use a TUMBLE or HOP window, or LISTAGG');
        }
        const [onNull, ...rest] = args;
        const nullOnNull = onNull?.kind === 'lit' && onNull.value === 'NULL';
        const want = fn === 'json_arrayagg' ? 1 : 2;
        if (rest.length !== want) throw new CompileError(fn === 'json_arrayagg' ? 'JSON_ARRAYAGG takes one value: JSON_ARRAYAGG(x [NULL | ABSENT ON NULL])' : 'JSON_OBJECTAGG takes one key and one value: JSON_OBJECTAGG(KEY k VALUE v [NULL | ABSENT ON NULL])', e.loc);
        const value = rest[want - 1];
        // A nested JSON_OBJECT/JSON_ARRAY is JSON already; other values go in as JSON_STRING writes them.
        const json: LExpr = isJsonCall(value) ? value : { kind: 'call', fn: 'JSON_STRING', args: [value], loc: value.loc };
        const text = argColumn(nullOnNull ? { kind: 'call', fn: 'coalesce', args: [json, { kind: 'lit', value: 'null', loc: value.loc }], loc: value.loc } : json);
        const notNullString = STRING.notNull!();
        if (fn === 'json_arrayagg') return addAgg({ fn, arg: text.name, ...common }, notNullString);
        const key = argColumn(rest[0]);
        if (!isString(key.type)) throw new CompileError(`JSON_OBJECTAGG needs a string key, got ${typeToString(key.type)}`, e.loc);
        return addAgg({ fn, arg: key.name, arg2: text.name, ...common }, notNullString);
      }
    }
  }

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
    if (derivedByText.has(text)) return derivedByText.get(text)!;
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

/** The variance family: which divisor (COUNT, or COUNT - 1) and whether the result is the square root. */
const VARIANCE: Record<string, { population: boolean; root: boolean }> = {
  var_pop: { population: true, root: false }, var_samp: { population: false, root: false }, variance: { population: false, root: false },
  stddev_pop: { population: true, root: true }, stddev_samp: { population: false, root: true }, stddev: { population: false, root: true },
};

const isJsonCall = (e: LExpr): boolean => e.kind === 'call' && /^(json_object|json_array|jsonobject|jsonarray)$/i.test(e.fn);

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
