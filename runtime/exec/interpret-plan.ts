// The interpreted execution mode (`--unfused`): each fused node's calcs run one after the other, each its
// own loop of closures over rows, and an aggregate's accumulate step is a generic ingest loop. Same
// StageCode contract as the generated code (stages keyed by fused node id), so the runner runs both the
// same way and tests compare them row for row.
import type { JoinOutput, MapStage, StageCode, StageOutput } from '../core/kernels.js';
import type { GroupIngest } from '../state/group-state.js';
import type { WindowIngest } from '../state/window-state.js';
import { compositeKey } from '../core/kernels.js';
import { unhandledKind, type CalcNode, type FusedNode, type GroupAggregateNode, type JobPlan, type JoinNode, type PlanNode, type WindowAggregateNode } from '../core/plan.js';
import { accumulateAll, changeAll } from '../state/agg-kernel.js';
import { rowBuilder, RowKind, type Row } from '../core/row.js';
import { interpret, type EvalTime, type UdfTable } from './interpret-expr.js';
import { correlateArg } from './correlate-processor.js';
import { JoinRows } from './join-rows.js';
import { flatLayouts } from '../state/flat-join-state.js';
import { calls } from '../core/expr.js';

export function interpretPlan(plan: JobPlan, udfs: UdfTable): StageCode {
  const code: StageCode = { stages: {}, computed: {}, udfs };
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  for (const n of plan.nodes) {
    switch (n.kind) {
      case 'source': {
        if (n.computed.length === 0) break;
        const cols = n.computed.map((c) => ({ name: c.name, eval: interpret(c.expr, udfs) }));
        code.computed[n.id] = (rows) => { for (const r of rows) for (const c of cols) r[c.name] = c.eval(r); };
        break;
      }
      case 'fused': {
        // A stage that reads CURRENT_WATERMARK gets a cell the operator graph keeps at its input's watermark.
        const readsWatermark = n.calcs.some((c) => [...(c.filter ? [c.filter] : []), ...c.projections.map((p) => p.expr)].some((e) => calls(e, 'currentWatermark')));
        const time: EvalTime = { now: Date.now, ...(readsWatermark ? { watermark: { wm: null } } : {}) };
        if (time.watermark) (code.watermarks ??= {})[n.id] = time.watermark;
        if (n.joinOutput !== undefined) (code.joinOutputs ??= {})[n.joinOutput] = joinOutput(n, byId.get(n.joinOutput) as JoinNode, udfs, time);
        else code.stages[n.id] = fusedStage(n, byId, udfs, time);
        break;
      }
      case 'join': case 'lookupJoin': if (n.condition) (code.conditions ??= {})[n.id] = interpret(n.condition, udfs); break;
      case 'correlate': n.args.forEach((a, i) => { (code.conditions ??= {})[correlateArg(n.id, i)] = interpret(a, udfs); }); break;
      // Calcs run inside fused nodes; the others have no code of their own.
      case 'calc': case 'groupAggregate': case 'windowAggregate': case 'windowTable': case 'union': case 'sink': case 'exchange': case 'rank': case 'overAggregate': case 'sort': break;
      default: unhandledKind(n);
    }
  }
  return code;
}

function fusedStage(n: FusedNode, byId: Map<string, PlanNode>, udfs: UdfTable, time: EvalTime): MapStage | GroupIngest | WindowIngest {
  const calcs = n.calcs.map((c) => calcStage(c, udfs, time));
  // The last calc writes straight into `out`: copying each batch once more (a spread push) made `--unfused`
  // q1 about 10% slower.
  const chain: MapStage = (rows, kinds, out) => {
    if (calcs.length === 0) {
      for (let i = 0; i < rows.length; i++) out.rows.push(rows[i]);
      if (kinds !== null) for (let i = 0; i < kinds.length; i++) out.kinds!.push(kinds[i]);
      return;
    }
    let cur: StageOutput = { rows, kinds };
    for (let i = 0; i < calcs.length - 1; i++) {
      const next: StageOutput = { rows: [], kinds: kinds === null ? null : [] };
      calcs[i](cur.rows, cur.kinds, next);
      cur = next;
    }
    calcs[calcs.length - 1](cur.rows, cur.kinds, out);
  };
  if (n.accumulateInto === null) return chain;
  const agg = byId.get(n.accumulateInto)!;
  if (agg.kind !== 'groupAggregate' && agg.kind !== 'windowAggregate') throw new Error(`fused node ${n.id} accumulates into ${agg.kind} ${agg.id}`);
  const ingest = agg.kind === 'groupAggregate' ? groupIngest(agg, udfs) : windowIngest(agg, udfs);
  if (calcs.length === 0) return ingest;
  return (rows: Row[], kinds: RowKind[] | null, st: any) => {
    const out: StageOutput = { rows: [], kinds: kinds === null ? null : [] };
    chain(rows, kinds, out);
    (ingest as (r: Row[], k: typeof kinds, s: unknown) => void)(out.rows, out.kinds, st);
  };
}

/** One calc over one row: its output row, or null when its filter drops the row. */
function calcRow(n: CalcNode, udfs: UdfTable, time: EvalTime): (r: Row) => Row | null {
  const filter = n.filter ? interpret(n.filter, udfs, time) : null;
  const evals = n.projections.map((p) => interpret(p.expr, udfs, time));
  const build = rowBuilder(n.projections.map((p) => p.name));
  const values: unknown[] = new Array(evals.length);
  return (r) => {
    if (filter !== null && filter(r) !== true) return null;
    for (let j = 0; j < evals.length; j++) values[j] = evals[j](r);
    return build(values);
  };
}

function calcStage(n: CalcNode, udfs: UdfTable, time: EvalTime): MapStage {
  const calc = calcRow(n, udfs, time);
  return (rows, kinds, out) => {
    for (let i = 0; i < rows.length; i++) {
      const o = calc(rows[i]);
      if (o === null) continue;
      out.rows.push(o);
      if (kinds !== null) out.kinds!.push(kinds[i]);
    }
  };
}

/** A join's rows (join-rows.ts) with the fused node's calcs applied one after the other, as the generated join output does. */
function joinOutput(n: FusedNode, join: JoinNode, udfs: UdfTable, time: EvalTime): JoinOutput {
  const rows = new JoinRows([join.leftFields, join.rightFields], join.schema.map((f) => f.name), flatLayouts(join));
  const calcs = n.calcs.map((c) => calcRow(c, udfs, time));
  const apply = (row: Row): Row | null => {
    let r: Row | null = row;
    for (let i = 0; i < calcs.length && r !== null; i++) r = calcs[i](r);
    return r;
  };
  return {
    joined: (l, r) => apply(rows.joined(l, r)),
    leftWithFlat: (l, a, o) => apply(rows.leftWithFlat(l, a, o)),
    rightWithFlat: (r, a, o) => apply(rows.rightWithFlat(r, a, o)),
  };
}

/** A window aggregate's group key: the value itself for one column, else compositeKey's string (as generated code). */
const keyOf = (keys: readonly string[], r: Row): unknown =>
  keys.length === 1 ? r[keys[0]] : compositeKey(keys.map((k) => r[k]));

function groupIngest(n: GroupAggregateNode, udfs: UdfTable): GroupIngest {
  const { keys } = n;
  if (n.retracting) {
    return (rows, kinds, st) => {
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const e = st.entry(keys.map((k) => r[k]));
        const kind = kinds === null ? RowKind.INSERT : kinds[i];
        changeAll(n.aggs, e.acc, r, kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE ? -1 : 1, udfs);
        st.touch(e);
      }
    };
  }
  return (rows, kinds, st) => {
    if (kinds !== null && kinds.some((k) => k !== 0)) throw new Error(`aggregate ${n.id}: updating input is not supported`);
    for (const r of rows) {
      const e = st.entry(keys.map((k) => r[k]));
      accumulateAll(n.aggs, e.acc, r, udfs);
      st.touch(e);
    }
  };
}

function windowIngest(n: WindowAggregateNode, udfs: UdfTable): WindowIngest {
  const { keys } = n;
  const time = n.window.timeColumn;
  return (rows, _kinds, st) => {
    for (const r of rows) {
      const ts = r[time] as number | null;
      if (ts === null) continue;
      const key = keyOf(keys, r);
      if (n.window.type === 'session') {
        let acc = st.session(key, ts);
        if (acc === null) continue;
        if (acc === undefined) acc = st.newSession(key, ts, keys.map((k) => r[k]));
        accumulateAll(n.aggs, acc, r, udfs);
        continue;
      }
      const count = st.assign(ts);
      for (let w = 0; w < count; w++) {
        const acc = st.get(w, key) ?? st.create(w, key, keys.map((k) => r[k]));
        accumulateAll(n.aggs, acc, r, udfs);
      }
    }
  };
}

