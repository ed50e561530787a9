// The OVER aggregate operator's name, as Flink's explain writes it: for explain, the REST vertices and the logs.
import type { OverAggregateNode } from '../../core/plan.js';

/** The operator's name as Flink's explain writes it (OverAggregate(partitionBy=[k], orderBy=[ts ASC], window=[...], select=[...])). */
export function overName(n: OverAggregateNode): string {
  const { unit, preceding } = n.frame;
  const start = preceding === null ? 'UNBOUNDED PRECEDING' : unit === 'rows' ? `${preceding} PRECEDING` : `${preceding} ms PRECEDING`;
  const calls = n.calls.map((c) => `${c.udaf ? c.udaf.name : c.fn.toUpperCase()}(${c.distinct ? 'DISTINCT ' : ''}${c.udaf ? c.udaf.args.join(', ') : c.arg ?? '*'}${c.fn === 'lag' ? `, ${c.offset}` : ''}) AS ${c.name}`);
  return `OverAggregate(partitionBy=[${n.partitionKeys.join(', ')}], orderBy=[${n.orderBy} ASC], window=[${unit.toUpperCase()} BETWEEN ${start} AND CURRENT ROW], select=[${calls.join(', ')}])`;
}
