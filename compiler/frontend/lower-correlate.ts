// `t CROSS JOIN UNNEST(t.a) AS u(x)` (also `FROM t, UNNEST(...)`, `JOIN UNNEST(...) ON TRUE`, `LEFT JOIN UNNEST(...)
// ON TRUE`) and `t, LATERAL TABLE(f(...)) AS r(a, b)` (and the same joins of it, and the Table API's joinLateral)
// into a `correlate` plan node: the argument is resolved against the left table's columns; an ARRAY gives one
// column of its element type (a ROW element one column per field), a MAP two (key, value), a table function
// (`@udtf`) the columns of its rows; named by the alias's column list or else as Flink's planner names them
// (EXPR$0, the ROW's field names, KEY and VALUE; the function's column names).
import { DataTypes, typeToString, withType, type Field } from '../../runtime/core/data-types.js';
import type { CorrelateNode, PlanNode, SourceLoc } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import type { LExpr } from '../ir/logical-expr.js';
import type { Expr } from '../../runtime/core/expr.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { rightOutputNames } from './lower-join.js';
import { Resolver, type FunctionCatalog } from './resolve.js';
import { nearest } from '../../runtime/core/options.js';

export interface UnnestRequest {
  left: PlanNode;
  joinType: 'inner' | 'left';
  arg: LExpr;
  /** Column names from `AS u(a, b)`, if given. */
  columns?: string[];
  loc?: SourceLoc;
}

export function lowerUnnest(plan: PlanBuilder, functions: FunctionCatalog, req: UnnestRequest): CorrelateNode {
  const { left, joinType, loc } = req;
  const arg = new Resolver(left.schema, functions, 'the left side of UNNEST').resolve(req.arg);
  const t = arg.type;
  let fields: Field[];
  let fn: CorrelateNode['fn'];
  if (t.name === 'MAP') {
    fields = [{ name: 'KEY', type: t.key! }, { name: 'VALUE', type: t.value! }];
    fn = { kind: 'unnest', of: 'map' };
  } else if (t.name === 'ARRAY' && t.element!.name === 'ROW') {
    const rowFields = t.element!.fields ?? [];
    fields = rowFields.map((f) => ({ name: f.name, type: withType(f.type, { nullable: f.type.nullable || t.element!.nullable }) }));
    fn = { kind: 'unnest', of: 'array', rowFields: rowFields.map((f) => f.name) };
  } else if (t.name === 'ARRAY') {
    fields = [{ name: 'EXPR$0', type: t.element! }];
    fn = { kind: 'unnest', of: 'array' };
  } else {
    throw new CompileError(`UNNEST takes an ARRAY or a MAP, not ${typeToString(t)}`, req.arg.loc ?? loc, 'UNNEST(tags) of a column declared tags ARRAY<STRING>');
  }
  return correlate(plan, req, `UNNEST of ${typeToString(t)}`, fn, arg, fields);
}

export interface TableFunctionRequest {
  left: PlanNode;
  joinType: 'inner' | 'left';
  /** The call: `f(args)` by the function's registered name. */
  call: Extract<LExpr, { kind: 'call' }>;
  columns?: string[];
  loc?: SourceLoc;
}

/** `LATERAL TABLE(f(args))` of a table function (`@udtf`), its arguments checked against its signature. */
export function lowerTableFunction(plan: PlanBuilder, functions: FunctionCatalog, req: TableFunctionRequest): CorrelateNode {
  const { call } = req;
  const sig = functions.udf(call.fn);
  if (!sig || sig.kind !== 'table') {
    const tables = functions.udfNames().filter((n) => functions.udf(n)?.kind === 'table');
    const near = nearest(call.fn, tables);
    throw new CompileError(sig ? `${sig.name} is ${sig.kind === 'aggregate' ? 'an aggregate' : 'a scalar'} function, not a table function` : `unknown table function '${call.fn}'`, call.loc ?? req.loc,
      near ? `did you mean '${near}'?` : 'declare one with @udtf on a class whose *eval(...) yields rows (docs/udfs.md)');
  }
  const args = new Resolver(req.left.schema, functions, 'the left side of LATERAL TABLE').udfArgs(sig, call);
  const declared: Field[] = [...(sig.resultType.fields ?? [])];
  const fn: CorrelateNode['fn'] = { kind: 'udtf', name: sig.name, rows: sig.rows ?? 'row', fields: declared };
  // The call's value is the iterable of rows (generated code and the interpreter call it as any UDF).
  const rows = { kind: 'udf' as const, name: sig.name, args, type: DataTypes.ARRAY(sig.resultType) };
  return correlate(plan, req, `table function ${sig.name}`, fn, rows, declared);
}

/** The correlate node: the alias's names (checked against `fields`), names made unique beside the left's, NULLs of a LEFT join. */
function correlate(plan: PlanBuilder, req: UnnestRequest | TableFunctionRequest, what: string, fn: CorrelateNode['fn'], arg: Expr, given: Field[]): CorrelateNode {
  const { left, joinType, loc } = req;
  let fields = given;
  if (req.columns) {
    if (req.columns.length !== fields.length) {
      throw new CompileError(`${what} gives ${fields.length} column(s), the alias names ${req.columns.length}`, loc,
        `name ${fields.length}: AS t(${fields.map((f) => f.name.toLowerCase()).join(', ')})`);
    }
    fields = fields.map((f, i) => ({ ...f, name: req.columns![i] }));
  }
  const names = rightOutputNames(left.schema, fields);
  const outputFields = fields.map((f, i) => ({ name: names[i], type: withType(f.type, { timeAttribute: undefined, ...(joinType === 'left' ? { nullable: true } : {}) }) }));
  // As Flink's Correlate, every changelog row is expanded with its own kind: an update's -U takes back the rows
  // the old row gave, its +U sends the new row's. A key no longer names one output row, so an updating output is
  // a retract changelog. (An upsert source, whose updates carry no -U, is refused by validate-changelog.ts.)
  return plan.add<CorrelateNode>({
    kind: 'correlate', input: left.id, joinType, fn, args: [arg], inputFields: left.schema.map((f) => f.name), outputFields,
    schema: [...left.schema, ...outputFields], changelog: left.changelog === 'insert-only' ? 'insert-only' : 'retract', loc,
  });
}
