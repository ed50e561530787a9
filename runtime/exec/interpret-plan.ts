// The unfused execution mode: every calc its own stage and every aggregate fed by a generic ingest loop,
// built from the plan with closures. Same StageCode contract as the generated code, so the runtime runs
// both the same way and tests compare them row for row.
import type { GroupIngest, MapStage, StageCode, WindowIngest } from '../core/kernels.js';
import { compositeKey } from '../core/kernels.js';
import type { CalcNode, GroupAggregateNode, JobPlan, WindowAggregateNode } from '../core/plan.js';
import { accumulateAll } from '../state/agg-kernel.js';
import { rowBuilder, type Row } from '../core/row.js';
import { interpret, type UdfTable } from './interpret-expr.js';

/** Stage ids of the unfused mode: one per calc ('calc:<id>') and one per aggregate ('ingest:<id>'). */
export const unfusedCalcStage = (id: string) => `calc:${id}`;
export const unfusedIngestStage = (id: string) => `ingest:${id}`;

export function interpretPlan(plan: JobPlan, udfs: UdfTable): StageCode {
  const code: StageCode = { stages: {}, computed: {} };
  for (const n of plan.nodes) {
    if (n.kind === 'calc') code.stages[unfusedCalcStage(n.id)] = calcStage(n, udfs);
    if (n.kind === 'source' && n.computed.length) {
      const cols = n.computed.map((c) => ({ name: c.name, eval: interpret(c.expr, udfs) }));
      code.computed[n.id] = (rows) => { for (const r of rows) for (const c of cols) r[c.name] = c.eval(r); };
    }
    if (n.kind === 'groupAggregate' || n.kind === 'windowAggregate') {
      code.stages[unfusedIngestStage(n.id)] = n.kind === 'groupAggregate' ? groupIngest(n) : windowIngest(n);
    }
  }
  return code;
}

function calcStage(n: CalcNode, udfs: UdfTable): MapStage {
  const filter = n.filter ? interpret(n.filter, udfs) : null;
  const evals = n.projections.map((p) => interpret(p.expr, udfs));
  const build = rowBuilder(n.projections.map((p) => p.name));
  const values: unknown[] = new Array(evals.length);
  return (rows, kinds, out) => {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (filter !== null && filter(r) !== true) continue;
      for (let j = 0; j < evals.length; j++) values[j] = evals[j](r);
      out.rows.push(build(values));
      if (kinds !== null) out.kinds!.push(kinds[i]);
    }
  };
}

/** A window aggregate's group key: the value itself for one column, else compositeKey's string (as generated code). */
const keyOf = (keys: readonly string[], r: Row): unknown =>
  keys.length === 1 ? r[keys[0]] : compositeKey(keys.map((k) => r[k]));

function groupIngest(n: GroupAggregateNode): GroupIngest {
  const { keys } = n;
  const kernel = (acc: any[], r: Row) => accumulateAll(n.aggs, acc, r);
  return (rows, kinds, st) => {
    if (kinds !== null && kinds.some((k) => k !== 0)) throw new Error(`aggregate ${n.id}: updating input is not supported`);
    for (const r of rows) {
      const e = st.entry(keys.map((k) => r[k]));
      kernel(e.acc, r);
      st.touch(e);
    }
  };
}

function windowIngest(n: WindowAggregateNode): WindowIngest {
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
        accumulateAll(n.aggs, acc, r);
        continue;
      }
      const count = st.assign(ts);
      for (let w = 0; w < count; w++) {
        const acc = st.get(w, key) ?? st.create(w, key, keys.map((k) => r[k]));
        accumulateAll(n.aggs, acc, r);
      }
    }
  };
}

