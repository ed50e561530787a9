// The unfused interpreter of expressions: each Expr becomes a closure over a row. It is the reference the
// generated code is tested against, and the execution mode for `--unfused`.
import { isInteger, type DataType } from '../core/data-types.js';
import type { Expr } from '../core/expr.js';
import * as fn from '../core/functions.js';
import type { Row } from '../core/row.js';

export type Eval = (row: Row) => unknown;
export type UdfTable = Record<string, (...args: any[]) => unknown>;

export function interpret(e: Expr, udfs: UdfTable, now: () => number = Date.now): Eval {
  switch (e.kind) {
    case 'field': { const name = e.name; return (r) => { const v = r[name]; return v === undefined ? null : v; }; }
    case 'literal': { const v = e.value; return () => v; }
    case 'udf': {
      const f = udfs[e.name];
      if (!f) throw new Error(`UDF '${e.name}' is not in this bundle`);
      const args = e.args.map((a) => interpret(a, udfs, now));
      return (r) => { const v = f(...args.map((a) => a(r))); return v === undefined ? null : v; };
    }
    case 'call': return interpretCall(e, e.args.map((a) => interpret(a, udfs, now)), now);
  }
}

function strict(args: Eval[], body: (...vs: any[]) => unknown): Eval {
  if (args.length === 1) { const [a] = args; return (r) => { const x = a(r); return x === null ? null : body(x); }; }
  if (args.length === 2) { const [a, b] = args; return (r) => { const x = a(r); if (x === null) return null; const y = b(r); return y === null ? null : body(x, y); }; }
  return (r) => { const vs = args.map((a) => a(r)); return vs.includes(null) ? null : body(...vs); };
}

function interpretCall(e: Extract<Expr, { kind: 'call' }>, args: Eval[], now: () => number): Eval {
  const t = e.type;
  const argType = (i: number): DataType => e.args[i].type;
  const intResult = isInteger(t);
  switch (e.fn) {
    case 'plus':
      if (argType(1).name === 'INTERVAL') return strict(args, (a, b) => a + b);
      return strict(args, (a, b) => a + b);
    case 'minus': return strict(args, (a, b) => a - b);
    case 'times': return strict(args, (a, b) => a * b);
    case 'divide': return strict(args, (a, b) => fn.divide(a, b, intResult));
    case 'mod': return strict(args, (a, b) => fn.modulo(a, b));
    case 'negate': return strict(args, (a) => -a);
    case 'abs': return strict(args, (a) => Math.abs(a));
    case 'power': return strict(args, (a, b) => Math.pow(a, b));
    case 'sqrt': return strict(args, (a) => Math.sqrt(a));
    case 'round': return args.length > 1 ? strict(args, (a, s) => fn.roundHalfUp(a, s)) : strict(args, (a) => fn.roundHalfUp(a, 0));
    case 'eq': return strict(args, (a, b) => fn.compare(a, b) === 0);
    case 'ne': return strict(args, (a, b) => fn.compare(a, b) !== 0);
    case 'gt': return strict(args, (a, b) => fn.compare(a, b) > 0);
    case 'ge': return strict(args, (a, b) => fn.compare(a, b) >= 0);
    case 'lt': return strict(args, (a, b) => fn.compare(a, b) < 0);
    case 'le': return strict(args, (a, b) => fn.compare(a, b) <= 0);
    case 'between': return strict(args, (v, lo, hi) => fn.compare(v, lo) >= 0 && fn.compare(v, hi) <= 0);
    case 'notBetween': return strict(args, (v, lo, hi) => !(fn.compare(v, lo) >= 0 && fn.compare(v, hi) <= 0));
    case 'in': case 'notIn': {
      const [v, ...opts] = args;
      const negate = e.fn === 'notIn';
      return (r) => {
        const x = v(r);
        if (x === null) return null;
        let sawNull = false;
        for (const o of opts) {
          const y = o(r);
          if (y === null) sawNull = true;
          else if (fn.compare(x, y) === 0) return !negate;
        }
        return sawNull ? null : negate;
      };
    }
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
    case 'not': return strict(args, (a) => !a);
    case 'isNull': { const [a] = args; return (r) => a(r) === null; }
    case 'isNotNull': { const [a] = args; return (r) => a(r) !== null; }
    case 'isTrue': { const [a] = args; return (r) => a(r) === true; }
    case 'isFalse': { const [a] = args; return (r) => a(r) === false; }
    case 'like': return strict(args, (s, p, esc) => fn.like(s, p, esc));
    case 'notLike': return strict(args, (s, p, esc) => !fn.like(s, p, esc));
    case 'upper': return strict(args, (s) => s.toUpperCase());
    case 'lower': return strict(args, (s) => s.toLowerCase());
    case 'trim': return strict(args, (s) => s.trim());
    case 'ltrim': return strict(args, (s) => s.trimStart());
    case 'rtrim': return strict(args, (s) => s.trimEnd());
    case 'replace': return strict(args, (s, a, b) => s.split(a).join(b));
    case 'position': return strict(args, (needle, s) => s.indexOf(needle) + 1);
    case 'charLength': return strict(args, (s) => s.length);
    case 'substring': return strict(args, (s, start, len) => fn.substring(s, start, len));
    case 'concat': return strict(args, (...vs) => vs.map(String).join(''));
    case 'floor':
      if (args.length === 2) return strict(args, (v, unit) => fn.floorTime(v, unit));
      return strict(args, (v) => Math.floor(v));
    case 'ceil':
      if (args.length === 2) return strict(args, (v, unit) => fn.ceilTime(v, unit));
      return strict(args, (v) => Math.ceil(v));
    case 'cast': { const [a] = args; return (r) => fn.cast(a(r), t); }
    case 'case': {
      // (cond, value)* else
      return (r) => {
        for (let i = 0; i + 1 < args.length; i += 2) if (args[i](r) === true) return args[i + 1](r);
        return args.length % 2 === 1 ? args[args.length - 1](r) : null;
      };
    }
    case 'coalesce': return (r) => { for (const a of args) { const v = a(r); if (v !== null) return v; } return null; };
    case 'dateFormat': return strict(args, (v, p) => fn.dateFormat(typeof v === 'string' ? fn.cast(v, t) as number : v, p));
    case 'timestampDiff': return strict(args, (unit, a, b) => fn.timestampDiff(unit, a, b));
    case 'extract': return strict(args, (unit, v) => fn.extract(unit, v));
    case 'currentTimestamp': return () => now();
    case 'toTimestamp': return strict(args, (s) => fn.cast(s, t));
    case 'timestampAdd': return strict(args, (unit, n, ts) => ts + n * ({ SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as Record<string, number>)[unit]);
  }
}
