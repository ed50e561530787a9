// Flink's Table.explain(): the plan of one query as if it were written to a sink, shown logical and then
// optimized and fused, with the generated code's sizes.
import { inputsOf, type JobPlan, type SinkNode } from '../../runtime/core/plan.js';
import { blackhole } from '../../runtime/connectors/blackhole/connector.js';
import { emitStages, withCodeSizes } from '../codegen/emit-stages.js';
import { explainPlan } from '../ir/explain.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { optimize } from '../passes/index.js';
import type { Table } from './table.js';

export function explainTable(plan: PlanBuilder, config: Record<string, string>, t: Table): string {
  const upstream = new Set<string>();
  const visit = (id: string) => { if (!upstream.has(id)) { upstream.add(id); inputsOf(plan.node(id)).forEach(visit); } };
  visit(t.node.id);
  const sink: SinkNode = {
    kind: 'sink', id: 'explain', input: t.node.id, table: '<explain>', connector: blackhole.name, options: { connector: blackhole.name },
    primaryKey: [], schema: t.node.schema, changelog: t.node.changelog,
  };
  const logical: JobPlan = { name: 'explain', args: [], config: { ...config }, nodes: [...plan.nodes.filter((n) => upstream.has(n.id)), sink], udfs: [] };
  const optimized = optimize(logical);
  return explainPlan(logical, withCodeSizes(optimized, emitStages(optimized).stageSizes));
}
