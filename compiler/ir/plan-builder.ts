// Accumulates plan nodes while a job body runs. Nodes get provisional ids here; compiler/passes/assign-ids.ts
// replaces them with stable ids derived from content, which is what savepoints key state by.
import type { Field } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';
import type { CalcNode, PlanNode } from '../../runtime/core/plan.js';

type NewNode<N extends PlanNode> = Omit<N, 'id'>;

export class PlanBuilder {
  readonly nodes: PlanNode[] = [];
  private counter = 0;

  add<N extends PlanNode>(node: NewNode<N>): N {
    const full = { ...node, id: `n${++this.counter}` } as N;
    this.nodes.push(full);
    return full;
  }

  /** A copy to add nodes to without changing this plan (explaining a statement set): same nodes, ids go on from here. */
  fork(): PlanBuilder {
    const b = new PlanBuilder();
    b.nodes.push(...this.nodes);
    b.counter = this.counter;
    return b;
  }

  node(id: string): PlanNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`internal: no plan node ${id}`);
    return n;
  }

  /** A calc; its changelog and upsert key follow its input when it keeps the key columns. */
  calc(input: PlanNode, projections: { name: string; expr: Expr }[], filter: Expr | null, loc: PlanNode['loc']): CalcNode {
    const schema: Field[] = projections.map((p) => ({ name: p.name, type: p.expr.type }));
    const keptKey = input.upsertKey?.every((k) => projections.some((p) => p.expr.kind === 'field' && p.expr.name === k && p.name === k));
    return this.add<CalcNode>({
      kind: 'calc', input: input.id, projections, filter, schema, changelog: input.changelog,
      upsertKey: keptKey ? input.upsertKey : undefined, loc,
    });
  }
}

/** Identity projections of every column of a schema. */
export const identity = (schema: readonly Field[]): { name: string; expr: Expr }[] =>
  schema.map((f) => ({ name: f.name, expr: { kind: 'field', name: f.name, type: f.type } }));
