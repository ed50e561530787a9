// Operator fusion, the last pass: every chain of calcs becomes one `fused` node (runtime/core/plan.ts), for
// which codegen emits one loop per batch with no per-record dispatch. A chain breaks where a calc feeds
// several consumers (its rows are materialized once and shared) and at sources, exchanges, aggregates and
// unions and ranks (they hold state, move rows between subtasks or merge inputs). An aggregate's accumulate step
// joins the chain in front of its exchange: the loop ends in the aggregate's (or, at parallelism > 1, a
// local pre-aggregate's) state, so a shuffle carries partial aggregates; such a node exists even with no calc.
// A chain that is the only reader of a regular join becomes the join's output (FusedNode.joinOutput): the join
// applies the calcs to each pair, so no joined row is built only to be projected (bench/README.md, issue 14.8).
import type { CalcNode, FusedNode, JobPlan, JoinNode, PlanNode } from '../../runtime/core/plan.js';
import { calls } from '../../runtime/core/expr.js';
import { inputsOf, unhandledKind } from '../../runtime/core/plan.js';

export function fuseStages(plan: JobPlan): JobPlan {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const consumers = new Map<string, PlanNode[]>();
  for (const n of plan.nodes) for (const i of inputsOf(n)) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  // A calc continues a chain into its consumer only when that consumer is its one reader and a calc too.
  const endsChain = (c: CalcNode) => {
    const cs = consumers.get(c.id) ?? [];
    return cs.length !== 1 || cs[0].kind !== 'calc';
  };
  /** The aggregate an exchange feeds, when the exchange is its only consumer (then the accumulate step is fused). */
  const aggregateAfter = (x: PlanNode): string | null => {
    const cs = consumers.get(x.id) ?? [];
    return x.kind === 'exchange' && cs.length === 1 && (cs[0].kind === 'groupAggregate' || cs[0].kind === 'windowAggregate') ? cs[0].id : null;
  };

  /**
   * The regular join a chain starting at `input` can be the output of: a plain one (not interval, window or
   * temporal: their operators build their own rows; not semi or anti: its rows are the left input's) with no
   * condition beyond its keys (the condition reads the joined row), read by this chain alone, whose calcs do not
   * read CURRENT_WATERMARK (the join has no cell for it).
   */
  const joinBefore = (input: string, calcs: CalcNode[]): JoinNode | null => {
    const j = byId.get(input);
    if (j?.kind !== 'join' || j.interval || j.window || j.temporal || j.joinType === 'semi' || j.joinType === 'anti') return null;
    if (j.condition !== null || (consumers.get(j.id) ?? []).length !== 1) return null;
    const exprs = calcs.flatMap((c) => [...(c.filter ? [c.filter] : []), ...c.projections.map((p) => p.expr)]);
    return exprs.some((e) => calls(e, 'currentWatermark')) ? null : j;
  };

  const fusedOf = new Map<string, string>(); // old id (last calc, or the exchange's input) -> fused node id
  let count = 0;
  const fused = (input: string, calcs: CalcNode[], accumulateInto: string | null): FusedNode => {
    const last = calcs.length ? calcs[calcs.length - 1] : byId.get(input)!;
    return {
      kind: 'fused', id: `s${++count}`, input: fusedOf.get(input) ?? input, calcs, accumulateInto, codeSize: 0,
      schema: last.schema, changelog: last.changelog, upsertKey: last.upsertKey,
    };
  };
  const chainBack = (c: CalcNode): CalcNode[] => {
    const chain = [c];
    for (let cur = byId.get(c.input)!; cur.kind === 'calc' && !endsChain(cur); cur = byId.get(cur.input)!) chain.unshift(cur);
    return chain;
  };

  const nodes: PlanNode[] = [];
  const to = (id: string) => fusedOf.get(id) ?? id;
  for (const n of plan.nodes) {
    switch (n.kind) {
      case 'calc': {
        if (!endsChain(n)) break; // a later calc of the chain takes it in
        const chain = chainBack(n);
        const cs = consumers.get(n.id) ?? [];
        const into = cs.length === 1 ? aggregateAfter(cs[0]) : null;
        const f = fused(chain[0].input, chain, into);
        const join = into === null ? joinBefore(chain[0].input, chain) : null;
        nodes.push(join ? { ...f, joinOutput: join.id } : f);
        fusedOf.set(n.id, f.id);
        break;
      }
      case 'exchange': {
        const into = aggregateAfter(n);
        const input = byId.get(n.input)!;
        const chained = input.kind === 'calc' && consumers.get(input.id)!.length === 1;
        // An aggregate's accumulate step with no calc chained before it still gets a loop of its own.
        if (into && !chained) {
          const f = fused(n.input, [], into);
          nodes.push(f);
          nodes.push({ ...n, input: f.id });
        } else nodes.push({ ...n, input: to(n.input) });
        break;
      }
      case 'source': nodes.push(n); break;
      case 'union': nodes.push({ ...n, inputs: n.inputs.map(to) }); break;
      case 'join': nodes.push({ ...n, left: to(n.left), right: to(n.right) }); break;
      case 'groupAggregate': case 'windowAggregate': case 'windowTable': case 'sink': case 'fused': case 'rank': case 'overAggregate': case 'sort': case 'lookupJoin': case 'correlate': nodes.push({ ...n, input: to(n.input) }); break;
      default: unhandledKind(n);
    }
  }
  return { ...plan, nodes };
}
