// Flink's Table.explain() and StatementSet.explain(): the plan of one query (or of a statement set's inserts) as if it were written to a sink, shown logical and then
// optimized and fused, with the generated code's sizes.
import { inputsOf, type JobPlan, type PlanNode, type SinkNode } from '../../runtime/core/plan.js';
import { blackhole } from '../../runtime/connectors/blackhole/connector.js';
import { emitStages, withCodeSizes } from '../codegen/emit-stages.js';
import { explainPlan } from '../ir/explain.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { optimize } from '../passes/index.js';
import type { Table } from './table.js';

export function explainTable(plan: PlanBuilder, config: Record<string, string>, t: Table): string {
  const sink: SinkNode = {
    kind: 'sink', id: 'explain', input: t.node.id, table: '<explain>', connector: blackhole.name, options: { connector: blackhole.name },
    primaryKey: [], schema: t.node.schema, changelog: t.node.changelog,
  };
  return explainSinks([...plan.nodes, sink], config, [sink]);
}

/**
 * The plan of some sinks (a query's stand-in sink, or a statement set's inserts) as one job: the nodes they
 * read, shown logical and then optimized and fused. Sources read by several sinks appear once.
 */
export function explainSinks(nodes: readonly PlanNode[], config: Record<string, string>, sinks: readonly SinkNode[]): string {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const upstream = new Set<string>();
  const visit = (id: string) => { if (!upstream.has(id)) { upstream.add(id); inputsOf(byId.get(id)!).forEach(visit); } };
  sinks.forEach((s) => visit(s.id));
  const logical: JobPlan = { name: 'explain', args: [], config: { ...config }, nodes: nodes.filter((n) => upstream.has(n.id)), udfs: [] };
  const optimized = optimize(logical);
  return explainPlan(logical, withCodeSizes(optimized, emitStages(optimized).stageSizes));
}
