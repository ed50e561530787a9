// Table API expressions: $('col'), lit(v), call(fn, ...), and the methods Flink's Expression has.
// Each call records where the user wrote it, so errors about it can point there.
import type { DataType } from '../../runtime/core/data-types.js';
import type { WindowProperty } from '../../runtime/core/plan.js';
import { TIME_UNITS, type TimeUnit } from '../../runtime/core/time-units.js';
import type { LExpr } from '../ir/logical-expr.js';
import { callerLoc } from '../ir/source-loc.js';

/** Flink's TimeIntervalUnit (TimeIntervalUnit.HOUR): the units of core/time-units.ts by name. */
export const TimeIntervalUnit = Object.freeze(Object.fromEntries(Object.keys(TIME_UNITS).map((u) => [u, u]))) as { readonly [U in TimeUnit]: U };
export type TimeIntervalUnit = TimeUnit;

export type ExpressionLike = Expression | string | number | boolean | null;

export class Expression {
  constructor(readonly node: LExpr) {}

  /** A builtin by its Table API name in the function table (runtime/core/builtins.ts). */
  private call(fn: string, ...args: ExpressionLike[]): Expression {
    return new Expression({ kind: 'call', fn, args: [this.node, ...args.map(toNode)], loc: callerLoc() });
  }

  plus(o: ExpressionLike) { return this.call('plus', o); }
  minus(o: ExpressionLike) { return this.call('minus', o); }
  times(o: ExpressionLike) { return this.call('times', o); }
  dividedBy(o: ExpressionLike) { return this.call('dividedBy', o); }
  mod(o: ExpressionLike) { return this.call('mod', o); }
  isEqual(o: ExpressionLike) { return this.call('isEqual', o); }
  isNotEqual(o: ExpressionLike) { return this.call('isNotEqual', o); }
  isGreater(o: ExpressionLike) { return this.call('isGreater', o); }
  isGreaterOrEqual(o: ExpressionLike) { return this.call('isGreaterOrEqual', o); }
  isLess(o: ExpressionLike) { return this.call('isLess', o); }
  isLessOrEqual(o: ExpressionLike) { return this.call('isLessOrEqual', o); }
  and(o: ExpressionLike) { return this.call('and', o); }
  or(o: ExpressionLike) { return this.call('or', o); }
  not() { return this.call('not'); }
  isNull() { return this.call('isNull'); }
  isNotNull() { return this.call('isNotNull'); }
  isTrue() { return this.call('isTrue'); }
  isFalse() { return this.call('isFalse'); }
  between(lower: ExpressionLike, upper: ExpressionLike) { return this.call('between', lower, upper); }
  in(...values: ExpressionLike[]) { return this.call('in', ...values); }
  like(pattern: ExpressionLike) { return this.call('like', pattern); }
  upperCase() { return this.call('upperCase'); }
  lowerCase() { return this.call('lowerCase'); }
  charLength() { return this.call('charLength'); }
  /** 1-based start, as Flink's substring. */
  substring(start: ExpressionLike, length?: ExpressionLike) {
    return length === undefined ? this.call('substring', start) : this.call('substring', start, length);
  }
  concat(...others: ExpressionLike[]) { return this.call('concat', ...others); }
  trim() { return this.call('trim'); }
  abs() { return this.call('abs'); }
  power(exponent: ExpressionLike) { return this.call('power', exponent); }
  sqrt() { return this.call('sqrt'); }
  round(places: ExpressionLike = 0) { return this.call('round', places); }
  replace(search: ExpressionLike, replacement: ExpressionLike) { return this.call('replace', search, replacement); }
  ifThenElse(ifTrue: ExpressionLike, ifFalse: ExpressionLike) {
    return new Expression({ kind: 'call', fn: 'ifThenElse', args: [this.node, toNode(ifTrue), toNode(ifFalse)], loc: callerLoc() });
  }
  floor(unit?: TimeIntervalUnit) { return unit ? this.call('floor', unitExpr(unit)) : this.call('floor'); }
  ceil(unit?: TimeIntervalUnit) { return unit ? this.call('ceil', unitExpr(unit)) : this.call('ceil'); }
  cast(type: DataType) { return new Expression({ kind: 'cast', expr: this.node, type, loc: callerLoc() }); }
  /** Several names: the columns of a table function's rows, in joinLateral (`call('split', $('s')).as('word', 'length')`). */
  as(name: string, ...more: string[]) {
    return new Expression({ kind: 'alias', expr: this.node, name, ...(more.length ? { names: [name, ...more] } : {}), loc: callerLoc() });
  }
  /** PyFlink spelling of `as`. */
  alias(name: string, ...more: string[]) { return this.as(name, ...more); }

  sum() { return this.call('sum'); }
  count() { return this.call('count'); }
  avg() { return this.call('avg'); }
  min() { return this.call('min'); }
  max() { return this.call('max'); }
  /** DISTINCT aggregation, as Flink's `$('x').sum().distinct()`. */
  distinct(): Expression {
    if (this.node.kind !== 'call') throw new TypeError('distinct() applies to an aggregate: $(\'x\').count().distinct()');
    return new Expression({ ...this.node, distinct: true });
  }

  millis() { return this.interval('MILLISECOND'); }
  milli() { return this.millis(); }
  seconds() { return this.interval('SECOND'); }
  second() { return this.seconds(); }
  minutes() { return this.interval('MINUTE'); }
  minute() { return this.minutes(); }
  hours() { return this.interval('HOUR'); }
  hour() { return this.hours(); }
  days() { return this.interval('DAY'); }
  day() { return this.days(); }
  weeks() { return this.interval('WEEK'); }
  week() { return this.weeks(); }
  months() { return this.interval('MONTH'); }
  month() { return this.months(); }
  quarters() { return this.interval('QUARTER'); }
  quarter() { return this.quarters(); }
  years() { return this.interval('YEAR'); }
  year() { return this.years(); }

  /** An interval literal: fixed units in milliseconds, MONTH/QUARTER/YEAR in calendar months. */
  private interval(unit: TimeUnit): Expression {
    if (this.node.kind !== 'lit' || typeof this.node.value !== 'number') {
      throw new TypeError('interval units apply to numeric literals: lit(15).seconds()');
    }
    const u = TIME_UNITS[unit];
    return new Expression(u.kind === 'fixed'
      ? { kind: 'interval', millis: this.node.value * u.ms, loc: callerLoc() }
      : { kind: 'interval', millis: 0, months: this.node.value * u.months, loc: callerLoc() });
  }

  /** An ORDER BY item for Table.orderBy (NULLs first ascending, last descending, as Flink's). */
  asc() { return new Ordering(this.node, false); }
  desc() { return new Ordering(this.node, true); }

  start() { return this.windowProp('start'); }
  end() { return this.windowProp('end'); }
  rowtime() { return this.windowProp('rowtime'); }
  proctime() { return this.windowProp('proctime'); }

  private windowProp(property: WindowProperty): Expression {
    if (this.node.kind !== 'ref') throw new TypeError(`.${property}() applies to a window alias: $('w').${property}()`);
    return new Expression({ kind: 'windowProp', window: this.node.name, property, loc: callerLoc() });
  }
}

/** An item of Table.orderBy: an expression and its direction ($('amount').desc()). */
export class Ordering {
  constructor(readonly expr: LExpr, readonly desc: boolean) {}
}

/** Structural check, as isExpression. */
export function isOrdering(e: unknown): e is Ordering {
  return typeof e === 'object' && e !== null && 'expr' in e && typeof (e as Ordering).desc === 'boolean';
}

function unitExpr(unit: TimeIntervalUnit): Expression {
  return new Expression({ kind: 'unit', unit });
}

/** A column reference. `$('*')` selects every column. */
export function $(name: string): Expression {
  return new Expression(name === '*' ? { kind: 'star', loc: callerLoc() } : { kind: 'ref', name, loc: callerLoc() });
}

export const col = $;

export function lit(value: string | number | boolean | null, type?: DataType): Expression {
  return new Expression({ kind: 'lit', value, type, loc: callerLoc() });
}

/** Calls a builtin, an aggregate (PyFlink's call('sum', ...)) or a UDF by registered name, function value or class (@udtf, @udaf). */
export function call(fn: string | ((...args: any[]) => unknown) | (new () => unknown), ...args: ExpressionLike[]): Expression {
  const name = typeof fn === 'string' ? fn : udfNameOf(fn);
  return new Expression({ kind: 'call', fn: name, args: args.map(toNode), loc: callerLoc() });
}

function udfNameOf(fn: ((...args: any[]) => unknown) | (new () => unknown)): string {
  for (const [name, u] of (globalThis as any)[Symbol.for('sluice.udfs')] ?? new Map()) if (u.fn === fn) return name;
  throw new TypeError(`call(fn): ${fn.name || 'this function'} is not a registered UDF; wrap it with udf(...) or register it`);
}

/** Flink's Expressions.dateFormat(timestamp, format): Java SimpleDateFormat letters. */
export const dateFormat = (timestamp: ExpressionLike, format: ExpressionLike) =>
  new Expression({ kind: 'call', fn: 'dateFormat', args: [toNode(timestamp), toNode(format)], loc: callerLoc() });

/** Flink's Expressions.currentTimestamp(): the time of the processing, a TIMESTAMP_LTZ(3). */
export const currentTimestamp = () => new Expression({ kind: 'call', fn: 'currentTimestamp', args: [], loc: callerLoc() });

/** Flink's and_/or_ helpers. */
export const and = (...es: ExpressionLike[]) => es.map(toExpression).reduce((a, b) => a.and(b));
export const or = (...es: ExpressionLike[]) => es.map(toExpression).reduce((a, b) => a.or(b));

function toExpression(e: ExpressionLike): Expression {
  return isExpression(e) ? e : new Expression({ kind: 'lit', value: e });
}

export function toNode(e: ExpressionLike): LExpr {
  return toExpression(e).node;
}

/** Structural check, so expressions made by another copy of this module still count. */
function isExpression(e: unknown): e is Expression {
  return typeof e === 'object' && e !== null && 'node' in e && typeof (e as Expression).node?.kind === 'string';
}
