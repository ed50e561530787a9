// Conditional and type-inspecting built-ins of the function table (builtins.ts spreads them in): NULLIF,
// IFNULL, GREATEST, LEAST, the IS_ALPHA/IS_DIGIT/IS_DECIMAL tests and TYPEOF, with Flink's result types and
// NULL handling (checked against Flink by test/conformance, family 'conditional' and 'conversion'); and the
// SINGLE_VALUE check of a scalar subquery's rows.
import { BOOL, numericResult, type BuiltinDef, type CallInfo, type TypeCheck } from './builtin-def.js';
import { DataTypes, isNumeric, typeToString, withType, type DataType } from './data-types.js';
import { compare } from './scalar-functions.js';

/** The type two values of a GREATEST/LEAST/IFNULL meet in: numbers widen as in arithmetic, others keep the first. */
export function commonType(t: TypeCheck): DataType {
  const typed = t.args.map((a) => a.type).filter((x) => x.name !== 'NULL');
  if (typed.length === 0) return DataTypes.NULL();
  if (!typed.every(isNumeric)) {
    const first = typed[0];
    typed.forEach((x, i) => { if (isNumeric(x) !== isNumeric(first)) t.fail(`${t.written}: argument ${i + 1} has type ${typeToString(x)}, which does not meet ${typeToString(first)}`); });
    return first;
  }
  return typed.reduce((a, b) => numericResult(a, b));
}

/** GREATEST / LEAST: NULL when any argument is NULL, as Flink. */
function extreme(sql: string, wins: (c: number) => boolean): BuiltinDef {
  return {
    sql: [sql], api: [], decimals: 'result',
    type: (t) => { if (t.args.length === 0) t.fail(`${t.written} needs at least one argument`); return t.result(commonType(t)); },
    eval: { kind: 'strict', impl: (...vs) => vs.reduce((best, v) => (wins(compare(v, best)) ? v : best)) },
  };
}

/** A test of a string's characters: FALSE (never NULL) for NULL and for the empty string, as Flink. */
function stringTest(sql: string, holds: (s: string) => boolean): BuiltinDef {
  return {
    sql: [sql], api: [],
    type: () => BOOL,
    eval: { kind: 'nullable', impl: (s) => s !== null && holds(String(s)) },
  };
}

/** What Java's Double.parseDouble takes (surrounding whitespace, sign, digits with a point, exponent, NaN, Infinity). */
const JAVA_DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

/** TYPEOF's answer: its argument's type as Flink spells it, without the time attribute. */
const argTypeText = (c: CallInfo) => typeToString(withType(c.args[0].type, { timeAttribute: undefined }));

export const CONDITIONAL_FUNCTIONS = {
  nullIf: {
    sql: ['NULLIF'], api: [], decimals: 'result',
    type: (t) => t.result(t.t(0), true),
    eval: { kind: 'nullable', impl: (a, b) => (a !== null && b !== null && compare(a, b) === 0 ? null : a) },
  },
  ifNull: {
    sql: ['IFNULL'], api: [], decimals: 'result',
    // NOT NULL when the replacement is, as Flink (IFNULL(s, 'x') is STRING NOT NULL).
    type: (t) => t.result(commonType(t), t.t(0).nullable && t.t(1).nullable),
    eval: { kind: 'nullable', impl: (a, b) => (a !== null ? a : b), inline: (v) => `(${v[0]} !== null ? ${v[0]} : ${v[1]})` },
  },
  greatest: extreme('GREATEST', (c) => c > 0),
  least: extreme('LEAST', (c) => c < 0),
  // Character classes as Java's Character.isLetter / isDigit (StringUtils.isAlpha / isNumeric).
  isAlpha: stringTest('IS_ALPHA', (s) => /^\p{L}+$/u.test(s)),
  isDigit: stringTest('IS_DIGIT', (s) => /^\p{Nd}+$/u.test(s)),
  isDecimal: stringTest('IS_DECIMAL', (s) => JAVA_DOUBLE.test(s.trim())),
  typeOf: {
    sql: ['TYPEOF'], api: [], decimals: 'exact',
    type: (t) => t.result(DataTypes.STRING(), true),
    // The argument's type is known when the call is compiled: its text is a constant.
    eval: { kind: 'nullable', impl: (_v, text) => text, consts: (c) => [argTypeText(c)], inline: (_v, c) => JSON.stringify(argTypeText(c)) },
  },
  /**
   * The value of a scalar subquery that is no aggregate, which the SQL frontend computes per key as
   * singleValue(COUNT(*), LAST_VALUE(x)) (compiler/frontend/sql/subquery-columns.ts): the value of the one row, and a
   * failed job at a second row, as Flink's SINGLE_VALUE (SingleValueAggFunction). No SQL name: only the frontend writes it.
   */
  singleValue: {
    sql: [], api: [], decimals: 'exact',
    type: (t) => t.result(t.t(1), true),
    eval: { kind: 'nullable', impl: singleValue },
    text: (a) => `SINGLE_VALUE(${a[1]})`,
  },
} satisfies Record<string, BuiltinDef>;

function singleValue(rows: number | null, value: unknown): unknown {
  // Flink's message, whose job fails the same way.
  if (rows !== null && rows > 1) throw new Error('SingleValueAggFunction received more than one element.');
  return value;
}
