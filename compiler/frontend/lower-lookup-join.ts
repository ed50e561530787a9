// A lookup join as SQL writes it (`JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON d.k = o.k`), into a
// `lookupJoin` plan node: the ON condition's `lookup column = input column` conjuncts are the lookup keys (as
// Flink's planner requires at least one), the rest is evaluated per looked-up row. The output is the input's
// columns, time attributes kept, then the table's physical columns (nullable on a LEFT join).
import { connectors } from '../../runtime/connectors/registry.js';
import { withType, type Field } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';
import type { LookupJoinNode, PlanNode, SourceLoc, SourceNode } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import type { LExpr } from '../ir/logical-expr.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { conjuncts } from './interval-bounds.js';
import { resolveJoinCondition } from './lower-join.js';
import type { FunctionCatalog } from './resolve.js';

export interface LookupJoinRequest {
  left: PlanNode;
  /** The scan of the looked-up table (a source node of a connector with the lookup role). */
  table: PlanNode;
  joinType: 'inner' | 'left';
  condition: LExpr | null;
  /** Output names of the table's columns (rightOutputNames). */
  rightNames: string[];
  loc?: SourceLoc;
}

/** Why a table cannot be looked up, or null when it can (a plain scan of a connector with the lookup role). */
export function notLookupTable(table: PlanNode): string | null {
  if (table.kind !== 'source') return 'FOR SYSTEM_TIME AS OF applies to a table of the catalog, not to a view or subquery';
  if (!connectors.get(table.connector)?.roles.includes('lookup')) {
    const can = [...connectors.values()].filter((c) => c.roles.includes('lookup')).map((c) => c.name).join(', ');
    return `table '${table.table}' (connector '${table.connector}') cannot be looked up: lookup joins read tables of ${can}; join FOR SYSTEM_TIME AS OF a rowtime of the left table for a temporal join against a versioned table (primary key and watermark)`;
  }
  return null;
}

export function lowerLookupJoin(plan: PlanBuilder, functions: FunctionCatalog, req: LookupJoinRequest): LookupJoinNode {
  const { left, joinType, loc } = req;
  const table = req.table as SourceNode;
  const plain = (f: Field, name: string) => ({ name, type: withType(f.type, { timeAttribute: undefined }) });
  const lookupFields = table.declared;
  const names = lookupFields.map((f) => req.rightNames[table.schema.findIndex((s) => s.name === f.name)]);
  const inputs = [...left.schema.map((f) => plain(f, f.name)), ...lookupFields.map((f, i) => plain(f, names[i]))];
  if (!req.condition) throw new CompileError('a lookup join needs an ON condition', loc, 'join ON d.k = o.k');
  const condition = resolveJoinCondition(inputs, functions, req.condition, loc);
  const side = new Map<string, [0 | 1, string]>([
    ...left.schema.map((f): [string, [0 | 1, string]] => [f.name, [0, f.name]]),
    ...lookupFields.map((f, i): [string, [0 | 1, string]] => [names[i], [1, f.name]]),
  ]);
  const keys: { lookup: string; input: string }[] = [];
  const rest: Expr[] = [];
  for (const c of conjuncts(condition)) {
    if (c.kind === 'call' && c.fn === 'eq' && c.args[0].kind === 'field' && c.args[1].kind === 'field') {
      const [a, b] = [side.get(c.args[0].name)!, side.get(c.args[1].name)!];
      if (a[0] !== b[0]) { keys.push(a[0] === 1 ? { lookup: a[1], input: b[1] } : { lookup: b[1], input: a[1] }); continue; }
    }
    rest.push(c);
  }
  if (keys.length === 0) {
    throw new CompileError(`a lookup join needs an equality between a column of '${table.table}' and a column of the input`, req.condition.loc ?? loc,
      'add the key to the ON condition: ON d.k = o.k');
  }
  const schema: Field[] = [
    ...left.schema,
    ...lookupFields.map((f, i) => ({ name: names[i], type: withType(f.type, { timeAttribute: undefined, ...(joinType === 'left' ? { nullable: true } : {}) }) })),
  ];
  return plan.add<LookupJoinNode>({
    kind: 'lookupJoin', input: left.id, joinType, table: table.table, connector: table.connector, options: table.options,
    inputFields: left.schema.map((f) => f.name), lookupFields, keys, schema, changelog: left.changelog, loc,
    condition: rest.length === 0 ? null : rest.reduce((a, b) => ({ kind: 'call', fn: 'and', args: [a, b], type: withType(a.type, { nullable: a.type.nullable || b.type.nullable }) })),
  });
}
