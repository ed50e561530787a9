// Join conditions, as Flink's planner handles them: a WHERE right above an inner join (a comma join, or the
// Table API's join(...).where(...)) becomes part of its condition; then each condition's conjuncts are sorted:
// `left column = right column` becomes a join key (state is kept and rows are distributed per key), a
// conjunct that reads one side only is pushed below the join as a filter on that input when the join type
// allows it (not on the side an outer join preserves), and the rest stays the join's condition, evaluated
// per matching pair. A rewrite pass: it runs to the fixpoint with the others, so a filter pushed into a join
// below is split there in the next round.
import { isNumeric, isString, withType, type DataType } from '../../runtime/core/data-types.js';
import { fieldsRead, type Expr } from '../../runtime/core/expr.js';
import { inputsOf, type CalcNode, type JobPlan, type JoinNode, type PlanNode } from '../../runtime/core/plan.js';
import { identity } from '../ir/plan-builder.js';

export function splitJoinConditions(plan: JobPlan): JobPlan {
  const consumers = new Map<string, number>();
  for (const n of plan.nodes) for (const i of inputsOf(n)) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  // A filter above an inner join that has no other reader moves into the join.
  const merged = new Map<string, Expr>();
  for (const n of plan.nodes) {
    if (n.kind !== 'calc' || n.filter === null) continue;
    const j = byId.get(n.input)!;
    if (j.kind === 'join' && j.joinType === 'inner' && consumers.get(j.id) === 1) merged.set(j.id, n.filter);
  }
  const nodes: PlanNode[] = [];
  let changed = merged.size > 0;
  for (const n of plan.nodes) {
    if (n.kind === 'calc' && merged.has(n.input) && n.filter !== null) { nodes.push({ ...n, filter: null }); continue; }
    if (n.kind !== 'join') { nodes.push(n); continue; }
    const extra = merged.get(n.id);
    const split = splitJoin(extra ? { ...n, condition: and([n.condition, extra]) } : n, byId);
    if (split.length === 1 && split[0] === n) { nodes.push(n); continue; }
    changed = true;
    nodes.push(...split);
  }
  return changed ? { ...plan, nodes } : plan;
}

/** The join with its condition sorted into keys, pushed filters (new calcs before it) and the rest. */
function splitJoin(j: JoinNode, byId: Map<string, PlanNode>): PlanNode[] {
  if (j.condition === null) return [j];
  const L = j.leftFields.length;
  // Output name → [side, input column].
  const column = new Map<string, [0 | 1, string]>();
  j.schema.forEach((f, i) => column.set(f.name, i < L ? [0, j.leftFields[i]] : [1, j.rightFields[i - L]]));
  const typeOf = new Map(j.schema.map((f) => [f.name, f.type]));
  const leftKeys = [...j.leftKeys];
  const rightKeys = [...j.rightKeys];
  const pushed: [Expr[], Expr[]] = [[], []];
  const rest: Expr[] = [];
  // Not into the side an outer join keeps (an anti join keeps the left rows a left-only conjunct fails); a temporal
  // join's versioned side takes no filter (Flink's planner pushes none there): a filtered-out version would leave the
  // one before it valid.
  const pushable = [j.joinType === 'inner' || j.joinType === 'right' || j.joinType === 'semi', j.joinType !== 'right' && j.joinType !== 'full' && !j.temporal];
  for (const c of conjuncts(j.condition)) {
    const key = keyPair(c, column, typeOf);
    if (key) { leftKeys.push(key[0]); rightKeys.push(key[1]); continue; }
    const sides = new Set([...fieldsRead(c)].map((f) => column.get(f)![0]));
    const side = sides.size === 1 ? [...sides][0] : null;
    if (side !== null && pushable[side]) pushed[side].push(c);
    else rest.push(c);
  }
  if (leftKeys.length === j.leftKeys.length && pushed[0].length === 0 && pushed[1].length === 0) return [j];
  const out: PlanNode[] = [];
  const filterInput = (side: 0 | 1): string => {
    const inputId = side === 0 ? j.left : j.right;
    if (pushed[side].length === 0) return inputId;
    const input = byId.get(inputId)!;
    const toInput = new Map([...column].filter(([, [s]]) => s === side).map(([out, [, name]]) => [out, name]));
    let id = `${j.id}:${side === 0 ? 'left' : 'right'}-filter`;
    for (let k = 1; byId.has(id); k++) id = `${j.id}:${side === 0 ? 'left' : 'right'}-filter${k}`;
    const calc: CalcNode = {
      kind: 'calc', id, input: inputId, projections: identity(input.schema),
      filter: rename(and(pushed[side])!, toInput, input), schema: input.schema, changelog: input.changelog, upsertKey: input.upsertKey, loc: j.loc,
    };
    out.push(calc);
    return calc.id;
  };
  const left = filterInput(0);
  const right = filterInput(1);
  out.push({ ...j, left, right, leftKeys, rightKeys, condition: and(rest) });
  return out;
}

/** `left column = right column` (either order) of types whose values compare equal as JavaScript values: [left, right] input columns. */
function keyPair(c: Expr, column: Map<string, [0 | 1, string]>, typeOf: Map<string, DataType>): [string, string] | null {
  if (c.kind !== 'call' || c.fn !== 'eq') return null;
  const [a, b] = c.args;
  if (a.kind !== 'field' || b.kind !== 'field') return null;
  const ca = column.get(a.name)!;
  const cb = column.get(b.name)!;
  if (ca[0] === cb[0] || !comparable(typeOf.get(a.name)!, typeOf.get(b.name)!)) return null;
  return ca[0] === 0 ? [ca[1], cb[1]] : [cb[1], ca[1]];
}

const comparable = (a: DataType, b: DataType) => (isNumeric(a) && isNumeric(b)) || (isString(a) && isString(b) && a.name !== 'CHAR' && b.name !== 'CHAR') || a.name === b.name;

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'call' && e.fn === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function and(es: (Expr | null)[]): Expr | null {
  const list = es.filter((e): e is Expr => e !== null);
  if (list.length === 0) return null;
  return list.reduce((a, b) => ({ kind: 'call', fn: 'and', args: [a, b], type: withType(a.type, { nullable: a.type.nullable || b.type.nullable }) }));
}

/** The expression over an input's columns instead of the join's output names. */
function rename(e: Expr, names: Map<string, string>, input: PlanNode): Expr {
  switch (e.kind) {
    case 'field': {
      const name = names.get(e.name)!;
      return { kind: 'field', name, type: input.schema.find((f) => f.name === name)!.type };
    }
    case 'literal': return e;
    case 'call': case 'udf': return { ...e, args: e.args.map((a) => rename(a, names, input)) };
  }
}
