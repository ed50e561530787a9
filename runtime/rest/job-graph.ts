// A plan seen as Flink's job graph: operators joined by forward edges form one chained vertex, named
// "Source: t -> Calc(...) -> ..." as Flink names a chain; a chain ends where records change hands by key
// (the input of a group or window aggregate: Flink's HASH exchange), where several inputs meet (a union)
// and where an operator feeds several consumers. The vertex id is its first operator's id (32 hex digits,
// stable across compiles). Vertices list in dependency order, as the plan's nodes do.
import { describe } from '../exec/describe.js';
import { inputsOf, operatorsOf, type JobPlan, type PlanNode } from '../core/plan.js';

export type ShipStrategy = 'FORWARD' | 'HASH';

export interface JobVertex {
  id: string;
  name: string;
  /** The chained operators, head first. */
  nodes: PlanNode[];
  inputs: { id: string; ship: ShipStrategy }[];
}

/** How records reach `n` from its input: by key into an aggregate or a rank, else as they come. */
export function shipStrategy(n: PlanNode): ShipStrategy {
  switch (n.kind) {
    case 'groupAggregate':
    case 'windowAggregate':
    case 'join':
    case 'rank':
    case 'overAggregate':
    // A sort's rows all go to one subtask: hash of no key (Flink calls it GLOBAL).
    case 'sort':
      return 'HASH';
    case 'source':
    case 'calc':
    case 'lookupJoin':
    case 'correlate':
    case 'windowTable':
    case 'union':
    case 'sink':
    // Not among operatorsOf(plan): a fused node stands for its calcs, an exchange is an edge.
    case 'fused':
    case 'exchange':
      return 'FORWARD';
    default: {
      const never: never = n;
      return never;
    }
  }
}

const graphs = new WeakMap<JobPlan, JobVertex[]>();

export function jobVertices(plan: JobPlan): JobVertex[] {
  const cached = graphs.get(plan);
  if (cached) return cached;
  const operators = operatorsOf(plan);
  const consumers = new Map<string, number>();
  for (const n of operators) for (const i of inputsOf(n)) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const vertexOf = new Map<string, JobVertex>();
  const vertices: JobVertex[] = [];
  for (const n of operators) {
    const ins = inputsOf(n);
    const chained = ins.length === 1 && shipStrategy(n) === 'FORWARD' && consumers.get(ins[0]) === 1 ? vertexOf.get(ins[0]) : undefined;
    if (chained) {
      chained.nodes.push(n);
      vertexOf.set(n.id, chained);
      continue;
    }
    const v: JobVertex = { id: n.id, name: '', nodes: [n], inputs: ins.map((i) => ({ id: vertexOf.get(i)!.id, ship: shipStrategy(n) })) };
    vertices.push(v);
    vertexOf.set(n.id, v);
  }
  for (const v of vertices) v.name = v.nodes.map(describe).join(' -> ');
  graphs.set(plan, vertices);
  return vertices;
}

export function findVertex(plan: JobPlan, id: string): JobVertex | undefined {
  return jobVertices(plan).find((v) => v.id === id);
}
