// The one table of built-in scalar functions. Per function: its names in SQL and in the Table API, the rule
// that types a call (and rejects bad arguments), how it treats NULL, the implementation that both the
// generated code (as `fn.impl.<name>`, or an inlined JS form where it is an operator) and the interpreter
// run, and its text in explain. The compiler imports this table; nothing here imports the compiler.
// Adding a function is one entry here or in its family's file (builtins-*.ts, spread into the table below)
// plus tests (and an Expression method if it has a Table API method). builtin-def.ts has the entries' shape.
import {
  BOOL, FunctionTypeError, TypeCheck, asDecimal, decimalRounded, isBoolean, numericResult,
  type BuiltinDef, type CallInfo, type Expr, type Impl,
} from './builtin-def.js';
import { floorDecimal, roundDecimal, signDecimal } from './decimal.js';
import { double, str } from './builtin-def.js';
import { COLLECTION_FUNCTIONS } from './builtins-collection.js';
import { CONDITIONAL_FUNCTIONS } from './builtins-conditional.js';
import { JSON_FUNCTIONS } from './builtins-json.js';
import { TEMPORAL_FUNCTIONS } from './builtins-temporal.js';
import { TEXT_FUNCTIONS } from './builtins-text.js';
import {
  DataTypes, isInteger, isNumeric, isString, isTemporal, isTimestamp, plainType, typeToString, withType, type DataType,
} from './data-types.js';
import * as f from './scalar-functions.js';
import { addMonths, addUnits, ceilTime, floorTime, timestampDiff } from './time-units.js';
import { TIME_UNITS, isTimeUnit } from './time-units.js';

export { FunctionTypeError, TypeCheck, BOOL };
export type { BuiltinDef, CallInfo, Evaluation, Impl, Inline, SpecialForm } from './builtin-def.js';

/** Bits of the integer types that wrap as Java's do (BIGINT is exact to 2^53 instead, docs/types.md). */
const WRAP_BITS: Readonly<Record<string, number>> = { TINYINT: 8, SMALLINT: 16, INT: 32 };

/** JS text wrapping an integer expression to the result type, as Java's int/short/byte arithmetic overflows. */
function wrapJs(js: string, t: DataType): string {
  const bits = WRAP_BITS[t.name];
  return bits === undefined ? js : bits === 32 ? `((${js}) | 0)` : `(((${js}) << ${32 - bits}) >> ${32 - bits})`;
}

function comparable(a: DataType, b: DataType): boolean {
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
    sql: [], api: [api], decimals: 'compare',
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

/** The constants of a DECIMAL operation (decimalOp): both arguments' scales, the result's precision and scale. */
const decimalConsts = (c: CallInfo) => [asDecimal(c.args[0].type).s, asDecimal(c.args[1].type).s, c.type.precision ?? 10, c.type.scale ?? 0];

function arithmetic(jsOp: '+' | '-' | '*', sqlOp: string, api: string): BuiltinDef {
  const apply: Impl = jsOp === '+' ? (a, b) => a + b : jsOp === '-' ? (a, b) => a - b : (a, b) => a * b;
  return {
    sql: [], api: [api], decimals: 'arithmetic',
    type: (t) => {
      t.need(0, isNumeric, 'a number'); t.need(1, isNumeric, 'a number');
      return t.result(numericResult(t.t(0), t.t(1), jsOp === '*' ? '*' : '+'));
    },
    eval: {
      // No constant for the types that need no wrapping (BIGINT, floats): the interpreter then calls `apply`
      // with no wrapper closure around it. DECIMAL: exact, by decimalOp (NULL on overflow, as Flink).
      kind: 'strict',
      impl: (a, b, bits, sa, sb, p, s) => (sa !== undefined ? f.decimalOp(jsOp, a, b, sa, sb, p, s) : bits ? f.wrapInteger(apply(a, b) as number, bits) : apply(a, b)),
      consts: (c) => (c.type.name === 'DECIMAL' ? [0, ...decimalConsts(c)] : c.type.name in WRAP_BITS ? [WRAP_BITS[c.type.name]] : []),
      direct: (c) => {
        if (c.type.name === 'DECIMAL') return undefined;
        const bits = WRAP_BITS[c.type.name];
        return bits === undefined ? apply : (a, b) => f.wrapInteger(apply(a, b) as number, bits);
      },
      // Java's int multiplication is Math.imul; the others wrap the exact sum.
      inline: (v, c) => (c.type.name === 'DECIMAL' ? `fn.decimalOp(${JSON.stringify(jsOp)}, ${v[0]}, ${v[1]}, ${decimalConsts(c).join(', ')})`
        : jsOp === '*' && c.type.name === 'INT' ? `Math.imul(${v[0]}, ${v[1]})` : wrapJs(`${v[0]} ${jsOp} ${v[1]}`, c.type)),
    },
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
      impl: (a, b, m, bits, sa, sb, p, s) => (m ? addMonths(a, sign * b) : sa !== undefined ? f.decimalOp(sign === 1 ? '+' : '-', a, b, sa, sb, p, s) : f.wrapInteger(a + sign * b, bits)),
      consts: (c) => [months(c), WRAP_BITS[c.type.name] ?? 0, ...(c.type.name === 'DECIMAL' ? decimalConsts(c) : [])],
      direct: (c) => (months(c) ? (a, b) => addMonths(a, sign * b) : base.eval.kind === 'strict' ? base.eval.direct!(c) : undefined),
      inline: (v, c) => (months(c) ? `fn.addMonths(${v[0]}, ${sign === 1 ? '' : '-'}${v[1]})` : base.eval.kind === 'strict' ? base.eval.inline!(v, c) : undefined),
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

/**
 * Whether generated code's divisor is a number literal other than 0 (`1000`, `1e3`, `2.5`): then an integer
 * division needs no run-time zero check. Not only shorter: V8 optimises a loop with a dead
 * `false ? fn.divisionByZero() : ...` worse (q1's `price * 908 / 1000` took 26 % more instructions with it).
 */
const nonZeroLiteral = (js: string): boolean => /^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(js) && Number(js) !== 0;

/** The built-in scalar functions, by the name typed calls carry (Expr.fn). */
export const BUILTINS = {
  plus: timeArithmetic(1, '+', 'plus'),
  minus: timeArithmetic(-1, '-', 'minus'),
  times: arithmetic('*', '*', 'times'),
  divide: {
    sql: [], api: ['dividedBy'], decimals: 'arithmetic',
    type: (t) => { t.need(0, isNumeric, 'a number'); t.need(1, isNumeric, 'a number'); return t.result(numericResult(t.t(0), t.t(1), '/')); },
    eval: {
      kind: 'strict', impl: f.divide, consts: (c) => [isInteger(c.type), ...(c.type.name === 'DECIMAL' ? decimalConsts(c) : [])],
      // Java's integer division wraps too: INT -2147483648 / -1 is -2147483648.
      direct: (c) => {
        if (c.type.name === 'DECIMAL') return undefined;
        if (!isInteger(c.type)) return (a, b) => a / b;
        const bits = WRAP_BITS[c.type.name];
        return bits === undefined ? (a, b) => (b === 0 ? f.divisionByZero() : Math.trunc(a / b)) : (a, b) => (b === 0 ? f.divisionByZero() : f.wrapInteger(Math.trunc(a / b), bits));
      },
      inline: (v, c) => (c.type.name === 'DECIMAL' ? `fn.decimalOp("/", ${v[0]}, ${v[1]}, ${decimalConsts(c).join(', ')})`
        : isInteger(c.type) ? wrapJs(nonZeroLiteral(v[1]) ? `Math.trunc(${v[0]} / ${v[1]})` : `${v[1]} === 0 ? fn.divisionByZero() : Math.trunc(${v[0]} / ${v[1]})`, c.type) : `${v[0]} / ${v[1]}`),
    },
    text: infix('/'),
  },
  mod: {
    sql: ['MOD'], api: ['mod'], decimals: 'arithmetic',
    type: (t) => { t.need(0, isNumeric, 'a number'); t.need(1, isNumeric, 'a number'); return t.result(numericResult(t.t(0), t.t(1), '%')); },
    eval: {
      kind: 'strict', impl: f.modulo, consts: (c) => [isInteger(c.type), ...(c.type.name === 'DECIMAL' ? decimalConsts(c) : [])],
      inline: (v, c) => (c.type.name === 'DECIMAL' ? `fn.decimalOp("%", ${v[0]}, ${v[1]}, ${decimalConsts(c).join(', ')})`
        : isInteger(c.type) && !nonZeroLiteral(v[1]) ? `(${v[1]} === 0 ? fn.divisionByZero() : ${v[0]} % ${v[1]})` : `(${v[0]} % ${v[1]})`),
    },
    text: infix('%'),
  },
  negate: {
    sql: [], api: [], decimals: 'exact',
    type: (t) => { t.need(0, isNumeric, 'a number'); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: (a, bits) => f.wrapInteger(-a, bits), consts: (c) => [WRAP_BITS[c.type.name] ?? 0], inline: (v, c) => wrapJs(`-${v[0]}`, c.type) },
    text: (a) => `-${a[0]}`,
  },
  abs: {
    sql: ['ABS'], api: ['abs'], decimals: 'exact',
    type: (t) => { t.need(0, isNumeric, 'a number'); return t.result(t.t(0)); },
    eval: {
      kind: 'strict', impl: (a, bits) => (typeof a === 'bigint' ? (a < 0n ? -a : a) : f.wrapInteger(Math.abs(a), bits)), consts: (c) => [WRAP_BITS[c.type.name] ?? 0],
      inline: (v, c) => (c.type.name === 'DECIMAL' ? `(${v[0]} < 0n ? -${v[0]} : ${v[0]})` : wrapJs(`Math.abs(${v[0]})`, c.type)),
    },
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
    sql: ['ROUND'], api: ['round'], decimals: 'exact',
    type: (t) => {
      t.need(0, isNumeric, 'a number');
      return t.result(decimalRounded(t));
    },
    eval: {
      kind: 'strict',
      impl: (a, r, bits, s) => (s !== undefined ? roundDecimal(a, s, r) : f.wrapInteger(f.roundHalfUp(a, r ?? 0), bits)),
      consts: (c) => [...(c.args.length === 1 ? [0] : []), WRAP_BITS[c.type.name] ?? 0, ...(c.type.name === 'DECIMAL' ? [c.args[0].type.scale ?? 0] : [])],
    },
  },
  eq: comparison('===', (c) => c === 0, '=', 'isEqual'),
  ne: comparison('!==', (c) => c !== 0, '<>', 'isNotEqual'),
  gt: comparison('>', (c) => c > 0, '>', 'isGreater'),
  ge: comparison('>=', (c) => c >= 0, '>=', 'isGreaterOrEqual'),
  lt: comparison('<', (c) => c < 0, '<', 'isLess'),
  le: comparison('<=', (c) => c <= 0, '<=', 'isLessOrEqual'),
  isDistinctFrom: distinctFrom(false),
  isNotDistinctFrom: distinctFrom(true),
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
  ltrim: trimEntry(['LTRIM'], true, false),
  rtrim: trimEntry(['RTRIM'], false, true),
  btrim: trimEntry(['BTRIM'], true, true),
  replace: {
    sql: ['REPLACE'], api: ['replace'],
    type: (t) => t.result(DataTypes.STRING()),
    eval: { kind: 'strict', impl: f.replace },
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
  cast: castEntry('CAST', f.cast),
  tryCast: castEntry('TRY_CAST', f.tryCast),
  case: {
    sql: ['IF'], api: ['ifThenElse'], decimals: 'result',
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
    sql: ['COALESCE'], api: [], decimals: 'result',
    type: (t) => {
      const typed = t.args.map((a) => a.type).filter((x) => x.name !== 'NULL');
      const first = typed[0] ?? DataTypes.NULL();
      return t.result(typed.every(isNumeric) && typed.length ? typed.reduce((a, b) => numericResult(a, b)) : first, t.args.every((a) => a.type.nullable));
    },
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
    type: (t) => {
      const unit = String(t.literal(0) ?? '');
      if (!(f.EXTRACT_UNITS as readonly string[]).includes(unit)) t.fail(`EXTRACT: unknown unit '${unit}'`, `one of ${f.EXTRACT_UNITS.join(', ')}`);
      t.need(1, isTemporal, 'a TIMESTAMP, DATE or TIME');
      return t.result(DataTypes.BIGINT());
    },
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
    // A string that is no timestamp gives NULL, as in Flink; the pattern is SimpleDateFormat's.
    eval: { kind: 'strict', impl: (s, p, to) => f.toTimestamp(s, p, to), consts: (c) => [...(c.args.length === 1 ? [null] : []), plainType(c.type)] },
  },
  // Mathematical functions on DOUBLE, as Java's Math.
  ln: double(['LN'], Math.log),
  log10: double(['LOG10'], Math.log10),
  log2: double(['LOG2'], (a) => Math.log(a) / Math.log(2)),
  log: double(['LOG'], (a, b) => (b === undefined ? Math.log(a) : Math.log(b) / Math.log(a))),
  exp: double(['EXP'], Math.exp),
  sin: double(['SIN'], Math.sin),
  cos: double(['COS'], Math.cos),
  tan: double(['TAN'], Math.tan),
  cot: double(['COT'], (a) => 1 / Math.tan(a)),
  asin: double(['ASIN'], Math.asin),
  acos: double(['ACOS'], Math.acos),
  atan: double(['ATAN'], Math.atan),
  atan2: double(['ATAN2'], Math.atan2),
  sinh: double(['SINH'], Math.sinh),
  cosh: double(['COSH'], Math.cosh),
  tanh: double(['TANH'], Math.tanh),
  // Java's Math.toDegrees/toRadians multiply by a constant (not divide), which rounds differently.
  degrees: double(['DEGREES'], (a) => a * 57.29577951308232),
  radians: double(['RADIANS'], (a) => a * 0.017453292519943295),
  pi: double(['PI'], () => Math.PI),
  e: double(['E'], () => Math.E),
  sign: {
    sql: ['SIGN'], api: [], decimals: 'exact',
    type: (t) => { t.need(0, isNumeric, 'a number'); return t.result(t.t(0)); },
    eval: {
      kind: 'strict', impl: (a, s) => (s !== undefined ? signDecimal(a, s) : Math.sign(a)), consts: (c) => (c.type.name === 'DECIMAL' ? [c.type.scale ?? 0] : []),
      inline: (v, c) => (c.type.name === 'DECIMAL' ? `fn.signDecimal(${v[0]}, ${c.type.scale ?? 0})` : `Math.sign(${v[0]})`),
    },
  },
  // String functions, on UTF-16 strings as Java's.
  repeat: str(['REPEAT'], (s, n) => (n > 0 ? s.repeat(n) : '')),
  regexpReplace: str(['REGEXP_REPLACE'], (s, re, rep) => s.replace(f.regex(re, 'g'), rep)),
  regexpExtract: str(['REGEXP_EXTRACT'], (s, re, i) => { const m = f.regex(re, '').exec(s); return m ? m[i ?? 1] ?? null : null; }, true),
  regexp: { ...str(['REGEXP'], (s, re) => f.regex(re, '').test(s)), type: (t) => t.result(BOOL) },
  initcap: str(['INITCAP'], (s) => s.toLowerCase().replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m: string, a: string, b: string) => a + b.toUpperCase())),
  concatWs: {
    sql: ['CONCAT_WS'], api: [],
    type: (t) => t.result(DataTypes.STRING(), t.args[0].type.nullable),
    eval: { kind: 'nullable', impl: (sep, ...vs) => (sep === null ? null : vs.filter((v) => v !== null).join(sep)) },
  },
  lpad: str(['LPAD'], (s, n, pad) => f.pad(s, n, pad, true), true),
  rpad: str(['RPAD'], (s, n, pad) => f.pad(s, n, pad, false), true),
  toBase64: str(['TO_BASE64'], (s) => Buffer.from(s, 'utf8').toString('base64')),
  fromBase64: str(['FROM_BASE64'], (s) => Buffer.from(s, 'base64').toString('utf8')),
  // The first UTF-8 byte, as a signed Java byte.
  ascii: { ...str(['ASCII'], (s) => (s.length ? (Buffer.from(s.slice(0, 2), 'utf8')[0] << 24) >> 24 : 0)), type: (t) => t.result(DataTypes.INT()) },
  chr: str(['CHR'], (n) => (n >= 0 ? String.fromCharCode(n % 256) : '')),
  instr: { ...str(['INSTR'], (s, sub) => s.indexOf(sub) + 1), type: (t) => t.result(DataTypes.INT()) },
  locate: { ...str(['LOCATE'], (sub, s, from) => s.indexOf(sub, Math.max(0, (from ?? 1) - 1)) + 1), type: (t) => t.result(DataTypes.INT()) },
  left: str(['LEFT'], (s, n) => (n > 0 ? s.slice(0, n) : '')),
  right: str(['RIGHT'], (s, n) => (n > 0 ? s.slice(Math.max(0, s.length - n)) : '')),
  reverse: str(['REVERSE'], (s) => [...s].reverse().join('')),
  splitIndex: str(['SPLIT_INDEX'], (s, sep, i) => (i < 0 ? null : s.split(sep)[i] ?? null), true),
  startsWith: { ...str(['STARTSWITH'], (s, p) => s.startsWith(p)), type: (t) => t.result(BOOL) },
  endsWith: { ...str(['ENDSWITH'], (s, p) => s.endsWith(p)), type: (t) => t.result(BOOL) },
  // Hashes of the UTF-8 bytes, as lower-case hex.
  md5: str(['MD5'], (s) => f.hash('md5', s)),
  sha1: str(['SHA1'], (s) => f.hash('sha1', s)),
  sha224: str(['SHA224'], (s) => f.hash('sha224', s)),
  sha256: str(['SHA256'], (s) => f.hash('sha256', s)),
  sha384: str(['SHA384'], (s) => f.hash('sha384', s)),
  sha512: str(['SHA512'], (s) => f.hash('sha512', s)),
  sha2: str(['SHA2'], (s, bits) => ([224, 256, 384, 512].includes(bits) ? f.hash(`sha${bits}`, s) : null), true),
  ...CONDITIONAL_FUNCTIONS,
  ...TEMPORAL_FUNCTIONS,
  ...TEXT_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...COLLECTION_FUNCTIONS,
} satisfies Record<string, BuiltinDef>;

export type BuiltinName = keyof typeof BUILTINS;

/** LTRIM/RTRIM/BTRIM(s[, characters]): Flink strips spaces (not other whitespace) by default. */
function trimEntry(sql: string[], left: boolean, right: boolean): BuiltinDef {
  return {
    sql, api: [],
    type: (t) => { t.need(0, isString, 'a string'); if (t.args.length > 1) t.need(1, isString, 'a string'); return t.result(DataTypes.STRING()); },
    eval: { kind: 'strict', impl: (s, chars, l, r) => f.trimChars(s, chars, l, r), consts: (c) => [...(c.args.length === 1 ? [null] : []), left, right] },
  };
}

/** Why Flink does not cast `from` to `to` at all, if it does not (checked when a CAST is compiled). */
export function castRejected(from: DataType, to: DataType): string | undefined {
  if (isTemporal(from) && isNumeric(to)) {
    return `The cast from ${from.name} type to NUMERIC type is not allowed. It's recommended to use UNIX_TIMESTAMP(CAST(timestamp_col AS STRING)) instead.`;
  }
  if (isNumeric(from) && isTemporal(to)) return `The cast from NUMERIC type to ${to.name} type is not allowed. Use TO_TIMESTAMP_LTZ(numeric, precision) instead.`;
  return undefined;
}

/** CAST / TRY_CAST: the target type is the call's; the source type goes along for the text form. */
function castEntry(sqlName: string, impl: Impl): BuiltinDef {
  return {
    sql: [], api: [], decimals: 'exact',
    type: (t) => t.fail(`${sqlName} is written ${sqlName}(x AS type)`),
    eval: {
      kind: 'nullable', impl, consts: (c) => [plainType(c.type), plainType(c.args[0].type)],
      // A value already of the target type, or an integer widened, is itself.
      inline: (v, c) => (sameRepresentation(c.args[0].type, c.type) ? v[0] : undefined),
    },
    text: (a, c) => `${sqlName}(${a[0]} AS ${typeToString(c.type)})`,
  };
}

const INT_RANK = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];
function sameRepresentation(from: DataType, to: DataType): boolean {
  if (isInteger(from) && isInteger(to)) return INT_RANK.indexOf(from.name) <= INT_RANK.indexOf(to.name);
  if (from.name !== to.name) return from.name === 'NULL';
  // A DECIMAL is its unscaled bigint: the same at the same scale when every value of `from` fits `to`.
  if (to.name === 'DECIMAL') return (from.scale ?? 0) === (to.scale ?? 0) && (from.precision ?? 10) <= (to.precision ?? 10);
  // A ROW cast renames its fields; collections cast their elements.
  if (to.name === 'ROW' || to.name === 'ARRAY' || to.name === 'MAP') return typeToString(from) === typeToString(to);
  if (to.name === 'VARCHAR' || to.name === 'CHAR') return from.precision === to.precision;
  if (to.name === 'TIMESTAMP' || to.name === 'TIMESTAMP_LTZ' || to.name === 'TIME') return (from.precision ?? 6) <= (to.precision ?? 6);
  return true;
}

/** a IS [NOT] DISTINCT FROM b: equality where NULL equals NULL; never NULL. */
function distinctFrom(not: boolean): BuiltinDef {
  return {
    sql: [], api: [], decimals: 'compare',
    type: (t) => {
      if (!comparable(t.t(0), t.t(1))) t.fail(`cannot compare ${typeToString(t.t(0))} with ${typeToString(t.t(1))}`);
      return BOOL;
    },
    eval: { kind: 'nullable', impl: (a, b) => (a === null || b === null ? a === b : f.compare(a, b) === 0) === not },
    text: (a) => `(${a[0]} IS ${not ? 'NOT ' : ''}DISTINCT FROM ${a[1]})`,
  };
}

function between(not: boolean): BuiltinDef {
  const cmp = (v: readonly string[], c: CallInfo, i: number, op: string) =>
    (mixed(c.args[0].type, c.args[i].type) ? `fn.compare(${v[0]}, ${v[i]}) ${op} 0` : `${v[0]} ${op} ${v[i]}`);
  return {
    sql: [], api: not ? [] : ['between'], decimals: 'compare',
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
    sql: [], api: not ? [] : ['in'], decimals: 'compare',
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
    sql: [], api: [api], decimals: 'exact',
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
    sql: kind === 'floor' ? ['FLOOR'] : ['CEIL', 'CEILING'], api: [kind], decimals: 'exact',
    type: (t) => {
      if (t.args.length === 2) {
        t.need(0, isTemporal, 'a TIMESTAMP or DATE');
        unitArg(t, 1);
        return t.result(t.t(0));
      }
      t.need(0, isNumeric, 'a number');
      const a = t.t(0);
      return t.result(a.name === 'DECIMAL' ? DataTypes.DECIMAL(a.precision ?? 10, 0) : a);
    },
    eval: {
      kind: 'strict',
      impl: (v, unit, s) => (s !== undefined ? floorDecimal(v, s, kind === 'ceil') : unit == null ? numImpl(v) : timeImpl(v, unit)),
      // A DECIMAL's scale (the result's is 0).
      consts: (c) => (c.args.length === 1 && c.args[0].type.name === 'DECIMAL' ? [null, c.args[0].type.scale ?? 0] : []),
      inline: (v, c) => {
        if (c.args.length === 1 && c.args[0].type.name === 'DECIMAL') return `fn.floorDecimal(${v[0]}, ${c.args[0].type.scale ?? 0}, ${kind === 'ceil'})`;
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

/** The type a value of `from` is cast to for an entry's implementation (BuiltinDef.decimals), or undefined: no cast. */
function decimalCoercion(mode: BuiltinDef['decimals'], args: readonly Expr[], result: DataType): (DataType | undefined)[] {
  const types = args.map((a) => a.type);
  const anyDecimal = types.some((t) => t.name === 'DECIMAL') || result.name === 'DECIMAL';
  if (!anyDecimal || mode === 'exact') return types.map(() => undefined);
  const double = DataTypes.DOUBLE();
  switch (mode) {
    case undefined: return types.map((t) => (t.name === 'DECIMAL' ? double : undefined));
    case 'arithmetic':
      if (result.name !== 'DECIMAL') return types.map((t) => (t.name === 'DECIMAL' ? result : undefined));
      return types.map((t) => (isInteger(t) ? DataTypes.DECIMAL(asDecimal(t).p, 0) : undefined));
    case 'compare': {
      const numeric = types.filter(isNumeric);
      if (numeric.some((t) => t.name === 'DOUBLE' || t.name === 'FLOAT')) return types.map((t) => (t.name === 'DECIMAL' ? double : undefined));
      const scale = Math.max(...numeric.map((t) => asDecimal(t).s));
      return types.map((t) => (isNumeric(t) && !(t.name === 'DECIMAL' && (t.scale ?? 0) === scale) ? DataTypes.DECIMAL(38, scale) : undefined));
    }
    case 'result':
      if (!isNumeric(result)) return types.map(() => undefined);
      return types.map((t) => (isNumeric(t) && !sameRepresentation(t, result) && (t.name === 'DECIMAL' || result.name === 'DECIMAL') ? result : undefined));
  }
}

/**
 * A call's arguments as its implementation takes them: DECIMAL values are bigints (core/decimal.ts), so where
 * a DECIMAL meets another number the compiler casts one of them, as BuiltinDef.decimals says. Calls without
 * a DECIMAL are returned as they are.
 */
export function coerceArgs<E extends Expr>(name: BuiltinName, args: readonly E[], result: DataType): readonly E[] {
  const to = decimalCoercion((BUILTINS[name] as BuiltinDef).decimals, args, result);
  if (to.every((t) => t === undefined)) return args;
  return args.map((a, i) => {
    const t = to[i];
    if (t === undefined || a.type.name === 'NULL') return a;
    // A literal becomes a literal of the type (a DECIMAL literal keeps its text; a DOUBLE is its nearest double).
    if (a.kind === 'literal' && (typeof a.value === 'number' || typeof a.value === 'string')) {
      return { kind: 'literal', value: t.name === 'DECIMAL' ? String(a.value) : Number(a.value), type: withType(t, { nullable: false }) } as unknown as E;
    }
    return { kind: 'call', fn: 'cast', args: [a], type: withType(t, { nullable: a.type.nullable }) } as unknown as E;
  });
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
