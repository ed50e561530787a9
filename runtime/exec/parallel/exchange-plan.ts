// Where a parallel job's plan is cut (see parallel-runner.ts): every exchange that is not `forward` crosses
// subtasks, and each subtask (a worker thread) runs subtask i of every vertex between such exchanges. This
// module reads the cuts off the plan: the crossing exchanges in a fixed order (their index names them in
// channel messages), whether an exchange carries partial aggregates (its input is a fused node ending in an
// aggregate's accumulate step: Flink's local-global aggregation), and what feeds each exchange inside a
// subtask (the sources and the crossing exchanges upstream of it, up to the previous cut), which is when it
// may pass a checkpoint barrier on: once all of those are at the barrier.
import { UserError } from '../../core/errors.js';
import { inputsOf, unhandledKind, type ExchangeNode, type JobPlan, type PlanNode } from '../../core/plan.js';

export interface Cut {
  /** Index in the plan's list of crossing exchanges (channel messages name it). */
  index: number;
  node: ExchangeNode;
  /** Carries [keys, accumulators] (windows: [start, end, key, keys, accumulators]) instead of rows. */
  partial: boolean;
  /** Ids of the sources and crossing exchanges whose barriers it waits for. */
  feeders: string[];
}

export interface ExchangePlan {
  cuts: Cut[];
  byId: Map<string, Cut>;
  /** Every input of a subtask: its source pumps and the crossing exchanges it receives from. */
  inputs: string[];
}

export function crosses(n: PlanNode): n is ExchangeNode {
  return n.kind === 'exchange' && n.distribution.kind !== 'forward';
}

export function exchangePlan(plan: JobPlan): ExchangePlan {
  const byNode = new Map(plan.nodes.map((n) => [n.id, n]));
  const cuts: Cut[] = [];
  for (const n of plan.nodes) {
    if (!crosses(n)) continue;
    const input = byNode.get(n.input)!;
    cuts.push({ index: cuts.length, node: n, partial: input.kind === 'fused' && input.accumulateInto !== null, feeders: feedersOf(n.input, byNode) });
  }
  const inputs = [...plan.nodes.filter((n) => n.kind === 'source').map((n) => n.id), ...cuts.map((c) => c.node.id)];
  return { cuts, byId: new Map(cuts.map((c) => [c.node.id, c])), inputs };
}

/** The sources and crossing exchanges upstream of `id` without crossing another cut. */
function feedersOf(id: string, byNode: Map<string, PlanNode>): string[] {
  const out = new Set<string>();
  const walk = (nid: string) => {
    const n = byNode.get(nid)!;
    if (n.kind === 'source' || crosses(n)) { out.add(n.id); return; }
    for (const i of inputsOf(n)) walk(i);
  };
  walk(id);
  return [...out];
}

/**
 * Whether every operator of the plan can run as parallel subtasks (a new node kind must say so here): a
 * parallelism that cannot be honoured is an error naming the operator, never silently ignored.
 */
export function checkParallelizable(plan: JobPlan): void {
  for (const n of plan.nodes) {
    switch (n.kind) {
      // Keyed operators get their rows through a hash exchange (compiler/passes/insert-exchanges.ts); the others
      // run in the subtask that feeds them.
      case 'source': case 'calc': case 'fused': case 'exchange': case 'windowTable': case 'join': case 'rank': case 'overAggregate': case 'sort': case 'lookupJoin': case 'correlate': case 'union': case 'sink': break;
      // Subtasks pre-aggregate (local-global aggregation, local-global.ts): the owner merges their accumulators.
      // Flink falls back to one phase for a function without merge; sluice's local step is fused into the stage
      // before the exchange, so it asks for merge (docs/udfs.md). A DISTINCT call merges its distinct tuples'
      // counts, feeding the function's accumulate and retract (runtime/core/user-aggs.ts), not its merge.
      case 'groupAggregate': case 'windowAggregate': {
        const unmergeable = n.aggs.find((a) => a.udaf && !a.udaf.merge && !a.distinct);
        if (unmergeable) {
          throw new UserError(`aggregate function '${unmergeable.udaf!.name}' has no merge method, which a parallel job needs (its subtasks pre-aggregate and the key's owner merges their accumulators)`,
            'add merge(acc, others) to it, adding each accumulator of others into acc; or run at parallelism 1');
        }
        break;
      }
      default: unhandledKind(n);
    }
  }
}
