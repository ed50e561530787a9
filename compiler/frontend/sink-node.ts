// A sink node for a query written into a table: the query's columns checked against the table's, in
// order, and renamed or cast to them by a calc when they differ (as Flink's planner does).
import type { DataType, Field } from '../../runtime/core/data-types.js';
import type { PlanNode, SinkNode, SourceLoc } from '../../runtime/core/plan.js';
import type { TableDef } from '../ir/catalog.js';
import { CompileError } from '../ir/diagnostics.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { Resolver, assignable, type FunctionCatalog } from './resolve.js';

export function addSinkNode(plan: PlanBuilder, functions: FunctionCatalog, def: TableDef, node: PlanNode, loc?: SourceLoc): SinkNode {
  const target = def.columns.filter((c) => c.kind === 'physical') as { name: string; type: Field['type'] }[];
  const got = node.schema;
  if (got.length !== target.length) {
    throw new CompileError(`query has ${got.length} column(s) (${got.map((f) => f.name).join(', ')}) but sink '${def.name}' has ${target.length} (${target.map((f) => f.name).join(', ')})`, loc,
      'select exactly the sink columns, in order');
  }
  // Flink does not know which watermark such rows would carry (an interval join keeps both inputs' rowtimes).
  const rowtimes = got.filter((f) => f.type.timeAttribute === 'rowtime').map((f) => f.name);
  if (rowtimes.length > 1) {
    throw new CompileError(`the query contains more than one rowtime attribute column (${rowtimes.join(', ')}) for writing into table '${def.name}'`, loc,
      `keep one rowtime: cast the others to plain timestamps, e.g. CAST(${rowtimes[1]} AS TIMESTAMP(3))`);
  }
  got.forEach((f, i) => {
    if (!assignable(f.type, target[i].type)) {
      throw new CompileError(`column ${i + 1} '${f.name}' of the query has type ${f.type.name} but sink column '${target[i].name}' is ${target[i].type.name}`, loc,
        `cast it: $('${f.name}').cast(DataTypes.${target[i].type.name}())`);
    }
  });
  let input: PlanNode = node;
  // A DECIMAL is its unscaled value at its type's scale (core/decimal.ts): another scale is a cast too.
  const differs = (a: DataType, b: DataType) => a.name !== b.name || (a.name === 'DECIMAL' && (a.scale ?? 0) !== (b.scale ?? 0));
  if (got.some((f, i) => f.name !== target[i].name || differs(f.type, target[i].type))) {
    const r = new Resolver(got, functions);
    input = plan.calc(node, target.map((c, i) => {
      const e = r.resolve({ kind: 'ref', name: got[i].name });
      return { name: c.name, expr: !differs(e.type, c.type) ? e : { kind: 'call', fn: 'cast', args: [e], type: c.type } };
    }), null, loc);
    if (node.upsertKey) (input as { upsertKey?: string[] }).upsertKey = node.upsertKey.map((k) => target[got.findIndex((f) => f.name === k)]?.name).filter(Boolean);
  }
  return plan.add<SinkNode>({
    kind: 'sink', input: input.id, table: def.name, connector: def.options.connector ?? '', options: def.options,
    primaryKey: def.primaryKey, schema: target.map((c) => ({ name: c.name, type: c.type })), changelog: input.changelog, loc, optionLocs: def.optionLocs,
  });
}
