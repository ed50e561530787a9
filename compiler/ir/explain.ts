// Text form of plans, as Flink's explain prints them: an indented tree from each sink down to its sources,
// and the fused stages with the size of their generated code.
import { callText, MONTHS } from '../../runtime/core/builtins.js';
import type { Expr } from '../../runtime/core/expr.js';
import { overName } from '../../runtime/exec/over/over-name.js';
import { rankName } from '../../runtime/exec/rank/rank-strategy.js';
import { sortName } from '../../runtime/exec/sort/sort-processor.js';
import { inputsOf, unhandledKind, type Distribution, type FusedNode, type JobPlan, type JoinNode, type PlanNode, type WindowSpec } from '../../runtime/core/plan.js';

export function exprToString(e: Expr): string {
  switch (e.kind) {
    case 'field': return e.name;
    case 'literal':
      if (e.type.name === 'INTERVAL') return e.type.precision === MONTHS ? `${e.value} MONTH` : `${e.value}ms`;
      return typeof e.value === 'string' ? `'${e.value}'` : String(e.value);
    case 'udf': return `${e.name}(${e.args.map(exprToString).join(', ')})`;
    case 'call': return callText(e.fn, e.args.map(exprToString), e);
  }
}

export function describeNode(n: PlanNode, withIds: boolean): string {
  const id = withIds ? `[${n.id.slice(0, 8)}] ` : '';
  switch (n.kind) {
    case 'source': {
      const wm = n.watermark ? `, watermark=[${n.watermark.column} - ${n.watermark.delayMs}ms]` : '';
      const computed = n.computed.length ? `, computed=[${n.computed.map((c) => `${exprToString(c.expr)} AS ${c.name}`).join(', ')}]` : '';
      return `${id}Source(table=[${n.table}], connector=[${n.connector}], fields=[${n.physical.map((f) => f.name).join(', ')}]${computed}${wm})`;
    }
    case 'calc': {
      const sel = n.projections.map((p) => (p.expr.kind === 'field' && p.expr.name === p.name ? p.name : `${exprToString(p.expr)} AS ${p.name}`));
      return `${id}Calc(select=[${sel.join(', ')}]${n.filter ? `, where=[${exprToString(n.filter)}]` : ''})`;
    }
    case 'groupAggregate':
      return `${id}GroupAggregate(groupBy=[${n.keys.join(', ')}], select=[${aggs(n.aggs)}], changelog=[${n.changelog}])`;
    case 'windowAggregate': {
      const props = n.properties.map((p) => `${p.property}() AS ${p.name}`);
      return `${id}WindowAggregate(window=[${windowText(n.window)}], groupBy=[${n.keys.join(', ')}], select=[${[aggs(n.aggs), ...props].filter(Boolean).join(', ')}])`;
    }
    case 'windowTable': return `${id}WindowTableFunction(window=[${windowText(n.window)}])`;
    case 'rank': return `${id}${rankName(n)}`;
    case 'overAggregate': return `${id}${overName(n)}`;
    case 'sort': return `${id}${sortName(n)}`;
    case 'union': return `${id}Union(all=[true])`;
    case 'join': return `${id}${joinText(n)}`;
    case 'lookupJoin': {
      const on = [...n.keys.map((k) => `${k.lookup}=${k.input}`), ...(n.condition ? [exprToString(n.condition)] : [])].join(' AND ');
      return `${id}LookupJoin(table=[${n.table}], joinType=[${n.joinType === 'inner' ? 'InnerJoin' : 'LeftOuterJoin'}], lookup=[${n.keys.map((k) => `${k.lookup}=${k.input}`).join(', ')}], where=[${on}], select=[${n.schema.map((f) => f.name).join(', ')}])`;
    }
    case 'correlate':
      return `${id}Correlate(invocation=[${n.fn.kind === 'udtf' ? n.args.map(exprToString).join(', ') : `UNNEST(${n.args.map(exprToString).join(', ')})`}], joinType=[${n.joinType === 'inner' ? 'INNER' : 'LEFT'}], select=[${n.schema.map((f) => f.name).join(', ')}])`;
    case 'sink':
      return `${id}Sink(table=[${n.table}], connector=[${n.connector}], fields=[${n.schema.map((f) => f.name).join(', ')}], changelog=[${n.changelog}])`;
    case 'exchange': return `${id}Exchange(distribution=[${distribution(n.distribution)}])`;
    // The tree shows a fused node's calcs one by one (planTree); this line names the loop itself.
    case 'fused': return `${id}Fused(${n.calcs.length} calcs${n.accumulateInto ? ', accumulate' : n.joinOutput ? ', join output' : ''})`;
    default: return unhandledKind(n);
  }
}

function windowText(w: WindowSpec): string {
  const size = w.type === 'session' ? `gap=${w.gapMs}ms` : w.type === 'tumble' ? `size=${w.sizeMs}ms` : `size=${w.sizeMs}ms, slide=${w.slideMs}ms`;
  return `${w.type.toUpperCase()}(${w.timeColumn}, ${size}, ${w.time} time)`;
}

/** Flink's Join line: join type, the ON condition over the output columns, the output columns. */
export function joinText(n: JoinNode): string {
  const out = (side: 'left' | 'right', col: string) => {
    const fields = side === 'left' ? n.leftFields : n.rightFields;
    return n.schema[(side === 'left' ? 0 : n.leftFields.length) + fields.indexOf(col)]?.name ?? col;
  };
  const conds = [...n.leftKeys.map((k, i) => `(${out('left', k)} = ${out('right', n.rightKeys[i])})`), ...(n.condition ? [exprToString(n.condition)] : [])];
  const where = conds.length === 0 ? 'true' : conds.length === 1 ? conds[0] : `(${conds.join(' AND ')})`;
  const select = `select=[${n.schema.map((f) => f.name).join(', ')}]`;
  if (n.interval) {
    const b = n.interval;
    const bounds = `isRowTime=${b.time === 'event'}, leftLowerBound=${b.lowerMs}, leftUpperBound=${b.upperMs}, leftTimeIndex=${n.leftFields.indexOf(b.leftTime)}, rightTimeIndex=${n.rightFields.indexOf(b.rightTime)}`;
    return `IntervalJoin(joinType=[${JOIN_TYPE_NAMES[n.joinType]}], windowBounds=[${bounds}], where=[${where}], ${select})`;
  }
  if (n.window) {
    const w = n.window;
    const size = w.window.type === 'tumble' ? `size=[${w.window.sizeMs} ms]` : `${w.window.type === 'slide' ? 'slide' : 'step'}=[${w.window.slideMs} ms], size=[${w.window.sizeMs} ms]`;
    const side = (start: string, end: string) => `${WINDOW_TVF_NAMES[w.window.type]}(win_start=[${start}], win_end=[${end}], ${size})`;
    return `WindowJoin(leftWindow=[${side(w.leftStart, w.leftEnd)}], rightWindow=[${side(w.rightStart, w.rightEnd)}], joinType=[${JOIN_TYPE_NAMES[n.joinType]}], where=[${where}], ${select})`;
  }
  if (n.temporal) {
    const t = n.temporal;
    const right = (c: string) => out('right', c);
    const cond = `__TEMPORAL_JOIN_CONDITION(${out('left', t.leftTime)}, ${right(t.rightTime)}, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(${t.primaryKey.map(right).join(', ')}))`;
    return `TemporalJoin(joinType=[${JOIN_TYPE_NAMES[n.joinType]}], where=[${conds.length ? `(${[...conds, cond].join(' AND ')})` : cond}], ${select})`;
  }
  return `Join(joinType=[${JOIN_TYPE_NAMES[n.joinType]}], where=[${where}], ${select}, changelog=[${n.changelog}])`;
}

const WINDOW_TVF_NAMES = { tumble: 'TUMBLE', slide: 'HOP', cumulate: 'CUMULATE', session: 'SESSION' } as const;
const JOIN_TYPE_NAMES = { inner: 'InnerJoin', left: 'LeftOuterJoin', right: 'RightOuterJoin', full: 'FullOuterJoin', semi: 'LeftSemiJoin', anti: 'LeftAntiJoin' } as const;

/** Flink's names for ship strategies. */
function distribution(d: Distribution): string {
  switch (d.kind) {
    case 'forward': return 'forward';
    case 'hash': return d.keys.length ? `hash[${d.keys.join(', ')}]` : 'single';
    case 'rebalance': return 'rebalance';
    case 'broadcast': return 'broadcast';
    default: return unhandledKind(d);
  }
}

function aggs(list: Extract<PlanNode, { kind: 'groupAggregate' }>['aggs']): string {
  return list.map((a) => {
    const args = a.udaf ? a.udaf.args : [a.arg ?? '*', ...(a.arg2 ? [a.arg2] : []), ...(a.separator !== undefined ? [JSON.stringify(a.separator)] : [])];
    return `${a.udaf ? a.udaf.name : a.fn.toUpperCase()}(${a.distinct ? 'DISTINCT ' : ''}${args.join(', ')})${a.filter ? ` FILTER (WHERE ${a.filter})` : ''} AS ${a.name}`;
  }).join(', ');
}

/** The plan as trees rooted at its sinks. */
export function planTree(plan: JobPlan, withIds: boolean): string {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  const walk = (n: PlanNode, indent: string, first: boolean) => {
    // A fused node prints as the calcs it runs, last first (as the tree reads: consumers above inputs).
    const shown: PlanNode[] = n.kind === 'fused' ? [...n.calcs].reverse() : [n];
    for (const s of shown) {
      lines.push(`${indent}${first ? '' : '+- '}${describeNode(s, withIds)}`);
      if (!first) indent += '   ';
      first = false;
    }
    for (const i of inputsOf(n)) walk(byId.get(i)!, indent, false);
  };
  for (const sink of plan.nodes.filter((n) => n.kind === 'sink')) walk(sink, '', true);
  return lines.join('\n');
}

export function explainPlan(logical: JobPlan, optimized: JobPlan): string {
  const byId = new Map(optimized.nodes.map((n) => [n.id, n]));
  const fused = optimized.nodes.filter((n): n is FusedNode => n.kind === 'fused');
  const stages = fused.map((s) => {
    const input = byId.get(s.input)!;
    const consumers = optimized.nodes.filter((n) => inputsOf(n).includes(s.id));
    const into = s.accumulateInto ? `${stageName(byId.get(s.accumulateInto)!)}.accumulate`
      : consumers.length === 1 ? stageName(consumers[0]) : '(shared output)';
    const joined = s.joinOutput ? ' (the join applies the calcs to each row it makes)' : '';
    return `${s.id}: ${stageName(input)} → ${[...s.calcs.map(() => 'Calc'), into].join(' → ')}${joined}   [${s.codeSize} bytes of generated code]`;
  });
  const args = optimized.args.length ? ` (job arguments: ${optimized.args.join(' ')})` : '';
  return [
    `== Job: ${optimized.name}${args} ==`,
    '',
    '== Logical Plan ==',
    planTree(logical, false),
    '',
    '== Optimized Plan ==',
    planTree(optimized, true),
    '',
    '== Fused Stages ==',
    ...(stages.length ? stages : ['(none: every operator runs unfused)']),
    '',
  ].join('\n');
}

/** A node as one end of a fused stage's line. */
function stageName(n: PlanNode): string {
  switch (n.kind) {
    case 'source': return `Source(${n.table})`;
    case 'sink': return `Sink(${n.table})`;
    case 'calc': return 'Calc';
    case 'rank': return 'Rank';
    case 'overAggregate': return 'OverAggregate';
    case 'sort': return 'Sort';
    case 'union': return 'Union';
    case 'join': return 'Join';
    case 'lookupJoin': return 'LookupJoin';
    case 'correlate': return 'Correlate';
    case 'groupAggregate': return 'GroupAggregate';
    case 'windowAggregate': return 'WindowAggregate';
    case 'windowTable': return 'WindowTableFunction';
    case 'exchange': return 'Exchange';
    case 'fused': return 'Calc';
    default: return unhandledKind(n);
  }
}
