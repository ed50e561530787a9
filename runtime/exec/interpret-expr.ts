// The unfused interpreter of expressions: each Expr becomes a closure over a row. It is the reference the
// generated code is tested against, and the execution mode for `--unfused`. Builtins run their entry's
// implementation from the function table (core/builtins.ts), as generated code does.
import { builtin, constsOf, type Impl, type SpecialForm } from '../core/builtins.js';
import { typeToString } from '../core/data-types.js';
import { decimalLiteral } from '../core/decimal.js';
import type { Expr } from '../core/expr.js';
import { udfReturnedNull, type UdfFunctions } from '../core/udf.js';
import type { WatermarkCell } from '../core/kernels.js';
import type { Row } from '../core/row.js';

export type Eval = (row: Row) => unknown;
export type UdfTable = UdfFunctions;

/** What the time functions read: the clock, and for CURRENT_WATERMARK the stage's watermark cell (absent: none there). */
export interface EvalTime {
  now: () => number;
  watermark?: WatermarkCell;
}

export function interpret(e: Expr, udfs: UdfTable, time: EvalTime = { now: Date.now }): Eval {
  switch (e.kind) {
    case 'field': { const name = e.name; return (r) => { const v = r[name]; return v === undefined ? null : v; }; }
    case 'literal': {
      const v = e.type.name === 'DECIMAL' && e.value !== null ? decimalLiteral(e.value as string, e.type.precision ?? 10, e.type.scale ?? 0) : e.value;
      return () => v;
    }
    case 'udf': {
      const f = udfs[e.name];
      if (!f) throw new Error(`UDF '${e.name}' is not in this bundle`);
      const args = e.args.map((a) => interpret(a, udfs, time));
      const call = udfCall(f, args);
      if (e.type.nullable) return (r) => { const v = call(r); return v === undefined ? null : v; };
      const name = e.name;
      const type = typeToString(e.type);
      return (r) => {
        const v = call(r);
        return v === undefined || v === null ? udfReturnedNull(name, type, args.map((a) => a(r)), v) : v;
      };
    }
    case 'call': return interpretCall(e, e.args.map((a) => interpret(a, udfs, time)), time);
  }
}

/**
 * A UDF called with its arguments' values. One and two arguments (most UDFs) call it directly: an array and a
 * spread per row made `--unfused` payments 20% slower than the generated code's direct call.
 */
function udfCall(f: (...args: any[]) => unknown, args: Eval[]): Eval {
  if (args.length === 1) { const [a] = args; return (r) => f(a(r)); }
  if (args.length === 2) { const [a, b] = args; return (r) => f(a(r), b(r)); }
  return (r) => f(...args.map((a) => a(r)));
}

/**
 * The implementation with the call's constants bound after the argument values. The common shapes (one or
 * two arguments, one or two constants, e.g. integer division's flag) get a closure of fixed arity: a rest and
 * spread per call allocates, and made `--unfused` q1 twice as slow.
 */
function bound(body: Impl, consts: unknown[], arity: number): Impl {
  if (consts.length === 0) return body;
  if (consts.length === 1) {
    const [c] = consts;
    if (arity === 1) return (x) => body(x, c);
    if (arity === 2) return (x, y) => body(x, y, c);
  }
  if (consts.length === 2) {
    const [c, d] = consts;
    if (arity === 1) return (x) => body(x, c, d);
    if (arity === 2) return (x, y) => body(x, y, c, d);
  }
  return (...vs) => body(...vs, ...consts);
}

function strict(args: Eval[], body: Impl): Eval {
  if (args.length === 1) { const [a] = args; return (r) => { const x = a(r); return x === null ? null : body(x); }; }
  if (args.length === 2) { const [a, b] = args; return (r) => { const x = a(r); if (x === null) return null; const y = b(r); return y === null ? null : body(x, y); }; }
  return (r) => { const vs = args.map((a) => a(r)); return vs.includes(null) ? null : body(...vs); };
}

function interpretCall(e: Extract<Expr, { kind: 'call' }>, args: Eval[], time: EvalTime): Eval {
  const ev = builtin(e.fn).eval;
  switch (ev.kind) {
    case 'strict': return strict(args, ev.direct?.(e) ?? bound(ev.impl, constsOf(e.fn, e), args.length));
    case 'nullable': {
      const body = bound(ev.impl, constsOf(e.fn, e), args.length);
      if (args.length === 1) { const [a] = args; return (r) => body(a(r)); }
      if (args.length === 2) { const [a, b] = args; return (r) => body(a(r), b(r)); }
      return (r) => body(...args.map((a) => a(r)));
    }
    case 'special': return special(ev.form, args, time);
    default: { const never: never = ev; throw new Error(`no evaluation for ${JSON.stringify(never)}`); }
  }
}

function special(form: SpecialForm, args: Eval[], time: EvalTime): Eval {
  const { now } = time;
  switch (form) {
    case 'and': {
      const [a, b] = args;
      return (r) => {
        const x = a(r);
        if (x === false) return false;
        const y = b(r);
        if (y === false) return false;
        return x === null || y === null ? null : true;
      };
    }
    case 'or': {
      const [a, b] = args;
      return (r) => {
        const x = a(r);
        if (x === true) return true;
        const y = b(r);
        if (y === true) return true;
        return x === null || y === null ? null : false;
      };
    }
    // (cond, value)* else: only the branch taken is evaluated.
    case 'case': return (r) => {
      for (let i = 0; i + 1 < args.length; i += 2) if (args[i](r) === true) return args[i + 1](r);
      return args.length % 2 === 1 ? args[args.length - 1](r) : null;
    };
    case 'now': return () => now();
    case 'today': return () => Math.floor(now() / 86_400_000) * 86_400_000;
    case 'timeOfDay': return () => Math.floor((now() % 86_400_000) / 1000) * 1000;
    case 'watermark': {
      const cell = time.watermark;
      if (!cell) throw new Error('CURRENT_WATERMARK is only supported in the select list and WHERE of a query (not in computed columns or join conditions)');
      return () => cell.wm;
    }
    default: { const never: never = form; throw new Error(`no evaluation for ${never}`); }
  }
}
