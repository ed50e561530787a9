// Operator names as the REST API and the logs show them (Flink's vertex names).
import { unhandledKind, type PlanNode } from '../core/plan.js';
import { overName } from './over/over-name.js';
import { rankName } from './rank/rank-strategy.js';
import { sortName } from './sort/sort-processor.js';

export function describe(n: PlanNode): string {
  switch (n.kind) {
    case 'source': return `Source: ${n.table}`;
    case 'sink': return `Sink: ${n.table}`;
    case 'calc': return `Calc(${n.projections.map((p) => p.name).join(', ')})`;
    case 'groupAggregate': return `GroupAggregate(groupBy=[${n.keys.join(', ')}])`;
    case 'windowAggregate': return `WindowAggregate(${n.window.type}, groupBy=[${n.keys.join(', ')}])`;
    case 'windowTable': return `WindowTableFunction(${n.window.type})`;
    case 'rank': return rankName(n);
    case 'overAggregate': return overName(n);
    case 'sort': return sortName(n);
    case 'union': return 'Union';
    case 'join': return `${n.interval ? 'IntervalJoin' : n.window ? 'WindowJoin' : n.temporal ? 'TemporalJoin' : 'Join'}(joinType=[${n.joinType}], leftKeys=[${n.leftKeys.join(', ')}], rightKeys=[${n.rightKeys.join(', ')}])`;
    case 'correlate': return `Correlate(${n.fn.kind === 'udtf' ? n.fn.name : 'UNNEST'}, joinType=[${n.joinType}], select=[${n.schema.map((f) => f.name).join(', ')}])`;
    case 'lookupJoin': return `LookupJoin(table=[${n.table}], joinType=[${n.joinType}], lookup=[${n.keys.map((k) => `${k.lookup}=${k.input}`).join(', ')}])`;
    case 'fused': return `Stage ${n.id}`;
    case 'exchange': return `Exchange(${n.distribution.kind})`;
    default: return unhandledKind(n);
  }
}
