// Puts an exchange in front of every keyed operator: a group or window aggregate's rows must reach the
// subtask that owns their key's key group (runtime/exec/key-groups.ts), so its input is distributed by
// hash of the grouping keys (no keys: every row to key group 0's subtask, as Flink runs a global aggregate).
// A join's two inputs are distributed by their join keys, a sort's rows all go to one subtask. Every other edge stays forward: sources, calcs, unions and sinks run in the subtask that feeds them.
// Runs after the rewrites (they see no exchanges) and before fusion, which fuses up to an exchange.
import type { ExchangeNode, JobPlan, PlanNode } from '../../runtime/core/plan.js';
import { unhandledKind } from '../../runtime/core/plan.js';

export const exchangeId = (consumer: string) => `x:${consumer}`;

export function insertExchanges(plan: JobPlan): JobPlan {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const nodes: PlanNode[] = [];
  for (const n of plan.nodes) {
    switch (n.kind) {
      case 'groupAggregate': case 'windowAggregate': {
        const input = byId.get(n.input)!;
        if (input.kind === 'exchange') { nodes.push(n); break; }
        const x: ExchangeNode = {
          kind: 'exchange', id: exchangeId(n.id), input: n.input, distribution: { kind: 'hash', keys: n.keys },
          schema: input.schema, changelog: input.changelog, upsertKey: input.upsertKey,
        };
        nodes.push(x, { ...n, input: x.id });
        break;
      }
      case 'join': {
        // Both inputs by their join keys, so that matching rows meet in one subtask.
        const side = (input: string, keys: string[], tag: string): string => {
          const i = byId.get(input)!;
          if (i.kind === 'exchange') return input;
          nodes.push({ kind: 'exchange', id: `${exchangeId(n.id)}:${tag}`, input, distribution: { kind: 'hash', keys }, schema: i.schema, changelog: i.changelog, upsertKey: i.upsertKey });
          return `${exchangeId(n.id)}:${tag}`;
        };
        nodes.push({ ...n, left: side(n.left, n.leftKeys, 'left'), right: side(n.right, n.rightKeys, 'right') });
        break;
      }
      case 'rank': case 'overAggregate': {
        // Every row of a partition reaches the subtask owning it (no partition keys: one subtask ranks all).
        const input = byId.get(n.input)!;
        if (input.kind === 'exchange') { nodes.push(n); break; }
        const x: ExchangeNode = {
          kind: 'exchange', id: exchangeId(n.id), input: n.input, distribution: { kind: 'hash', keys: n.partitionKeys },
          schema: input.schema, changelog: input.changelog, upsertKey: input.upsertKey,
        };
        nodes.push(x, { ...n, input: x.id });
        break;
      }
      case 'sort': {
        // A sort sees every row: one subtask sorts them all (Flink's singleton distribution).
        const input = byId.get(n.input)!;
        if (input.kind === 'exchange') { nodes.push(n); break; }
        const x: ExchangeNode = {
          kind: 'exchange', id: exchangeId(n.id), input: n.input, distribution: { kind: 'hash', keys: [] },
          schema: input.schema, changelog: input.changelog, upsertKey: input.upsertKey,
        };
        nodes.push(x, { ...n, input: x.id });
        break;
      }
      // A lookup join looks each row up where it is (Flink's lookup join keeps its input's distribution); a window
      // table function is stateless.
      case 'source': case 'calc': case 'union': case 'sink': case 'fused': case 'exchange': case 'lookupJoin': case 'correlate': case 'windowTable': nodes.push(n); break;
      default: unhandledKind(n);
    }
  }
  return { ...plan, nodes };
}
