// The time bounds that make a join an interval join, found as Flink's IntervalJoinUtil finds them: conjuncts of
// the join condition that compare a time attribute of one input with a time attribute of the other, each
// plus or minus a constant day-time interval (`l.ts BETWEEN r.ts - INTERVAL '1' SECOND AND r.ts`,
// `l.ts >= r.ts AND l.ts < r.ts + INTERVAL '10' MINUTE`, `l.ts = r.ts`), both rowtime or both proctime. A
// join needs a lower and an upper bound on the same two columns to be an interval join; the comparisons stay
// in the condition (they hold for every pair the bounds let through, so evaluating them again changes nothing).
import type { Expr } from '../../runtime/core/expr.js';
import type { IntervalBounds } from '../../runtime/core/plan.js';

/** A condition column (by its name over the joined row): its side, its input column name and its time attribute. */
export interface JoinColumn {
  side: 0 | 1;
  column: string;
  time?: 'rowtime' | 'proctime';
}

/** A time attribute column of one side plus a constant offset in ms. */
interface TimeTerm {
  side: 0 | 1;
  column: string;
  time: 'rowtime' | 'proctime';
  offsetMs: number;
}

type Comparison = 'gt' | 'ge' | 'lt' | 'le' | 'eq';
const FLIPPED: Record<Comparison, Comparison> = { gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', eq: 'eq' };
const isComparison = (fn: string): fn is Comparison => fn in FLIPPED;

/** The interval bounds of a join condition, or null when it has no lower and upper bound on one pair of time attributes. */
export function intervalBounds(condition: Expr, columns: ReadonlyMap<string, JoinColumn>): IntervalBounds | null {
  let pair: [TimeTerm, TimeTerm] | null = null;
  let lower = -Infinity;
  let upper = Infinity;
  for (const c of conjuncts(condition)) {
    if (c.kind !== 'call') continue;
    const comparisons: [Comparison, Expr, Expr][] = c.fn === 'between'
      ? [['ge', c.args[0], c.args[1]], ['le', c.args[0], c.args[2]]]
      : isComparison(c.fn) ? [[c.fn, c.args[0], c.args[1]]] : [];
    for (const [op, a, b] of comparisons) {
      const ta = timeTerm(a, columns);
      const tb = timeTerm(b, columns);
      if (ta === null || tb === null || ta.side === tb.side || ta.time !== tb.time) continue;
      const [l, r] = ta.side === 0 ? [ta, tb] : [tb, ta];
      if (pair !== null && (pair[0].column !== l.column || pair[1].column !== r.column)) continue;
      pair = [l, r];
      // a + ao op b + bo  ⇔  a - b op bo - ao; written as left - right, the operator flips when a is the right side.
      const cmp = ta.side === 0 ? op : FLIPPED[op];
      const bound = ta.side === 0 ? tb.offsetMs - ta.offsetMs : ta.offsetMs - tb.offsetMs;
      // Strict bounds on millisecond times: one ms inside, as Flink does.
      if (cmp === 'ge' || cmp === 'eq') lower = Math.max(lower, bound);
      if (cmp === 'gt') lower = Math.max(lower, bound + 1);
      if (cmp === 'le' || cmp === 'eq') upper = Math.min(upper, bound);
      if (cmp === 'lt') upper = Math.min(upper, bound - 1);
    }
  }
  if (pair === null || lower === -Infinity || upper === Infinity) return null;
  return { time: pair[0].time === 'rowtime' ? 'event' : 'processing', leftTime: pair[0].column, rightTime: pair[1].column, lowerMs: lower, upperMs: upper };
}

function timeTerm(e: Expr, columns: ReadonlyMap<string, JoinColumn>): TimeTerm | null {
  if (e.kind === 'field') {
    const c = columns.get(e.name);
    return c?.time ? { side: c.side, column: c.column, time: c.time, offsetMs: 0 } : null;
  }
  if (e.kind !== 'call' || (e.fn !== 'plus' && e.fn !== 'minus')) return null;
  const [a, b] = e.args;
  const ms = (x: Expr) => (x.kind === 'literal' && x.type.name === 'INTERVAL' && x.type.precision === undefined && typeof x.value === 'number' ? x.value : null);
  const t = timeTerm(a, columns);
  if (t !== null && ms(b) !== null) return { ...t, offsetMs: t.offsetMs + (e.fn === 'plus' ? ms(b)! : -ms(b)!) };
  const u = e.fn === 'plus' ? timeTerm(b, columns) : null;
  if (u !== null && ms(a) !== null) return { ...u, offsetMs: u.offsetMs + ms(a)! };
  return null;
}

/** The conjuncts of a condition (`a AND b AND c`: a, b, c). */
export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'call' && e.fn === 'and' ? e.args.flatMap(conjuncts) : [e];
}
