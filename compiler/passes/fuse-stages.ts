// Operator fusion: chains of calcs are folded into one stage together with what consumes them, and an
// aggregate's accumulate step joins the stage in front of it, so codegen emits one loop per stage with no
// per-record dispatch. A chain breaks where a calc feeds several consumers (its rows are materialized once
// and shared) and at sources, aggregates and unions (they hold state or merge inputs).
import type { FusedStage, JobPlan, PlanNode } from '../../runtime/core/plan.js';
import { inputsOf } from '../../runtime/core/plan.js';

export function fuseStages(plan: JobPlan): JobPlan {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const consumerCount = new Map<string, number>();
  for (const n of plan.nodes) for (const i of inputsOf(n)) consumerCount.set(i, (consumerCount.get(i) ?? 0) + 1);
  const fanOut = (n: PlanNode) => n.kind === 'calc' && (consumerCount.get(n.id) ?? 0) > 1;

  const stages: FusedStage[] = [];
  const chainInto = (target: PlanNode, from: string, includeTarget: boolean) => {
    const calcs: string[] = includeTarget ? [target.id] : [];
    let cur = byId.get(from)!;
    while (cur.kind === 'calc' && !fanOut(cur)) {
      calcs.unshift(cur.id);
      cur = byId.get(cur.input)!;
    }
    const aggregate = target.kind === 'groupAggregate' || target.kind === 'windowAggregate';
    if (calcs.length === 0 && !aggregate) return;
    stages.push({ id: `s${stages.length + 1}`, input: cur.id, calcs, target: target.id, codeSize: 0 });
  };
  for (const n of plan.nodes) {
    if (n.kind === 'source') continue;
    if (n.kind === 'calc') {
      if (fanOut(n)) chainInto(n, n.input, true);
      continue;
    }
    for (const i of inputsOf(n)) chainInto(n, i, false);
  }
  return { ...plan, stages };
}
