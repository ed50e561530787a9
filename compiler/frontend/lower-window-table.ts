// A window table function read as a table (`FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))` without a GROUP BY
// of its window_start and window_end): a windowTable node, whose rows are the input's with the window's columns
// appended. What reads it (a WHERE, a window Top-N or deduplication, an OVER aggregate, a regular GROUP BY) sees
// plain columns; a GROUP BY window_start, window_end does not come here but becomes a window aggregate.
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { WINDOW_TABLE_COLUMNS, type PlanNode, type SourceLoc, type WindowTableNode } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import type { GroupWindowDef } from '../ir/logical-expr.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { propertyType, windowSpec } from './lower-aggregate.js';
import { Resolver, type FunctionCatalog } from './resolve.js';

export function lowerWindowTable(plan: PlanBuilder, functions: FunctionCatalog, input: PlanNode, def: GroupWindowDef, loc: SourceLoc | undefined): WindowTableNode {
  if (def.type === 'session') {
    throw new CompileError('a SESSION window table function is only supported under GROUP BY window_start, window_end', loc,
      'aggregate per session: SELECT window_start, window_end, k, COUNT(*) FROM TABLE(SESSION(...)) GROUP BY window_start, window_end, k');
  }
  if (input.changelog !== 'insert-only') {
    throw new CompileError('a window table function over an updating input (a CDC source, a group-by, an outer join) is not supported', loc,
      'window the append-only input, as Flink requires');
  }
  const window = windowSpec(def, new Resolver(input.schema, functions), (time) => (time as { name: string }).name);
  const clash = input.schema.find((f) => (WINDOW_TABLE_COLUMNS as readonly string[]).includes(f.name));
  if (clash) throw new CompileError(`the input of the window table function has a column '${clash.name}' already`, loc, 'rename it in a subquery first');
  const own: Field[] = [
    { name: 'window_start', type: DataTypes.TIMESTAMP(3).notNull!() },
    { name: 'window_end', type: DataTypes.TIMESTAMP(3).notNull!() },
    { name: 'window_time', type: propertyType(window.time === 'event' ? 'rowtime' : 'proctime') },
  ];
  return plan.add<WindowTableNode>({ kind: 'windowTable', input: input.id, window, schema: [...input.schema, ...own], changelog: 'insert-only', loc });
}
