// Gives every node a stable operator id: a hash of what the node does and of its inputs' ids, never of its
// position in the plan. The same job recompiled gets the same ids, so a savepoint's state maps back to its
// operators; a changed operator gets a new id, and its old state is reported as not restored.
import { createHash } from 'node:crypto';
import type { JobPlan, PlanNode } from '../../runtime/core/plan.js';
import { inputsOf, unhandledKind } from '../../runtime/core/plan.js';

export function assignIds(plan: JobPlan): JobPlan {
  const rename = new Map<string, string>();
  const used = new Set<string>();
  const nodes = plan.nodes.map((n): PlanNode => {
    const inputs = inputsOf(n).map((i) => rename.get(i) ?? i);
    // Provisional ids (input, inputs) and source locations say nothing about what the node does.
    const { id: _id, loc: _loc, optionLocs: _locs, input: _input, inputs: _inputs, left: _left, right: _right, ...content } = n as PlanNode & { input?: string; inputs?: string[]; left?: string; right?: string; optionLocs?: unknown };
    const hash = createHash('sha1').update(JSON.stringify({ ...content, inputs })).digest('hex').slice(0, 32);
    let id = hash;
    for (let k = 1; used.has(id); k++) id = `${hash}-${k}`;
    used.add(id);
    rename.set(n.id, id);
    switch (n.kind) {
      case 'source': return { ...n, id };
      case 'union': return { ...n, id, inputs };
      case 'join': return { ...n, id, left: inputs[0], right: inputs[1] };
      case 'calc': case 'groupAggregate': case 'windowAggregate': case 'windowTable': case 'sink': case 'fused': case 'exchange': case 'rank': case 'overAggregate': case 'sort': case 'lookupJoin': case 'correlate': return { ...n, id, input: inputs[0] };
      default: return unhandledKind(n);
    }
  });
  return { ...plan, nodes };
}
