// Name resolution and type checking: turns an unresolved expression (LExpr) into a typed runtime Expr
// against an input schema, with errors that name the column or function and suggest the nearest one.
import { DataTypes, isInteger, isNumeric, isString, isTemporal, isTimestamp, typeToString, withType, type DataType, type Field } from '../../runtime/core/data-types.js';
import type { BuiltinName, Expr } from '../../runtime/core/expr.js';
import { nearest } from '../../runtime/core/options.js';
import type { SourceLoc } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import { isAggregateName, type LExpr } from '../ir/logical-expr.js';

export interface UdfSignature {
  name: string;
  inputTypes: DataType[];
  resultType: DataType;
}

export interface FunctionCatalog {
  udf(name: string): UdfSignature | undefined;
  udfNames(): string[];
}

const BOOL = DataTypes.BOOLEAN().notNull!();
const TIME_UNITS: Record<string, number> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 7 * 86_400_000,
};

/** Builtins by the names users write (Table API method names and SQL function names), to internal names. */
const BUILTIN_ALIASES: Record<string, BuiltinName> = {
  plus: 'plus', minus: 'minus', times: 'times', divide: 'divide', mod: 'mod', negate: 'negate', abs: 'abs',
  power: 'power', sqrt: 'sqrt', round: 'round',
  eq: 'eq', ne: 'ne', gt: 'gt', ge: 'ge', lt: 'lt', le: 'le', between: 'between', notbetween: 'notBetween',
  in: 'in', notin: 'notIn', and: 'and', or: 'or', not: 'not', isnull: 'isNull', isnotnull: 'isNotNull',
  istrue: 'isTrue', isfalse: 'isFalse', like: 'like', notlike: 'notLike',
  upper: 'upper', lower: 'lower', upper_case: 'upper', lower_case: 'lower', charlength: 'charLength', char_length: 'charLength',
  character_length: 'charLength', substring: 'substring', substr: 'substring', concat: 'concat', trim: 'trim',
  ltrim: 'ltrim', rtrim: 'rtrim', replace: 'replace', position: 'position',
  floor: 'floor', ceil: 'ceil', ceiling: 'ceil', case: 'case', coalesce: 'coalesce', if: 'case',
  date_format: 'dateFormat', dateformat: 'dateFormat', timestampdiff: 'timestampDiff', extract: 'extract',
  current_timestamp: 'currentTimestamp', currenttimestamp: 'currentTimestamp', now: 'currentTimestamp', localtimestamp: 'currentTimestamp',
  to_timestamp: 'toTimestamp', timestampadd: 'timestampAdd',
};

export function builtinName(fn: string): BuiltinName | undefined {
  return BUILTIN_ALIASES[fn.toLowerCase()];
}

export class Resolver {
  constructor(private readonly schema: readonly Field[], private readonly functions: FunctionCatalog, private readonly what = 'the input') {}

  resolve(e: LExpr): Expr {
    switch (e.kind) {
      case 'ref': return this.ref(e.name, e.loc);
      case 'lit': return literalOf(e.value, e.type);
      case 'interval': return { kind: 'literal', value: e.millis, type: DataTypes.INTERVAL().notNull!() };
      case 'unit': return { kind: 'literal', value: e.unit, type: DataTypes.STRING().notNull!() };
      case 'alias': return this.resolve(e.expr);
      case 'cast': return { kind: 'call', fn: 'cast', args: [this.resolve(e.expr)], type: e.type };
      case 'windowProp':
        throw new CompileError(`window property ${e.window}.${e.property}() is only available in the select of a windowed groupBy`, e.loc,
          `use .window(Tumble.over(...).on(...).as('${e.window}')).groupBy($('${e.window}'), ...).select($('${e.window}').${e.property}())`);
      case 'star':
        throw new CompileError(`'*' is only allowed as a whole select item`, e.loc);
      case 'call': return this.call(e);
    }
  }

  private ref(name: string, loc?: SourceLoc): Expr {
    const f = this.schema.find((c) => c.name === name) ?? this.schema.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!f) {
      const names = this.schema.map((c) => c.name);
      const near = nearest(name, names);
      throw new CompileError(`unknown column '${name}' in ${this.what}`, loc,
        near ? `did you mean '${near}'? available columns: ${names.join(', ')}` : `available columns: ${names.join(', ')}`);
    }
    return { kind: 'field', name: f.name, type: f.type };
  }

  private call(e: Extract<LExpr, { kind: 'call' }>): Expr {
    if (isAggregateName(e.fn)) {
      throw new CompileError(`aggregate ${e.fn.toUpperCase()}(...) is not allowed here`, e.loc,
        'aggregates go in the select of a groupBy (or a select over the whole table), not in where, group keys or nested in another aggregate');
    }
    const udf = this.functions.udf(e.fn);
    if (udf) return this.udfCall(udf, e);
    const fn = builtinName(e.fn);
    if (!fn) {
      const near = nearest(e.fn, [...this.functions.udfNames(), ...Object.keys(BUILTIN_ALIASES)]);
      throw new CompileError(`unknown function '${e.fn}'`, e.loc,
        near ? `did you mean '${near}'?` : `register it as a UDF in udfs/ or with createTemporarySystemFunction`);
    }
    const args = e.args.map((a) => this.resolve(a));
    return { kind: 'call', fn, args, type: resultType(fn, args, e) };
  }

  private udfCall(udf: UdfSignature, e: Extract<LExpr, { kind: 'call' }>): Expr {
    const args = e.args.map((a) => this.resolve(a));
    const sig = `${udf.name}(${udf.inputTypes.map(typeToString).join(', ')})`;
    if (args.length !== udf.inputTypes.length) {
      throw new CompileError(`${udf.name} takes ${udf.inputTypes.length} argument(s), called with ${args.length}`, e.loc, `signature: ${sig}`);
    }
    args.forEach((a, i) => {
      if (!assignable(a.type, udf.inputTypes[i])) {
        throw new CompileError(`argument ${i + 1} of ${udf.name} has type ${typeToString(a.type)}, expected ${typeToString(udf.inputTypes[i])}`,
          e.args[i].loc ?? e.loc, `signature: ${sig}; convert with .cast(DataTypes.${udf.inputTypes[i].name}()) if intended`);
      }
    });
    return { kind: 'udf', name: udf.name, args, type: udf.resultType };
  }
}

/** Whether a value of type `from` can be passed where `to` is declared. */
export function assignable(from: DataType, to: DataType): boolean {
  if (from.name === 'NULL') return true;
  if (isNumeric(to)) return isNumeric(from) && (!isInteger(to) || isInteger(from));
  if (isString(to)) return isString(from);
  if (isTimestamp(to)) return isTimestamp(from);
  return from.name === to.name;
}

function literalOf(value: string | number | boolean | null, type?: DataType): Expr {
  if (type) return { kind: 'literal', value, type };
  if (value === null) return { kind: 'literal', value, type: DataTypes.NULL() };
  if (typeof value === 'boolean') return { kind: 'literal', value, type: BOOL };
  if (typeof value === 'string') return { kind: 'literal', value, type: DataTypes.STRING().notNull!() };
  const t = Number.isInteger(value) ? (Math.abs(value) <= 2147483647 ? DataTypes.INT() : DataTypes.BIGINT()) : DataTypes.DOUBLE();
  return { kind: 'literal', value, type: t.notNull!() };
}

const nullable = (args: readonly Expr[]) => args.some((a) => a.type.nullable);
const nullableIf = (t: DataType, n: boolean) => withType(t, { nullable: n, timeAttribute: undefined });

function numericResult(a: DataType, b: DataType): DataType {
  const rank = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'];
  return rank.indexOf(a.name) >= rank.indexOf(b.name) ? a : b;
}

function resultType(fn: BuiltinName, args: Expr[], e: Extract<LExpr, { kind: 'call' }>): DataType {
  const fail = (msg: string, hint?: string): never => { throw new CompileError(msg, e.loc, hint); };
  const t = (i: number) => args[i]?.type ?? fail(`${e.fn} needs at least ${i + 1} argument(s)`);
  const need = (i: number, ok: (d: DataType) => boolean, what: string) => {
    if (t(i).name !== 'NULL' && !ok(t(i))) fail(`${e.fn}: argument ${i + 1} has type ${typeToString(t(i))}, expected ${what}`);
  };
  const n = nullable(args);
  switch (fn) {
    case 'plus': case 'minus':
      if (isTimestamp(t(0)) && t(1).name === 'INTERVAL') return nullableIf(t(0), n);
      if (isTimestamp(t(0)) && isTimestamp(t(1)) && fn === 'minus') fail('subtracting timestamps: use TIMESTAMPDIFF(unit, a, b)');
      need(0, isNumeric, 'a number'); need(1, isNumeric, 'a number');
      return nullableIf(numericResult(t(0), t(1)), n);
    case 'times': case 'divide': case 'mod':
      need(0, isNumeric, 'a number'); need(1, isNumeric, 'a number');
      return nullableIf(numericResult(t(0), t(1)), true);
    case 'negate': case 'abs': case 'round':
      need(0, isNumeric, 'a number');
      return nullableIf(t(0), n);
    case 'power': case 'sqrt':
      return nullableIf(DataTypes.DOUBLE(), n);
    case 'eq': case 'ne': case 'gt': case 'ge': case 'lt': case 'le':
      if (!comparable(t(0), t(1))) fail(`cannot compare ${typeToString(t(0))} with ${typeToString(t(1))}`);
      return nullableIf(BOOL, n);
    case 'between': case 'notBetween':
      if (!comparable(t(0), t(1)) || !comparable(t(0), t(2))) fail(`cannot compare ${typeToString(t(0))} with the bounds of BETWEEN`);
      return nullableIf(BOOL, n);
    case 'in': case 'notIn':
      args.slice(1).forEach((a) => { if (!comparable(t(0), a.type)) fail(`IN: cannot compare ${typeToString(t(0))} with ${typeToString(a.type)}`); });
      return nullableIf(BOOL, n);
    case 'and': case 'or':
      need(0, (d) => d.name === 'BOOLEAN', 'BOOLEAN'); need(1, (d) => d.name === 'BOOLEAN', 'BOOLEAN');
      return nullableIf(BOOL, n);
    case 'not':
      need(0, (d) => d.name === 'BOOLEAN', 'BOOLEAN');
      return nullableIf(BOOL, n);
    case 'isNull': case 'isNotNull': case 'isTrue': case 'isFalse':
      return BOOL;
    case 'like': case 'notLike':
      need(0, isString, 'a string'); need(1, isString, 'a string');
      return nullableIf(BOOL, n);
    case 'upper': case 'lower': case 'trim': case 'ltrim': case 'rtrim':
      need(0, isString, 'a string');
      return nullableIf(DataTypes.STRING(), n);
    case 'replace':
      return nullableIf(DataTypes.STRING(), n);
    case 'charLength': case 'position':
      return nullableIf(DataTypes.INT(), n);
    case 'substring':
      need(0, isString, 'a string'); need(1, isInteger, 'an integer');
      return nullableIf(DataTypes.STRING(), n);
    case 'concat':
      return nullableIf(DataTypes.STRING(), n);
    case 'floor': case 'ceil':
      if (args.length === 2) {
        need(0, isTemporal, 'a TIMESTAMP or DATE');
        const unit = args[1].kind === 'literal' ? String(args[1].value) : '';
        if (!(unit in TIME_UNITS) && !['MONTH', 'QUARTER', 'YEAR'].includes(unit)) fail(`${e.fn}: unknown time unit '${unit}'`, `one of ${Object.keys(TIME_UNITS).join(', ')}, MONTH, QUARTER, YEAR`);
        return nullableIf(t(0), n);
      }
      need(0, isNumeric, 'a number');
      return nullableIf(t(0), n);
    case 'cast':
      return e.args.length ? t(0) : fail('cast needs a value');
    case 'case': {
      // (cond, value)* else: the result type is the first non-NULL branch type.
      const values = args.filter((_, i) => i % 2 === 1 || i === args.length - 1);
      for (let i = 0; i + 1 < args.length; i += 2) need(i, (d) => d.name === 'BOOLEAN', 'BOOLEAN');
      const first = values.find((v) => v.type.name !== 'NULL')?.type ?? DataTypes.NULL();
      return nullableIf(values.reduce((acc, v) => (isNumeric(acc) && isNumeric(v.type) ? numericResult(acc, v.type) : acc), first), true);
    }
    case 'coalesce':
      return nullableIf(args.find((a) => a.type.name !== 'NULL')?.type ?? DataTypes.NULL(), args.every((a) => a.type.nullable));
    case 'dateFormat':
      need(0, (d) => isTemporal(d) || isString(d), 'a TIMESTAMP');
      return nullableIf(DataTypes.STRING(), n);
    case 'timestampDiff':
      need(1, isTemporal, 'a TIMESTAMP'); need(2, isTemporal, 'a TIMESTAMP');
      return nullableIf(DataTypes.INT(), n);
    case 'extract':
      return nullableIf(DataTypes.BIGINT(), n);
    case 'currentTimestamp':
      return DataTypes.TIMESTAMP_LTZ(3).notNull!();
    case 'toTimestamp':
      return nullableIf(DataTypes.TIMESTAMP(3), true);
    case 'timestampAdd':
      return nullableIf(t(2), n);
  }
}

function comparable(a: DataType, b: DataType): boolean {
  if (a.name === 'NULL' || b.name === 'NULL') return true;
  if (isNumeric(a)) return isNumeric(b);
  if (isString(a)) return isString(b) || isTemporal(b);
  if (isTemporal(a)) return isTemporal(b) || isString(b);
  return a.name === b.name;
}

export { TIME_UNITS };
