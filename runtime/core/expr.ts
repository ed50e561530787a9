// Resolved, typed scalar expressions: the form the IR keeps after resolution, that codegen compiles
// and the unfused interpreter evaluates. Builtin semantics live once, in the function table (runtime/core/builtins.ts).
import type { BuiltinName } from './builtins.js';
import type { DataType } from './data-types.js';

export type { BuiltinName };

export type Expr =
  | { readonly kind: 'field'; readonly name: string; readonly type: DataType }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly type: DataType }
  | { readonly kind: 'call'; readonly fn: BuiltinName; readonly args: readonly Expr[]; readonly type: DataType }
  | { readonly kind: 'udf'; readonly name: string; readonly args: readonly Expr[]; readonly type: DataType };

export const field = (name: string, type: DataType): Expr => ({ kind: 'field', name, type });
export const literal = (value: string | number | boolean | null, type: DataType): Expr => ({ kind: 'literal', value, type });

/** Names of the input fields an expression reads. */
/** Whether the expression calls the built-in `fn` (an entry name of core/builtins.ts). */
export function calls(e: Expr, fn: string): boolean {
  return (e.kind === 'call' && e.fn === fn) || ((e.kind === 'call' || e.kind === 'udf') && e.args.some((a) => calls(a, fn)));
}

export function fieldsRead(e: Expr, into: Set<string> = new Set()): Set<string> {
  if (e.kind === 'field') into.add(e.name);
  else if (e.kind === 'call' || e.kind === 'udf') for (const a of e.args) fieldsRead(a, into);
  return into;
}
