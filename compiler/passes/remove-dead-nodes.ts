// Drops nodes whose results reach no sink (a Table built in the job body but never inserted anywhere).
import type { JobPlan } from '../../runtime/core/plan.js';
import { inputsOf } from '../../runtime/core/plan.js';

export function removeDeadNodes(plan: JobPlan): JobPlan {
  const live = new Set<string>();
  for (const n of [...plan.nodes].reverse()) {
    if (n.kind === 'sink' || live.has(n.id)) {
      live.add(n.id);
      for (const i of inputsOf(n)) live.add(i);
    }
  }
  return live.size === plan.nodes.length ? plan : { ...plan, nodes: plan.nodes.filter((n) => live.has(n.id)) };
}
