// The correlate operator (plan node `correlate`, Flink's Correlate): each input row joined with the rows that
// UNNEST of one of its values gives (an array's elements, a ROW element's fields as columns, a map's entries),
// or that a table function (`@udtf`) called with its values yields. A LEFT correlate keeps a row whose
// collection is empty or NULL, with NULLs. Stateless; row kinds pass through, so a retracted input row retracts
// each row it gave (a table function is called again for it, and must give the same rows, as in Flink).
import type { RowCondition } from '../core/kernels.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { CorrelateNode } from '../core/plan.js';
import { rowBuilder, type Row, type RowBuilder, type RowKind } from '../core/row.js';
import { typeToString } from '../core/data-types.js';
import { UserError } from '../core/errors.js';
import { Emitter, type Processor } from './processors.js';

/** The key of a correlate's argument in StageCode.conditions (generated and interpreted alike). */
export const correlateArg = (id: string, i: number) => `${id}#arg${i}`;

export class CorrelateProcessor extends Emitter implements Processor {
  private readonly build: RowBuilder;
  private readonly width: number;

  constructor(private readonly node: CorrelateNode, private readonly args: RowCondition[], metrics: OperatorMetrics) {
    super(metrics);
    this.build = rowBuilder([...node.inputFields, ...node.outputFields.map((f) => f.name)]);
    this.width = node.outputFields.length;
  }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const out: Row[] = [];
    const outKinds: RowKind[] | null = kinds === null ? null : [];
    const { inputFields, joinType } = this.node;
    const values: unknown[] = new Array(inputFields.length + this.width);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      for (let c = 0; c < inputFields.length; c++) values[c] = row[inputFields[c]] ?? null;
      const tuples = this.expand(this.args[0](row));
      if (tuples.length === 0 && joinType === 'left') tuples.push(new Array(this.width).fill(null));
      for (const t of tuples) {
        for (let c = 0; c < this.width; c++) values[inputFields.length + c] = t[c] ?? null;
        out.push(this.build(values));
        if (outKinds !== null) outKinds.push(kinds![i]);
      }
    }
    this.emit(out, outKinds);
  }

  /** The function's rows for one argument value, each as its columns' values. */
  private expand(v: unknown): unknown[][] {
    if (v === null || v === undefined) return [];
    const fn = this.node.fn;
    if (fn.kind === 'udtf') return tableFunctionRows(fn, v as Iterable<unknown>);
    if (fn.of === 'map') return [...(v as Map<unknown, unknown>)];
    const fields = fn.rowFields;
    if (fields) return (v as (Record<string, unknown> | null)[]).map((e) => fields.map((f) => (e === null ? null : e[f])));
    return (v as unknown[]).map((e) => [e]);
  }
}

type UdtfCall = Extract<CorrelateNode['fn'], { kind: 'udtf' }>;

/**
 * What a table function yielded, as its columns' values: a tuple by position, an object by column name, or for
 * one column declared so (`rows: 'scalar'`) the value itself. A NULL (or undefined) in a NOT NULL column fails
 * the job naming the function, as a scalar UDF's missing NOT NULL result does.
 */
function tableFunctionRows(fn: UdtfCall, rows: Iterable<unknown>): unknown[][] {
  const out: unknown[][] = [];
  const { fields } = fn;
  for (const r of rows) {
    let values: unknown[];
    if (fn.rows === 'scalar') values = [r];
    else if (Array.isArray(r)) values = r;
    else if (r !== null && typeof r === 'object') values = fields.map((f) => (r as Record<string, unknown>)[f.name]);
    else throw new UserError(`table function '${fn.name}' yielded ${JSON.stringify(r)}, not a row`, `yield a tuple [${fields.map((f) => f.name).join(', ')}] or an object { ${fields.map((f) => f.name).join(', ')} }`);
    for (let c = 0; c < fields.length; c++) {
      const x = values[c];
      if ((x === null || x === undefined) && !fields[c].type.nullable) {
        throw new UserError(`table function '${fn.name}' yielded a row whose column ${fields[c].name} is ${x === undefined ? 'undefined' : 'null'}, but it is declared ${typeToString(fields[c].type)}`,
          'give every column a value, or declare the column nullable (`string | null` in TypeScript, or a nullable type)');
      }
    }
    out.push(values);
  }
  return out;
}
