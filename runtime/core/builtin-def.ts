// The shape of an entry of the built-in function table (builtins.ts and its family files builtins-*.ts), and
// what the entries' type rules share: the arguments under type checking, Flink's numeric type widening and
// DECIMAL precision rules, and the common shapes of DOUBLE and STRING functions.
import { DataTypes, typeToString, withType, type DataType } from './data-types.js';
import { isNumeric } from './data-types.js';

/**
 * An argument as the rules see it: a typed expression of core/expr.ts (which names this table's entries, so
 * this file does not import it back: no import cycle).
 */
export type Expr = { readonly kind: string; readonly type: DataType; readonly value?: unknown };

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
  | {
    readonly kind: 'strict'; readonly impl: Impl; readonly inline?: Inline; readonly consts?: (c: CallInfo) => unknown[];
    /**
     * impl specialised to the call's types, constants folded in: the interpreter calls it per row instead of
     * impl with the constants bound, so a BIGINT product is one multiplication, not a test of each constant
     * (the operators; undefined for a call it does not specialise).
     */
    readonly direct?: (c: CallInfo) => Impl | undefined;
  }
  /** Gets NULL arguments too and decides itself (IS NULL, COALESCE, IN's three-valued result, CAST). */
  | { readonly kind: 'nullable'; readonly impl: Impl; readonly inline?: Inline; readonly consts?: (c: CallInfo) => unknown[] }
  /** Evaluates its arguments lazily or reads the clock: codegen and the interpreter each have a form for it. */
  | { readonly kind: 'special'; readonly form: SpecialForm };

/**
 * `now`, `today` and `timeOfDay` read the clock (CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME; UTC); `watermark`
 * the watermark the operator running the call has received (CURRENT_WATERMARK: NULL before the first one).
 */
export type SpecialForm = 'case' | 'and' | 'or' | 'now' | 'today' | 'timeOfDay' | 'watermark';

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
  /**
   * How DECIMAL arguments (bigints, core/decimal.ts) reach the implementation; the compiler casts them
   * (coerceArgs in builtins.ts). By default they arrive as DOUBLE, for entries that compute on numbers.
   * 'exact': as they are (the entry reads their scale from the call's types). 'arithmetic': when the result is
   * a DECIMAL, the integer arguments arrive as DECIMAL(n, 0), else the DECIMAL ones as the result type.
   * 'compare': all at one scale (DOUBLE when one of them is a DOUBLE or FLOAT). 'result': the numeric
   * arguments as the result type (the branches of CASE, COALESCE, GREATEST...).
   */
  readonly decimals?: 'exact' | 'arithmetic' | 'compare' | 'result';
}

/** A call with arguments the function does not take; the compiler reports it at the call's location. */
export class FunctionTypeError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export const BOOL = DataTypes.BOOLEAN().notNull!();

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

export const isBoolean = (d: DataType) => d.name === 'BOOLEAN';

/** The type of `a op b`; 'common' is the type both values of a CASE/COALESCE/GREATEST meet in. */
export function numericResult(a: DataType, b: DataType, op: '+' | '*' | '/' | '%' | 'common' = 'common'): DataType {
  const rank = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'];
  const wider = rank.indexOf(a.name) >= rank.indexOf(b.name) ? a : b;
  if (wider.name !== 'DECIMAL') return wider;
  return decimalResult(asDecimal(a), asDecimal(b), op);
}

/** The DECIMAL(p, s) an integer type converts to for DECIMAL arithmetic (Flink's digits of each integer type). */
export function asDecimal(t: DataType): { p: number; s: number } {
  const digits: Record<string, number> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };
  return t.name === 'DECIMAL' ? { p: t.precision ?? 10, s: t.scale ?? 0 } : { p: digits[t.name] ?? 19, s: 0 };
}

/** Flink's precision and scale of DECIMAL arithmetic (LogicalTypeMerging), at most DECIMAL(38, s). */
export function decimalResult(a: { p: number; s: number }, b: { p: number; s: number }, op: '+' | '*' | '/' | '%' | 'common'): DataType {
  let p: number, s: number;
  switch (op) {
    // Calcite's least restrictive type: the integer digits and the scale of the wider one.
    case 'common': s = Math.max(a.s, b.s); p = Math.max(a.p - a.s, b.p - b.s) + s; break;
    case '+': s = Math.max(a.s, b.s); p = Math.max(a.p - a.s, b.p - b.s) + s + 1; break;
    case '*': s = a.s + b.s; p = a.p + b.p + 1; break; // + 1 as Flink's LogicalTypeMerging (Hive's rule)
    case '/': s = Math.max(6, a.s + b.p + 1); p = a.p - a.s + b.s + s; break;
    case '%': s = Math.max(a.s, b.s); p = Math.min(a.p - a.s, b.p - b.s) + s; break;
  }
  if (p > 38) {
    // As Flink's adjustPrecisionScale: keep the integer digits, and at least 6 fraction digits where there were more.
    const intDigits = p - s;
    s = Math.max(Math.min(s, 6), 38 - intDigits);
    p = 38;
  }
  return DataTypes.DECIMAL(p, Math.min(s, p));
}

/** Flink's type of ROUND/TRUNCATE(DECIMAL(p, s), r) (LogicalTypeMerging.findRoundDecimalType). */
export function roundedDecimal(p: number, s: number, r: number): DataType {
  if (r >= s) return DataTypes.DECIMAL(p, s);
  if (r < 0) return DataTypes.DECIMAL(Math.min(38, 1 + p - s), 0);
  return DataTypes.DECIMAL(1 + p - s + r, r);
}

/** ROUND/TRUNCATE's type: a DECIMAL rounded to the literal number of places as Flink types it, any other type kept. */
export function decimalRounded(t: TypeCheck): DataType {
  const a = t.t(0);
  if (a.name !== 'DECIMAL') return a;
  const r = t.args.length < 2 ? 0 : t.literal(1) ?? (t.args[1].kind === 'call' && (t.args[1] as { fn?: string }).fn === 'negate' ? -1 : undefined);
  if (typeof r !== 'number') t.fail(`${t.written} of a DECIMAL needs a literal number of places`, `write ${t.written}(x, 2)`);
  return roundedDecimal(a.precision ?? 10, a.scale ?? 0, r);
}

/** A DOUBLE function of numbers (NULL in, NULL out). */
export function double(sql: string[], impl: Impl): BuiltinDef {
  return {
    sql, api: [],
    type: (t) => { t.args.forEach((_, i) => t.need(i, isNumeric, 'a number')); return t.result(DataTypes.DOUBLE()); },
    eval: { kind: 'strict', impl },
  };
}

/** A STRING function (NULL in, NULL out; `maybeNull` when it also gives NULL for some non-null arguments). */
export function str(sql: string[], impl: Impl, maybeNull = false): BuiltinDef {
  return {
    sql, api: [],
    type: (t) => t.result(DataTypes.STRING(), maybeNull || t.nullable),
    eval: { kind: 'strict', impl },
  };
}

