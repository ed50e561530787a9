// Name resolution and type checking: turns an unresolved expression (LExpr) into a typed runtime Expr
// against an input schema, with errors that name the column or function and suggest the nearest one.
import { builtinName, builtinNames, castRejected, coerceArgs, FunctionTypeError, MONTHS, typeCall } from '../../runtime/core/builtins.js';
import { DataTypes, isInteger, isNumeric, isString, isTimestamp, typeToString, withType, type DataType, type Field } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';
import { nearest } from '../../runtime/core/options.js';
import type { SourceLoc } from '../../runtime/core/plan.js';
import { cast } from '../../runtime/core/scalar-functions.js';
import { CompileError } from '../ir/diagnostics.js';
import { isAggregateName, type LExpr } from '../ir/logical-expr.js';

export interface UdfSignature {
  name: string;
  /** Absent: a scalar function (`@udf`). */
  kind?: 'table' | 'aggregate';
  inputTypes: DataType[];
  /** A scalar or aggregate function's result; a table function's rows, as a ROW of their columns. */
  resultType: DataType;
  /** Table functions: a yielded row is a tuple or an object ('row'), or the one column's value ('scalar'). */
  rows?: 'row' | 'scalar';
  /** Aggregate functions: whether they can take rows back out (an updating input) and merge accumulators. */
  retract?: boolean;
  merge?: boolean;
}

export interface FunctionCatalog {
  udf(name: string): UdfSignature | undefined;
  udfNames(): string[];
}

const BOOL = DataTypes.BOOLEAN().notNull!();

export class Resolver {
  constructor(private readonly schema: readonly Field[], private readonly functions: FunctionCatalog, private readonly what = 'the input') {}

  resolve(e: LExpr): Expr {
    switch (e.kind) {
      case 'ref': return this.ref(e.name, e.loc);
      case 'lit': return literalOf(e.value, e.type);
      case 'interval': return e.months === undefined
        ? { kind: 'literal', value: e.millis, type: DataTypes.INTERVAL().notNull!() }
        : { kind: 'literal', value: e.months, type: withType(DataTypes.INTERVAL(), { precision: MONTHS, nullable: false }) };
      case 'unit': return { kind: 'literal', value: e.unit, type: DataTypes.STRING().notNull!() };
      case 'alias':
        if (e.names) throw new CompileError(`.as(${e.names.map((n) => `'${n}'`).join(', ')}) gives several names: only the columns of a table function in joinLateral take them`, e.loc, `one name per column: .as('${e.name}')`);
        return this.resolve(e.expr);
      case 'cast': {
        const arg = this.resolve(e.expr);
        const rejected = castRejected(arg.type, e.type);
        if (rejected) throw new CompileError(rejected, e.loc);
        // A CAST is NULL only where its argument is (CAST(1 AS DECIMAL(5, 2)) is NOT NULL), as Flink types it,
        // except that a value too large for a DECIMAL casts to NULL: only a literal that fits is known not to.
        const overflows = e.type.name === 'DECIMAL' && !(arg.kind === 'literal' && cast(arg.value, e.type, arg.type) !== null);
        return { kind: 'call', fn: e.try ? 'tryCast' : 'cast', args: [arg], type: withType(e.type, { nullable: e.try || arg.type.nullable || overflows }) };
      }
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
    if (udf?.kind === 'table') {
      throw new CompileError(`${udf.name} is a table function: it gives rows, not a value`, e.loc,
        `join each row with its rows: FROM t, LATERAL TABLE(${udf.name}(...)) AS r(a, b), or t.joinLateral(call('${udf.name}', ...))`);
    }
    if (udf) return this.udfCall(udf, e);
    const fn = builtinName(e.fn);
    if (!fn) {
      const near = nearest(e.fn, [...this.functions.udfNames(), ...builtinNames()]);
      throw new CompileError(`unknown function '${e.fn}'`, e.loc,
        near ? `did you mean '${near}'?` : `register it as a UDF in udfs/ or with createTemporarySystemFunction`);
    }
    const args = e.args.map((a) => this.resolve(a));
    if (fn === 'cast' || fn === 'tryCast') throw new CompileError('CAST is written CAST(x AS type) or $(x).cast(type)', e.loc);
    try {
      const type = typeCall(fn, e.fn, args);
      return { kind: 'call', fn, args: coerceArgs(fn, args, type), type };
    } catch (err) {
      if (err instanceof FunctionTypeError) throw new CompileError(err.message, e.loc, err.hint);
      throw err;
    }
  }

  private udfCall(udf: UdfSignature, e: Extract<LExpr, { kind: 'call' }>): Expr {
    return { kind: 'udf', name: udf.name, args: this.udfArgs(udf, e), type: udf.resultType };
  }

  /**
   * A UDF's arguments (scalar, table or aggregate function), checked against its signature: a compile error at
   * the argument that does not fit. DECIMALs are cast to the declared type.
   */
  udfArgs(udf: UdfSignature, e: Extract<LExpr, { kind: 'call' }>): Expr[] {
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
    // A DECIMAL (a bigint, core/decimal.ts) reaches a UDF as the type it declares: a `number` parameter (DOUBLE) gets a double.
    return args.map((a, i): Expr => {
      const to = udf.inputTypes[i];
      const differs = (a.type.name === 'DECIMAL' || to.name === 'DECIMAL') && a.type.name !== 'NULL'
        && (a.type.name !== to.name || (a.type.scale ?? 0) !== (to.scale ?? 0));
      return differs ? { kind: 'call', fn: 'cast', args: [a], type: withType(to, { nullable: a.type.nullable }) } : a;
    });
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
