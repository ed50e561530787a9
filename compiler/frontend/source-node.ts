// A source node from a table's DDL: physical, computed and PROCTIME() columns, the watermark's rowtime
// column, and the changelog its connector declares.
import { DataTypes, withType, type Field } from '../../runtime/core/data-types.js';
import type { SourceNode } from '../../runtime/core/plan.js';
import { producedChangelog } from '../../runtime/connectors/check-table.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import type { TableDef } from '../ir/catalog.js';
import { CompileError } from '../ir/diagnostics.js';
import { Resolver, type FunctionCatalog } from './resolve.js';

/** The source node's fields (the PlanBuilder adds its id and kind). */
export function sourceOf(def: TableDef, functions: FunctionCatalog): Omit<SourceNode, 'id' | 'kind' | 'loc'> {
  const schema: Field[] = [];
  const physical: Field[] = [];
  const computed: SourceNode['computed'] = [];
  let proctime: string | null = null;
  for (const c of def.columns) {
    if (c.kind === 'physical') {
      physical.push({ name: c.name, type: c.type });
      schema.push({ name: c.name, type: c.type });
    } else if (c.kind === 'proctime') {
      proctime = c.name;
      schema.push({ name: c.name, type: withType(DataTypes.TIMESTAMP_LTZ(3).notNull!(), { timeAttribute: 'proctime' }) });
    } else {
      const expr = new Resolver(schema, functions, `table '${def.name}'`).resolve(c.expr);
      computed.push({ name: c.name, expr });
      schema.push({ name: c.name, type: expr.type });
    }
  }
  if (def.watermark) {
    const i = schema.findIndex((f) => f.name === def.watermark!.column);
    if (i < 0) throw new CompileError(`WATERMARK FOR '${def.watermark.column}': no such column in '${def.name}'`, def.watermark.loc ?? def.loc);
    if (!['TIMESTAMP', 'TIMESTAMP_LTZ'].includes(schema[i].type.name)) {
      throw new CompileError(`WATERMARK FOR '${def.watermark.column}': the column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), not ${schema[i].type.name}`, def.watermark.loc ?? def.loc);
    }
    schema[i] = { name: schema[i].name, type: withType(schema[i].type, { timeAttribute: 'rowtime' }) };
  }
  // As the connector declares (an unknown one is reported by validate-connectors).
  const known = findConnector(def.options.connector ?? '');
  const produces = known ? producedChangelog(known, def.options) : 'insert-only';
  return {
    table: def.name, connector: def.options.connector ?? '', options: def.options, declared: [...physical], physical, computed,
    watermark: def.watermark ? { column: def.watermark.column, delayMs: def.watermark.delayMs } : null,
    proctime, schema, changelog: produces, optionLocs: def.optionLocs,
    upsertKey: produces === 'upsert' ? def.primaryKey : undefined,
  };
}
