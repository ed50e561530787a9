// Which columns of a sink table identify a row, for comparing what a sink holds with what it should hold:
// its PRIMARY KEY; else the columns that come unchanged from the grouping keys and window properties of the
// aggregate feeding it (the click count's windowStart, windowEnd, page), followed back through the calcs in
// between; else none (a row is its own key: rows are matched as a multiset).
import { inputsOf, type JobPlan, type PlanNode, type SinkNode } from '../core/plan.js';

export function sinkKey(plan: JobPlan, sink: SinkNode): string[] | null {
  if (sink.primaryKey.length > 0) return sink.primaryKey;
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  // Sink column → the name it has in the node being looked at, going upstream.
  let names = new Map(sink.schema.map((f) => [f.name, f.name as string | null]));
  let node: PlanNode | undefined = byId.get(sink.input);
  while (node) {
    switch (node.kind) {
      case 'groupAggregate': case 'windowAggregate': {
        const keys = new Set<string>([...node.keys, ...(node.kind === 'windowAggregate' ? node.properties.map((p) => p.name) : [])]);
        const out = [...names].filter(([, n]) => n !== null && keys.has(n)).map(([col]) => col);
        return out.length > 0 ? out : null;
      }
      case 'fused': case 'calc': {
        const calcs = node.kind === 'fused' ? node.calcs : [node];
        for (let i = calcs.length - 1; i >= 0; i--) {
          const proj = new Map(calcs[i].projections.map((p) => [p.name, p.expr]));
          names = new Map([...names].map(([col, n]) => {
            const e = n === null ? undefined : proj.get(n);
            return [col, e?.kind === 'field' ? e.name : null];
          }));
        }
        break;
      }
      case 'exchange': break;
      default: return null;
    }
    const inputs = inputsOf(node);
    node = inputs.length === 1 ? byId.get(inputs[0]) : undefined;
  }
  return null;
}
