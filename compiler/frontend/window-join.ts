// Window joins, found as Flink's WindowJoinUtil finds them: both inputs carry window columns (window_start and
// window_end of a window table function read on its own, or of a window aggregate, passed on through projections), and the join
// condition has `left start = right start` and `left end = right end`. The window columns are traced back
// through the plan the way Flink's planner derives a node's window properties (RelMdWindowProperties).
import type { Expr } from '../../runtime/core/expr.js';
import { WINDOW_TABLE_COLUMNS, type PlanNode, type WindowJoinColumns, type WindowSpec } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { conjuncts, type JoinColumn } from './interval-bounds.js';

/** A pair of window columns of a node's output, and the window they come from. */
interface WindowColumns {
  start: string;
  end: string;
  window: WindowSpec;
}

/** The window start/end column pairs of a node's output. */
export function windowColumnsOf(plan: PlanBuilder, n: PlanNode): WindowColumns[] {
  switch (n.kind) {
    case 'windowAggregate': {
      const prop = (p: 'start' | 'end') => n.properties.find((x) => x.property === p)?.name;
      const start = prop('start');
      const end = prop('end');
      return start !== undefined && end !== undefined && n.window.type !== 'session' ? [{ start, end, window: n.window }] : [];
    }
    case 'windowTable': return [{ start: WINDOW_TABLE_COLUMNS[0], end: WINDOW_TABLE_COLUMNS[1], window: n.window }];
    case 'calc': {
      // A projection passes a column on when it is the column itself (renamed or not).
      const renamed = (col: string) => n.projections.filter((p) => p.expr.kind === 'field' && p.expr.name === col).map((p) => p.name);
      return windowColumnsOf(plan, plan.node(n.input)).flatMap((w) => renamed(w.start).flatMap((start) => renamed(w.end).map((end) => ({ ...w, start, end }))));
    }
    default: return [];
  }
}

/** The window join a condition makes of two inputs, or null when it is no window join. */
export function windowJoinOf(plan: PlanBuilder, left: PlanNode, right: PlanNode, condition: Expr | null, columns: ReadonlyMap<string, JoinColumn>, loc: PlanNode['loc']): WindowJoinColumns | null {
  const lw = windowColumnsOf(plan, left);
  const rw = windowColumnsOf(plan, right);
  if (condition === null || lw.length === 0 || rw.length === 0) return null;
  const equalities: [string, string][] = [];
  for (const c of conjuncts(condition)) {
    if (c.kind !== 'call' || c.fn !== 'eq') continue;
    const [a, b] = c.args;
    if (a.kind !== 'field' || b.kind !== 'field') continue;
    const ca = columns.get(a.name);
    const cb = columns.get(b.name);
    if (ca === undefined || cb === undefined || ca.side === cb.side) continue;
    equalities.push(ca.side === 0 ? [ca.column, cb.column] : [cb.column, ca.column]);
  }
  const equal = (l: string, r: string) => equalities.some(([x, y]) => x === l && y === r);
  // Both equalities on windows alike; with one of them only, or windows that differ, Flink's planner makes it a
  // regular join (the equalities are join keys), and so does this.
  for (const l of lw) {
    for (const r of rw) {
      if (!equal(l.start, r.start) || !equal(l.end, r.end) || !sameWindow(l.window, r.window)) continue;
      if (l.window.time !== 'event') {
        throw new CompileError('a window join on processing-time windows is not supported (as in Flink)', loc,
          'window both inputs on an event-time attribute (a column with a WATERMARK), or join them with an interval join');
      }
      return { leftStart: l.start, leftEnd: l.end, rightStart: r.start, rightEnd: r.end, window: l.window };
    }
  }
  return null;
}

const sameWindow = (a: WindowSpec, b: WindowSpec) => a.type === b.type && a.sizeMs === b.sizeMs && a.slideMs === b.slideMs && a.time === b.time;
