// The one table of built-in scalar functions. Per function: its names in SQL and in the Table API, the rule
// that types a call (and rejects bad arguments), how it treats NULL, the implementation that both the
// generated code (as `fn.impl.<name>`, or an inlined JS form where it is an operator) and the interpreter
// run, and its text in explain. The compiler imports this table; nothing here imports the compiler.
// Adding a function is one entry here plus tests (and an Expression method if it has a Table API method).
import {
  DataTypes, isInteger, isNumeric, isString, isTemporal, isTimestamp, plainType, typeToString, withType, type DataType,
} from './data-types.js';
import type { Expr } from './expr.js';
import * as f from './scalar-functions.js';
import { addMonths, addUnits, ceilTime, floorTime, timestampDiff } from './time-units.js';
import { TIME_UNITS, isTimeUnit } from './time-units.js';

/** What a rule or an implementation knows about one call. */
export interface CallInfo {
  /** The call's result type (the target type of a CAST). */
  readonly type: DataType;
  readonly args: readonly Expr[];
}

/** Non-null argument values (then the extra constants), to the result. */
export type Impl = (...args: any[]) => unknown;

export type Evaluation =
  /** NULL when any argument is NULL, else impl(...args, ...consts(call)). */
  | { readonly kind: 'strict'; readonly impl: Impl; readonly inline?: Inline; readonly consts?: (c: CallInfo) => unknown[] }
  /** Gets NULL arguments too and decides itself (IS NULL, COALESCE, IN's three-valued result, CAST). */
  | { readonly kind: 'nullable'; readonly impl: Impl; readonly inline?: Inline; readonly consts?: (c: CallInfo) => unknown[] }
  /** Evaluates its arguments lazily or reads the clock: codegen and the interpreter each have a form for it. */
  | { readonly kind: 'special'; readonly form: SpecialForm };

export type SpecialForm = 'case' | 'and' | 'or' | 'now';

/**
 * JS text equal to the implementation for generated code (`fn` is runtime/core/functions.ts), from the
 * argument variables; undefined falls back to calling the implementation.
 */
export type Inline = (v: readonly string[], c: CallInfo) => string | undefined;

export interface BuiltinDef {
  /** SQL names (upper case). Operators have none: the SQL parser names them by their entry. */
  readonly sql: readonly string[];
  /** Table API names: Expression methods and call('...') names. */
  readonly api: readonly string[];
  /** The result type; throws a FunctionTypeError for arguments it does not take. */
  readonly type: (t: TypeCheck) => DataType;
  readonly eval: Evaluation;
  /** The call in explain, from its arguments' texts; by default NAME(a, b). */
  readonly text?: (args: readonly string[], c: CallInfo) => string;
}

/** A call with arguments the function does not take; the compiler reports it at the call's location. */
export class FunctionTypeError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

const BOOL = DataTypes.BOOLEAN().notNull!();

/** The arguments of a call under type checking, with the helpers type rules share. */
export class TypeCheck {
  /** Whether any argument may be NULL. */
  readonly nullable: boolean;

  constructor(readonly written: string, readonly args: readonly Expr[]) {
    this.nullable = args.some((a) => a.type.nullable);
  }

  fail(message: string, hint?: string): never {
    throw new FunctionTypeError(message, hint);
  }

  t(i: number): DataType {
    return this.args[i]?.type ?? this.fail(`${this.written} needs at least ${i + 1} argument(s)`);
  }

  need(i: number, ok: (d: DataType) => boolean, what: string): void {
    const t = this.t(i);
    if (t.name !== 'NULL' && !ok(t)) this.fail(`${this.written}: argument ${i + 1} has type ${typeToString(t)}, expected ${what}`);
  }

  /** The type, nullable when any argument is (or when `nullable` says so), never a time attribute. */
  result(t: DataType, nullable = this.nullable): DataType {
    return withType(t, { nullable, timeAttribute: undefined });
  }

  /** A literal argument's value (time units, patterns), or undefined. */
  literal(i: number): unknown {
    const a = this.args[i];
    return a?.kind === 'literal' ? a.value : undefined;
  }
}

const isBoolean = (d: DataType) => d.name === 'BOOLEAN';

export function numericResult(a: DataType, b: DataType): DataType {
  const rank = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'];
  return rank.indexOf(a.name) >= rank.indexOf(b.name) ? a : b;
}

export function comparable(a: DataType, b: DataType): boolean {
  if (a.name === 'NULL' || b.name === 'NULL') return true;
  if (isNumeric(a)) return isNumeric(b);
  if (isString(a)) return isString(b) || isTemporal(b);
  if (isTemporal(a)) return isTemporal(b) || isString(b);
  return a.name === b.name;
}

/** Whether a string meets a timestamp (compared by parsing the string). */
const mixed = (a: DataType, b: DataType) => (isString(a) && isTemporal(b)) || (isTemporal(a) && isString(b));

/** A comparison: plain JS operators where both sides are of one kind, fn.compare where a string meets a timestamp. */
function comparison(op: '===' | '!==' | '>' | '>=' | '<' | '<=', holds: (c: number) => boolean, infix: string, api: string): BuiltinDef {
  return {
    sql: [], api: [api],
    type: (t) => {
      if (!comparable(t.t(0), t.t(1))) t.fail(`cannot compare ${typeToString(t.t(0))} with ${typeToString(t.t(1))}`);
      return t.result(BOOL);
    },
    eval: {
      kind: 'strict', impl: (a, b) => holds(f.compare(a, b)),
      inline: (v, c) => (mixed(c.args[0].type, c.args[1].type) ? `fn.compare(${v[0]}, ${v[1]}) ${op === '===' ? '===' : op === '!==' ? '!==' : op} 0` : `${v[0]} ${op} ${v[1]}`),
    },
    text: (a) => `(${a[0]} ${infix} ${a[1]})`,
  };
}

const infix = (op: string) => (a: readonly string[]) => `(${a[0]} ${op} ${a[1]})`;

function arithmetic(jsOp: '+' | '-' | '*', sqlOp: string, api: string): BuiltinDef {
  return {
    sql: [], api: [api],
    type: (t) => {
      t.need(0, isNumeric, 'a number'); t.need(1, isNumeric, 'a number');
      return t.result(numericResult(t.t(0), t.t(1)), jsOp === '*' ? true : t.nullable);
    },
    eval: { kind: 'strict', impl: jsOp === '+' ? (a, b) => a + b : jsOp === '-' ? (a, b) => a - b : (a, b) => a * b, inline: (v) => `${v[0]} ${jsOp} ${v[1]}` },
    text: infix(sqlOp),
  };
}

/** `ts ± interval`: day-time intervals add milliseconds, year-month intervals calendar months. */
function timeArithmetic(sign: 1 | -1, sqlOp: string, api: string): BuiltinDef {
  const base = arithmetic(sign === 1 ? '+' : '-', sqlOp, api);
  const months = (c: CallInfo) => c.args[1]?.type.name === 'INTERVAL' && c.args[1].type.precision === MONTHS;
  return {
    ...base,
    type: (t) => {
      if (isTemporal(t.t(0)) && t.t(1).name === 'INTERVAL') return t.result(t.t(0));
      if (isTimestamp(t.t(0)) && isTimestamp(t.t(1)) && sign === -1) t.fail('subtracting timestamps: use TIMESTAMPDIFF(unit, a, b)');
      return base.type(t);
    },
    eval: {
      kind: 'strict',
      impl: sign === 1 ? (a, b, m) => (m ? addMonths(a, b) : a + b) : (a, b, m) => (m ? addMonths(a, -b) : a - b),
      consts: (c) => [months(c)],
      inline: (v, c) => (months(c) ? `fn.addMonths(${v[0]}, ${sign === 1 ? '' : '-'}${v[1]})` : `${v[0]} ${sign === 1 ? '+' : '-'} ${v[1]}`),
    },
  };
}

/** The `precision` of an INTERVAL type that counts months (INTERVAL '1' MONTH) rather than milliseconds. */
export const MONTHS = 1;

const stringFn = (sql: string[], api: string[], impl: (s: string) => string, js: (s: string) => string): BuiltinDef => ({
  sql, api,
  type: (t) => { t.need(0, isString, 'a string'); return t.result(DataTypes.STRING()); },
  eval: { kind: 'strict', impl, inline: (v) => js(v[0]) },
});

const timeUnitList = Object.keys(TIME_UNITS).join(', ');
const unitArg = (t: TypeCheck, i: number, allowed: (u: string) => boolean = isTimeUnit) => {
  const unit = String(t.literal(i) ?? '');
  if (!allowed(unit)) t.fail(`${t.written}: unknown time unit '${unit}'`, `one of ${Object.keys(TIME_UNITS).filter(allowed).join(', ')}`);
};

/** The built-in scalar functions, by the name typed calls carry (Expr.fn). */
export const BUILTINS = {
  plus: timeArithmetic(1, '+', 'plus'),
  minus: timeArithmetic(-1, '-', 'minus'),
  times: arithmetic('*', '*', 'times'),
  divide: {
    sql: [], api: ['dividedBy'],
    type: (t) => { t.need(0, isNumeric, 'a number'); t.need(1, isNumeric, 'a number'); return t.result(numericResult(t.t(0), t.t(1)), true); },
    eval: {
      kind: 'strict', impl: f.divide, consts: (c) => [isInteger(c.type)],
      inline: (v, c) => (isInteger(c.type) ? `(${v[1]} === 0 ? null : Math.trunc(${v[0]} / ${v[1]}))` : `${v[0]} / ${v[1]}`),
    },
    text: infix('/'),
  },
  mod: {
    sql: ['MOD'], api: ['mod'],
    type: (t) => { t.need(0, isNumeric, 'a number'); t.need(1, isNumeric, 'a number'); return t.result(numericResult(t.t(0), t.t(1)), true); },
    eval: { kind: 'strict', impl: f.modulo, inline: (v) => `(${v[1]} === 0 ? null : ${v[0]} % ${v[1]})` },
    text: infix('%'),
  },
  negate: {
    sql: [], api: [],
    type: (t) => { t.need(0, isNumeric, 'a number'); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: (a) => -a, inline: (v) => `-${v[0]}` },
    text: (a) => `-${a[0]}`,
  },
  abs: {
    sql: ['ABS'], api: ['abs'],
    type: (t) => { t.need(0, isNumeric, 'a number'); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: Math.abs, inline: (v) => `Math.abs(${v[0]})` },
  },
  power: {
    sql: ['POWER'], api: ['power'],
    type: (t) => t.result(DataTypes.DOUBLE()),
    eval: { kind: 'strict', impl: Math.pow, inline: (v) => `Math.pow(${v[0]}, ${v[1]})` },
  },
  sqrt: {
    sql: ['SQRT'], api: ['sqrt'],
    type: (t) => t.result(DataTypes.DOUBLE()),
    eval: { kind: 'strict', impl: Math.sqrt, inline: (v) => `Math.sqrt(${v[0]})` },
  },
  round: {
    sql: ['ROUND'], api: ['round'],
    type: (t) => { t.need(0, isNumeric, 'a number'); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: (a, s) => f.roundHalfUp(a, s ?? 0) },
  },
  eq: comparison('===', (c) => c === 0, '=', 'isEqual'),
  ne: comparison('!==', (c) => c !== 0, '<>', 'isNotEqual'),
  gt: comparison('>', (c) => c > 0, '>', 'isGreater'),
  ge: comparison('>=', (c) => c >= 0, '>=', 'isGreaterOrEqual'),
  lt: comparison('<', (c) => c < 0, '<', 'isLess'),
  le: comparison('<=', (c) => c <= 0, '<=', 'isLessOrEqual'),
  between: between(false),
  notBetween: between(true),
  in: inList(false),
  notIn: inList(true),
  and: {
    sql: [], api: ['and'],
    type: (t) => { t.need(0, isBoolean, 'BOOLEAN'); t.need(1, isBoolean, 'BOOLEAN'); return t.result(BOOL); },
    eval: { kind: 'special', form: 'and' },
    text: infix('AND'),
  },
  or: {
    sql: [], api: ['or'],
    type: (t) => { t.need(0, isBoolean, 'BOOLEAN'); t.need(1, isBoolean, 'BOOLEAN'); return t.result(BOOL); },
    eval: { kind: 'special', form: 'or' },
    text: infix('OR'),
  },
  not: {
    sql: [], api: ['not'],
    type: (t) => { t.need(0, isBoolean, 'BOOLEAN'); return t.result(BOOL); },
    eval: { kind: 'strict', impl: (a) => !a, inline: (v) => `!${v[0]}` },
    text: (a) => `NOT(${a[0]})`,
  },
  isNull: test('isNull', (a) => a === null, (v) => `${v} === null`, 'IS NULL'),
  isNotNull: test('isNotNull', (a) => a !== null, (v) => `${v} !== null`, 'IS NOT NULL'),
  isTrue: test('isTrue', (a) => a === true, (v) => `${v} === true`, 'IS TRUE'),
  isFalse: test('isFalse', (a) => a === false, (v) => `${v} === false`, 'IS FALSE'),
  like: like(false),
  notLike: like(true),
  upper: stringFn(['UPPER', 'UPPER_CASE'], ['upperCase'], (s) => s.toUpperCase(), (s) => `${s}.toUpperCase()`),
  lower: stringFn(['LOWER', 'LOWER_CASE'], ['lowerCase'], (s) => s.toLowerCase(), (s) => `${s}.toLowerCase()`),
  trim: stringFn(['TRIM'], ['trim'], (s) => s.trim(), (s) => `${s}.trim()`),
  ltrim: stringFn(['LTRIM'], [], (s) => s.trimStart(), (s) => `${s}.trimStart()`),
  rtrim: stringFn(['RTRIM'], [], (s) => s.trimEnd(), (s) => `${s}.trimEnd()`),
  replace: {
    sql: ['REPLACE'], api: ['replace'],
    type: (t) => t.result(DataTypes.STRING()),
    eval: { kind: 'strict', impl: (s, a, b) => s.split(a).join(b), inline: (v) => `${v[0]}.split(${v[1]}).join(${v[2]})` },
  },
  position: {
    sql: ['POSITION'], api: [],
    type: (t) => t.result(DataTypes.INT()),
    eval: { kind: 'strict', impl: (needle, s) => s.indexOf(needle) + 1, inline: (v) => `(${v[1]}.indexOf(${v[0]}) + 1)` },
    text: (a) => `POSITION(${a[0]} IN ${a[1]})`,
  },
  charLength: {
    sql: ['CHAR_LENGTH', 'CHARACTER_LENGTH'], api: ['charLength'],
    type: (t) => t.result(DataTypes.INT()),
    eval: { kind: 'strict', impl: (s) => s.length, inline: (v) => `${v[0]}.length` },
  },
  substring: {
    sql: ['SUBSTRING', 'SUBSTR'], api: ['substring'],
    type: (t) => { t.need(0, isString, 'a string'); t.need(1, isInteger, 'an integer'); return t.result(DataTypes.STRING()); },
    eval: { kind: 'strict', impl: f.substring },
  },
  concat: {
    sql: ['CONCAT'], api: ['concat'],
    type: (t) => t.result(DataTypes.STRING()),
    eval: { kind: 'strict', impl: (...vs) => vs.map(String).join(''), inline: (v) => v.map((x) => `String(${x})`).join(' + ') },
    text: (a) => `(${a.join(' || ')})`,
  },
  floor: floorCeil('floor'),
  ceil: floorCeil('ceil'),
  cast: {
    sql: [], api: [],
    type: (t) => t.fail('CAST is written CAST(x AS type)'),
    eval: {
      kind: 'nullable', impl: f.cast, consts: (c) => [plainType(c.type)],
      // Integers of any width share one representation; other casts convert.
      inline: (v, c) => ((c.args[0].type.name === c.type.name && c.type.name !== 'DECIMAL') || (isInteger(c.type) && isInteger(c.args[0].type)) ? v[0] : undefined),
    },
    text: (a, c) => `CAST(${a[0]} AS ${typeToString(c.type)})`,
  },
  case: {
    sql: ['IF'], api: ['ifThenElse'],
    type: (t) => {
      // (cond, value)* else: the result type is the first non-NULL branch type, widened over numeric branches.
      const values = t.args.filter((_, i) => i % 2 === 1 || i === t.args.length - 1);
      for (let i = 0; i + 1 < t.args.length; i += 2) t.need(i, isBoolean, 'BOOLEAN');
      const first = values.find((v) => v.type.name !== 'NULL')?.type ?? DataTypes.NULL();
      return t.result(values.reduce((acc, v) => (isNumeric(acc) && isNumeric(v.type) ? numericResult(acc, v.type) : acc), first), true);
    },
    eval: { kind: 'special', form: 'case' },
    text: (a) => {
      let s = 'CASE';
      for (let i = 0; i + 1 < a.length; i += 2) s += ` WHEN ${a[i]} THEN ${a[i + 1]}`;
      return `${s}${a.length % 2 === 1 ? ` ELSE ${a[a.length - 1]}` : ''} END`;
    },
  },
  coalesce: {
    sql: ['COALESCE'], api: [],
    type: (t) => t.result(t.args.find((a) => a.type.name !== 'NULL')?.type ?? DataTypes.NULL(), t.args.every((a) => a.type.nullable)),
    eval: {
      kind: 'nullable', impl: (...vs) => { for (const v of vs) if (v !== null) return v; return null; },
      inline: (v) => v.map((x) => `${x} !== null ? ${x} : `).join('') + 'null',
    },
  },
  dateFormat: {
    sql: ['DATE_FORMAT'], api: ['dateFormat'],
    type: (t) => { t.need(0, (d) => isTemporal(d) || isString(d), 'a TIMESTAMP'); return t.result(DataTypes.STRING()); },
    eval: { kind: 'strict', impl: (v, p, parse) => f.dateFormat(parse ? f.cast(v, DataTypes.TIMESTAMP(3)) as number : v, p), consts: (c) => [isString(c.args[0].type)] },
  },
  timestampDiff: {
    sql: ['TIMESTAMPDIFF'], api: [],
    type: (t) => { unitArg(t, 0); t.need(1, isTemporal, 'a TIMESTAMP'); t.need(2, isTemporal, 'a TIMESTAMP'); return t.result(DataTypes.INT()); },
    eval: { kind: 'strict', impl: timestampDiff },
  },
  timestampAdd: {
    sql: ['TIMESTAMPADD'], api: [],
    type: (t) => { unitArg(t, 0); t.need(1, isInteger, 'an integer'); t.need(2, isTemporal, 'a TIMESTAMP or DATE'); return t.result(t.t(2)); },
    eval: { kind: 'strict', impl: (unit, n, ts) => addUnits(ts, unit, n) },
  },
  extract: {
    sql: ['EXTRACT'], api: [],
    type: (t) => t.result(DataTypes.BIGINT()),
    eval: { kind: 'strict', impl: f.extract },
    text: (a) => `EXTRACT(${a[0].replace(/'/g, '')} FROM ${a[1]})`,
  },
  currentTimestamp: {
    sql: ['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIMESTAMP'], api: ['currentTimestamp'],
    type: () => DataTypes.TIMESTAMP_LTZ(3).notNull!(),
    eval: { kind: 'special', form: 'now' },
  },
  toTimestamp: {
    sql: ['TO_TIMESTAMP'], api: [],
    type: (t) => t.result(DataTypes.TIMESTAMP(3), true),
    eval: { kind: 'strict', impl: f.cast, consts: (c) => [plainType(c.type)] },
  },
} satisfies Record<string, BuiltinDef>;

export type BuiltinName = keyof typeof BUILTINS;

function between(not: boolean): BuiltinDef {
  const cmp = (v: readonly string[], c: CallInfo, i: number, op: string) =>
    (mixed(c.args[0].type, c.args[i].type) ? `fn.compare(${v[0]}, ${v[i]}) ${op} 0` : `${v[0]} ${op} ${v[i]}`);
  return {
    sql: [], api: not ? [] : ['between'],
    type: (t) => {
      if (!comparable(t.t(0), t.t(1)) || !comparable(t.t(0), t.t(2))) t.fail(`cannot compare ${typeToString(t.t(0))} with the bounds of BETWEEN`);
      return t.result(BOOL);
    },
    eval: {
      kind: 'strict', impl: (v, lo, hi) => (f.compare(v, lo) >= 0 && f.compare(v, hi) <= 0) !== not,
      inline: (v, c) => `${not ? '!' : ''}(${cmp(v, c, 1, '>=')} && ${cmp(v, c, 2, '<=')})`,
    },
    text: (a) => `(${a[0]} ${not ? 'NOT ' : ''}BETWEEN ${a[1]} AND ${a[2]})`,
  };
}

/** x IN (a, b, ...): TRUE on a match, else NULL when x or an option is NULL, else FALSE (NOT IN the negation). */
function inList(not: boolean): BuiltinDef {
  return {
    sql: [], api: not ? [] : ['in'],
    type: (t) => {
      t.args.slice(1).forEach((a) => { if (!comparable(t.t(0), a.type)) t.fail(`IN: cannot compare ${typeToString(t.t(0))} with ${typeToString(a.type)}`); });
      return t.result(BOOL);
    },
    eval: {
      kind: 'nullable',
      impl: (x, ...opts) => {
        if (x === null) return null;
        let sawNull = false;
        for (const y of opts) {
          if (y === null) sawNull = true;
          else if (f.compare(x, y) === 0) return !not;
        }
        return sawNull ? null : not;
      },
      inline: (v, c) => {
        const [a, ...opts] = v;
        const hit = opts.map((o, i) => (mixed(c.args[0].type, c.args[i + 1].type) ? `fn.compare(${a}, ${o}) === 0` : `${a} === ${o}`)).join(' || ');
        const anyNull = c.args.slice(1).some((x) => x.type.nullable);
        const nullCheck = c.args[0].type.nullable ? `${a} === null ? null : ` : '';
        const miss = anyNull ? `(${opts.map((o) => `${o} === null`).join(' || ')}) ? null : ${not}` : String(not);
        return `${nullCheck}(${hit}) ? ${!not} : ${miss}`;
      },
    },
    text: (a) => `(${a[0]} ${not ? 'NOT ' : ''}IN (${a.slice(1).join(', ')}))`,
  };
}

/** IS [NOT] NULL / TRUE / FALSE: never NULL. */
function test(api: string, impl: Impl, js: (v: string) => string, sqlText: string): BuiltinDef {
  return {
    sql: [], api: [api],
    type: () => BOOL,
    eval: { kind: 'nullable', impl, inline: (v) => js(v[0]) },
    text: (a) => `(${a[0]} ${sqlText})`,
  };
}

function like(not: boolean): BuiltinDef {
  return {
    sql: [], api: not ? [] : ['like'],
    type: (t) => { t.need(0, isString, 'a string'); t.need(1, isString, 'a string'); return t.result(BOOL); },
    eval: { kind: 'strict', impl: not ? (s, p, e) => !f.like(s, p, e) : f.like, inline: (v) => `${not ? '!' : ''}fn.like(${v.join(', ')})` },
    text: (a) => `(${a[0]} ${not ? 'NOT ' : ''}LIKE ${a[1]}${a[2] ? ` ESCAPE ${a[2]}` : ''})`,
  };
}

/**
 * FLOOR/CEIL of a number, or of a time to a unit. To a fixed-length unit it is arithmetic:
 * Math.floor(v / ms) * ms equals v - ((v % ms) + ms) % ms for every integer |v| < 2^53 (the quotient cannot
 * round across an integer there) and costs one division instead of two calls to the C fmod that `%` on
 * doubles becomes. WEEK (weeks start on Monday) and calendar units go through the runtime.
 */
function floorCeil(kind: 'floor' | 'ceil'): BuiltinDef {
  const timeImpl = kind === 'floor' ? floorTime : ceilTime;
  const numImpl = kind === 'floor' ? Math.floor : Math.ceil;
  return {
    sql: kind === 'floor' ? ['FLOOR'] : ['CEIL', 'CEILING'], api: [kind],
    type: (t) => {
      if (t.args.length === 2) {
        t.need(0, isTemporal, 'a TIMESTAMP or DATE');
        unitArg(t, 1);
        return t.result(t.t(0));
      }
      t.need(0, isNumeric, 'a number');
      return t.result(t.t(0));
    },
    eval: {
      kind: 'strict',
      impl: (v, unit) => (unit === undefined ? numImpl(v) : timeImpl(v, unit)),
      inline: (v, c) => {
        if (c.args.length === 1) return `Math.${kind}(${v[0]})`;
        const unit = c.args[1].kind === 'literal' ? String(c.args[1].value) : '';
        const u = isTimeUnit(unit) ? TIME_UNITS[unit] : undefined;
        if (!u || u.kind !== 'fixed' || unit === 'WEEK') return `fn.${kind}Time(${v[0]}, ${JSON.stringify(unit)})`;
        const floor = `(Math.floor(${v[0]} / ${u.ms}) * ${u.ms})`;
        return kind === 'floor' ? floor : `(${floor} === ${v[0]} ? ${v[0]} : ${floor} + ${u.ms})`;
      },
    },
    text: (a) => (a.length === 2 ? `${kind.toUpperCase()}(${a[0]} TO ${a[1].replace(/'/g, '')})` : `${kind.toUpperCase()}(${a[0]})`),
  };
}

/** Entries by every name users write (SQL names, Table API names and the entry's own), lower case. */
const BY_NAME: ReadonlyMap<string, BuiltinName> = (() => {
  const m = new Map<string, BuiltinName>();
  for (const [name, def] of Object.entries(BUILTINS) as [BuiltinName, BuiltinDef][]) {
    for (const n of [name, ...def.sql, ...def.api]) m.set(n.toLowerCase(), name);
  }
  return m;
})();

/** The builtin a name denotes (case-insensitive), if any. */
export function builtinName(written: string): BuiltinName | undefined {
  return BY_NAME.get(written.toLowerCase());
}

/** Every name a builtin is known by, for "did you mean" hints. */
export const builtinNames = (): string[] => [...BY_NAME.keys()];

export const builtin = (name: BuiltinName): BuiltinDef => BUILTINS[name];

/** Types a call of `name` (written as `written`); throws FunctionTypeError for arguments it does not take. */
export function typeCall(name: BuiltinName, written: string, args: readonly Expr[]): DataType {
  return BUILTINS[name].type(new TypeCheck(written, args));
}

/** The constants an entry appends to the argument values of one call. */
export function constsOf(name: BuiltinName, c: CallInfo): unknown[] {
  const e = (BUILTINS[name] as BuiltinDef).eval;
  return e.kind !== 'special' && e.consts ? e.consts(c) : [];
}

/** The text of a call in explain. */
export function callText(name: BuiltinName, args: readonly string[], c: CallInfo): string {
  const def: BuiltinDef = BUILTINS[name];
  return def.text ? def.text(args, c) : `${def.sql[0] ?? name.toUpperCase()}(${args.join(', ')})`;
}

/** The implementations by entry, for generated code (`fn.impl.<name>`). */
export const impl: Readonly<Record<string, Impl>> = Object.fromEntries(
  (Object.entries(BUILTINS) as [BuiltinName, BuiltinDef][]).flatMap(([n, d]) => (d.eval.kind === 'special' ? [] : [[n, d.eval.impl]])),
);

export { timeUnitList };
