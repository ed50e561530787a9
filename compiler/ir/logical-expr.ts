// Unresolved expressions as the Table API and the SQL frontend build them: column references by name,
// calls by function name. compiler/frontend/resolve.ts types them against an input schema into runtime Exprs.
import type { DataType } from '../../runtime/core/data-types.js';
import type { SourceLoc, WindowProperty, WindowSpec } from '../../runtime/core/plan.js';
import { udfRegistry } from '../../runtime/core/udf.js';

export type LExpr =
  | { kind: 'ref'; name: string; loc?: SourceLoc }
  | { kind: 'lit'; value: string | number | boolean | null; type?: DataType; loc?: SourceLoc }
  /** An interval literal, in milliseconds, or in months when `months` is set (INTERVAL '1' MONTH; millis is then 0). */
  | { kind: 'interval'; millis: number; months?: number; loc?: SourceLoc }
  /** A time unit argument (floor(HOUR), TIMESTAMPDIFF(SECOND, ...)). */
  | { kind: 'unit'; unit: string; loc?: SourceLoc }
  /** A builtin, an aggregate or a UDF, by name; resolved in that order of UDF registry, aggregates, builtins. */
  /** `filter`: an aggregate's FILTER (WHERE ...) condition. */
  | { kind: 'call'; fn: string; args: LExpr[]; distinct?: boolean; filter?: LExpr; loc?: SourceLoc }
  /** CAST, or TRY_CAST (NULL where the value does not convert) when `try` is set. */
  | { kind: 'cast'; expr: LExpr; type: DataType; try?: boolean; loc?: SourceLoc }
  /** `names`: a table function's columns in joinLateral (`call('split', $('s')).as('word', 'length')`). */
  | { kind: 'alias'; expr: LExpr; name: string; names?: string[]; loc?: SourceLoc }
  | { kind: 'windowProp'; window: string; property: WindowProperty; loc?: SourceLoc }
  | { kind: 'star'; loc?: SourceLoc };

export const AGGREGATES = [
  'sum', 'count', 'avg', 'min', 'max', 'stddev_pop', 'stddev_samp', 'stddev', 'var_pop', 'var_samp', 'variance',
  'first_value', 'last_value', 'listagg', 'json_arrayagg', 'json_objectagg', 'array_agg',
] as const;
/** A built-in aggregate, or an aggregate function (`@udaf`) registered in this process under the name. */
export const isAggregateName = (fn: string) => (AGGREGATES as readonly string[]).includes(fn.toLowerCase()) || isUdafName(fn);

export function isUdafName(fn: string): boolean {
  const registry = udfRegistry();
  return (registry.get(fn) ?? registry.get(fn.toLowerCase()))?.kind === 'aggregate';
}

/** True when the expression contains an aggregate call. */
export function hasAggregate(e: LExpr): boolean {
  switch (e.kind) {
    case 'call': return isAggregateName(e.fn) || e.args.some(hasAggregate);
    case 'cast': case 'alias': return hasAggregate(e.expr);
    default: return false;
  }
}

/** The output name of a projected expression: its alias, the column it references, or a generated name. */
export function outputName(e: LExpr, index: number): string {
  if (e.kind === 'alias') return e.name;
  if (e.kind === 'ref') return e.name;
  return `EXPR$${index}`;
}

export function stripAlias(e: LExpr): LExpr {
  return e.kind === 'alias' ? stripAlias(e.expr) : e;
}

/** A stable text of an expression, for matching group keys in select lists and for explain. */
export function exprKey(e: LExpr): string {
  switch (e.kind) {
    case 'ref': return e.name;
    case 'lit': return JSON.stringify(e.value);
    case 'interval': return e.months === undefined ? `INTERVAL ${e.millis}ms` : `INTERVAL ${e.months} MONTH`;
    case 'unit': return e.unit;
    case 'call': return `${e.fn.toLowerCase()}(${e.distinct ? 'DISTINCT ' : ''}${e.args.map(exprKey).join(', ')})${e.filter ? ` FILTER (WHERE ${exprKey(e.filter)})` : ''}`;
    case 'cast': return `${e.try ? 'TRY_' : ''}CAST(${exprKey(e.expr)} AS ${e.type.name})`;
    case 'alias': return exprKey(e.expr);
    case 'windowProp': return `${e.window}.${e.property}`;
    case 'star': return '*';
  }
}

/** A group window as written (Tumble/Slide/Session in the Table API, TUMBLE/HOP/SESSION/CUMULATE in SQL). */
export interface GroupWindowDef {
  type: WindowSpec['type'];
  size?: LExpr;
  slide?: LExpr;
  gap?: LExpr;
  on: LExpr;
  alias: string;
  loc?: SourceLoc;
}
