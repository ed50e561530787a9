// Projection pushdown: works back from the sinks to find which columns each node must produce, drops the
// projections nobody reads and narrows each source to the physical columns needed, so the decoder skips the
// rest. Holds because calcs are pure; the columns a filter, key, aggregate argument, window time or computed
// column reads are counted as needed.
import { fieldsRead } from '../../runtime/core/expr.js';
import { unhandledKind, WINDOW_TABLE_COLUMNS, type CalcNode, type JobPlan, type JoinNode, type OverAggregateNode, type PlanNode, type RankNode, type SourceNode, type WindowTableNode } from '../../runtime/core/plan.js';

export function pruneColumns(plan: JobPlan): JobPlan {
  const needed = new Map<string, Set<string>>();
  const need = (id: string, cols: Iterable<string>) => {
    let s = needed.get(id);
    if (!s) needed.set(id, (s = new Set()));
    for (const c of cols) s.add(c);
  };
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  for (const n of [...plan.nodes].reverse()) {
    const mine = needed.get(n.id) ?? new Set<string>();
    switch (n.kind) {
      case 'sink': need(n.input, byId.get(n.input)!.schema.map((f) => f.name)); break;
      case 'union': for (const i of n.inputs) need(i, byId.get(i)!.schema.map((f) => f.name)); break;
      case 'calc': {
        const cols = new Set<string>();
        if (n.filter) fieldsRead(n.filter, cols);
        for (const p of n.projections) if (mine.has(p.name) || keyColumn(n, p.name)) fieldsRead(p.expr, cols);
        need(n.input, cols);
        break;
      }
      case 'groupAggregate': case 'windowAggregate': {
        const cols = new Set<string>(n.keys);
        for (const a of n.aggs) for (const c of [a.arg, a.arg2, a.filter, ...(a.udaf?.args ?? [])]) if (c) cols.add(c);
        if (n.kind === 'windowAggregate') cols.add(n.window.timeColumn);
        need(n.input, cols);
        break;
      }
      // A rank passes its input's columns through: it reads the partition and order columns besides those
      // read downstream. A row number nobody reads is not output (Flink then emits no rank updates).
      case 'rank': {
        const cols = new Set([...mine].filter((c) => c !== n.rankColumn));
        for (const k of n.partitionKeys) cols.add(k);
        for (const k of n.orderBy) cols.add(k.column);
        if (n.windowEnd) cols.add(n.windowEnd);
        need(n.input, cols);
        break;
      }
      // An OVER aggregate passes its input's columns through and adds its functions' columns; those nobody
      // reads are not computed.
      case 'overAggregate': {
        const cols = new Set([...mine].filter((c) => !n.calls.some((x) => x.name === c)));
        for (const k of n.partitionKeys) cols.add(k);
        cols.add(n.orderBy);
        for (const c of n.calls) if (mine.has(c.name)) for (const a of [c.arg, ...(c.udaf?.args ?? [])]) if (a) cols.add(a);
        need(n.input, cols);
        break;
      }
      // A window table function passes its input's columns through (then its window's) and reads its time column.
      case 'windowTable': {
        const own = new Set<string>(WINDOW_TABLE_COLUMNS);
        need(n.input, [...[...mine].filter((c) => !own.has(c)), n.window.timeColumn]);
        break;
      }
      // A sort passes its input's columns through and reads its order columns.
      case 'sort': need(n.input, [...mine, ...n.orderBy.map((k) => k.column)]); break;
      // An exchange routes by its keys; a fused node reads what its calcs read.
      case 'exchange': {
        const cols = new Set(mine);
        if (n.distribution.kind === 'hash') for (const k of n.distribution.keys) cols.add(k);
        need(n.input, cols);
        break;
      }
      case 'join': {
        const used = joinColumnsUsed(n, mine);
        need(n.left, used.left);
        need(n.right, used.right);
        break;
      }
      // A lookup join reads its keys and condition; the rest of its input passes through (its lookup columns stay).
      case 'lookupJoin': {
        const read = new Set(mine);
        if (n.condition) fieldsRead(n.condition, read);
        for (const k of n.keys) read.add(k.input);
        need(n.input, n.inputFields.filter((f) => read.has(f)));
        break;
      }
      // A correlate passes its input's columns through (as a lookup join) and its arguments read some of them.
      case 'correlate': need(n.input, n.inputFields); break;
      case 'fused': throw new Error('pruneColumns runs before fusion');
      case 'source': break;
      default: unhandledKind(n);
    }
  }
  const pruned = new Map<string, PlanNode>();
  const nodes: PlanNode[] = plan.nodes.map((n) => {
    const mine = needed.get(n.id) ?? new Set<string>();
    let out: PlanNode = n;
    if (n.kind === 'calc') out = pruneCalc(n, mine);
    if (n.kind === 'source') out = pruneSource(n, mine);
    if (n.kind === 'join') out = pruneJoin(n, mine);
    if (n.kind === 'rank') out = pruneRank(n, pruned.get(n.input)!, mine);
    if (n.kind === 'overAggregate') out = pruneOver(n, pruned.get(n.input)!, mine);
    if (n.kind === 'windowTable') out = pruneWindowTable(n, pruned.get(n.input)!);
    if (n.kind === 'sort' && pruned.get(n.input)!.schema.length !== n.schema.length) out = { ...n, schema: pruned.get(n.input)!.schema };
    pruned.set(n.id, out);
    return out;
  });
  return { ...plan, nodes };
}

/** Upsert keys stay: sinks downstream rely on them. */
const keyColumn = (n: PlanNode, name: string) => n.upsertKey?.includes(name) ?? false;

function pruneCalc(n: CalcNode, mine: Set<string>): CalcNode {
  const projections = n.projections.filter((p) => mine.has(p.name) || keyColumn(n, p.name));
  if (projections.length === n.projections.length) return n;
  return { ...n, projections, schema: n.schema.filter((f) => projections.some((p) => p.name === f.name)) };
}

function pruneRank(n: RankNode, input: PlanNode, mine: Set<string>): RankNode {
  const rankColumn = n.rankColumn !== null && mine.has(n.rankColumn) ? n.rankColumn : null;
  const schema = rankColumn === null ? input.schema : [...input.schema, n.schema[n.schema.length - 1]];
  if (rankColumn === n.rankColumn && schema.length === n.schema.length) return n;
  return { ...n, rankColumn, schema };
}

function pruneOver(n: OverAggregateNode, input: PlanNode, mine: Set<string>): OverAggregateNode {
  const calls = n.calls.filter((c) => mine.has(c.name));
  const schema = [...input.schema, ...n.schema.filter((f) => calls.some((c) => c.name === f.name))];
  if (calls.length === n.calls.length && schema.length === n.schema.length) return n;
  return { ...n, calls, schema };
}

function pruneWindowTable(n: WindowTableNode, input: PlanNode): WindowTableNode {
  const own = n.schema.slice(n.schema.length - WINDOW_TABLE_COLUMNS.length);
  return input.schema.length + own.length === n.schema.length ? n : { ...n, schema: [...input.schema, ...own] };
}

function pruneSource(n: SourceNode, mine: Set<string>): SourceNode {
  const cols = new Set(mine);
  if (n.watermark) cols.add(n.watermark.column);
  for (const c of [...n.computed].reverse()) if (cols.has(c.name)) fieldsRead(c.expr, cols);
  const physical = n.physical.filter((f) => cols.has(f.name));
  const computed = n.computed.filter((c) => cols.has(c.name));
  const schema = n.schema.filter((f) => cols.has(f.name) || f.name === n.proctime);
  if (physical.length === n.physical.length && computed.length === n.computed.length) return n;
  return { ...n, physical, computed, schema };
}

/** The input columns a join reads (by side): the output columns needed downstream, its keys and what its condition reads. */
function joinColumnsUsed(n: JoinNode, mine: Set<string>): { left: Set<string>; right: Set<string> } {
  const read = new Set(mine);
  if (n.condition) fieldsRead(n.condition, read);
  const left = new Set(n.leftKeys);
  const right = new Set(n.rightKeys);
  if (n.interval) { left.add(n.interval.leftTime); right.add(n.interval.rightTime); }
  if (n.window) { left.add(n.window.leftEnd); right.add(n.window.rightEnd); }
  if (n.temporal) { left.add(n.temporal.leftTime); right.add(n.temporal.rightTime); }
  n.leftFields.forEach((f, i) => { if (read.has(n.schema[i].name)) left.add(f); });
  n.rightFields.forEach((f, i) => { if (read.has(n.schema[n.leftFields.length + i].name)) right.add(f); });
  return { left, right };
}

function pruneJoin(n: JoinNode, mine: Set<string>): JoinNode {
  const used = joinColumnsUsed(n, mine);
  const L = n.leftFields.length;
  const keepLeft = n.leftFields.map((f) => used.left.has(f));
  const keepRight = n.rightFields.map((f) => used.right.has(f));
  if (keepLeft.every(Boolean) && keepRight.every(Boolean)) return n;
  return {
    ...n,
    leftFields: n.leftFields.filter((_, i) => keepLeft[i]),
    rightFields: n.rightFields.filter((_, i) => keepRight[i]),
    schema: n.schema.filter((_, i) => (i < L ? keepLeft[i] : keepRight[i - L])),
  };
}
