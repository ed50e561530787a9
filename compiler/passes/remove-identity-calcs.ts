// Removes calcs that pass their input through unchanged (no filter; the same columns, names and order),
// which the API's lowering leaves behind (e.g. a select of every column). Consumers read the input instead.
import { unhandledKind, type CalcNode, type JobPlan, type PlanNode } from '../../runtime/core/plan.js';

export function removeIdentityCalcs(plan: JobPlan): JobPlan {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const replace = new Map<string, string>();
  for (const n of plan.nodes) {
    if (n.kind === 'calc' && isIdentity(n, byId.get(n.input)!)) replace.set(n.id, replace.get(n.input) ?? n.input);
  }
  if (replace.size === 0) return plan;
  const to = (id: string) => replace.get(id) ?? id;
  const nodes = plan.nodes.filter((n) => !replace.has(n.id)).map((n): PlanNode => {
    switch (n.kind) {
      case 'source': return n;
      case 'union': return { ...n, inputs: n.inputs.map(to) };
      case 'join': return { ...n, left: to(n.left), right: to(n.right) };
      case 'calc': case 'groupAggregate': case 'windowAggregate': case 'windowTable': case 'sink': case 'fused': case 'exchange': case 'rank': case 'overAggregate': case 'sort': case 'lookupJoin': case 'correlate': return { ...n, input: to(n.input) };
      default: return unhandledKind(n);
    }
  });
  return { ...plan, nodes };
}

function isIdentity(n: CalcNode, input: PlanNode): boolean {
  return n.filter === null && n.projections.length === input.schema.length &&
    n.projections.every((p, i) => p.expr.kind === 'field' && p.expr.name === input.schema[i].name && p.name === input.schema[i].name);
}
