// Resolved, typed scalar expressions: the form the IR keeps after resolution, that codegen compiles
// and the unfused interpreter evaluates. Builtin semantics live once, in runtime/core/functions.ts.
import type { DataType } from './data-types.js';

export type Expr =
  | { readonly kind: 'field'; readonly name: string; readonly type: DataType }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly type: DataType }
  | { readonly kind: 'call'; readonly fn: BuiltinName; readonly args: readonly Expr[]; readonly type: DataType }
  | { readonly kind: 'udf'; readonly name: string; readonly args: readonly Expr[]; readonly type: DataType };

/**
 * Builtin scalar functions. Notes on arguments:
 * floor/ceil: (value, unit literal such as 'HOUR'); cast: target is the call's type; case: (c1, v1, c2, v2, ..., else);
 * in: (value, option...); like: (value, pattern[, escape]); substring: (s, start[, length]) 1-based;
 * dateFormat: (ts, pattern); timestampDiff: (unit, a, b); extract: (unit, ts); currentTimestamp: ().
 */
export type BuiltinName =
  | 'plus' | 'minus' | 'times' | 'divide' | 'mod' | 'negate' | 'abs' | 'power' | 'sqrt' | 'round'
  | 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'between' | 'notBetween' | 'in' | 'notIn'
  | 'and' | 'or' | 'not' | 'isNull' | 'isNotNull' | 'isTrue' | 'isFalse'
  | 'like' | 'notLike' | 'upper' | 'lower' | 'charLength' | 'substring' | 'concat' | 'trim' | 'ltrim' | 'rtrim'
  | 'replace' | 'position'
  | 'floor' | 'ceil' | 'cast' | 'case' | 'coalesce' | 'dateFormat' | 'timestampDiff' | 'extract'
  | 'currentTimestamp' | 'toTimestamp' | 'timestampAdd';

export const field = (name: string, type: DataType): Expr => ({ kind: 'field', name, type });
export const literal = (value: string | number | boolean | null, type: DataType): Expr => ({ kind: 'literal', value, type });

/** Names of the input fields an expression reads. */
export function fieldsRead(e: Expr, into: Set<string> = new Set()): Set<string> {
  if (e.kind === 'field') into.add(e.name);
  else if (e.kind === 'call' || e.kind === 'udf') for (const a of e.args) fieldsRead(a, into);
  return into;
}
