// The retracting group aggregate's state on its own: a changelog split into batches, ingested by the generated
// stage and by the interpreter, gives the changelog an independent recomputation of each group from its live
// rows implies; a group whose rows are all retracted is deleted and forgotten; the same state snapshotted and
// restored mid-stream goes on identically; and local pre-aggregates that retract rows another subtask
// accumulated (negative occurrence counts) merge into the owner's state to the same results.
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { emitStages } from '../../compiler/codegen/emit-stages.js';
import { instantiate } from '../../compiler/codegen/instantiate.js';
import { optimize } from '../../compiler/passes/index.js';
import type { FusedNode, GroupAggregateNode } from '../../runtime/core/plan.js';
import { ROW_KIND_SHORT, RowKind, type Row } from '../../runtime/core/row.js';
import { interpretPlan } from '../../runtime/exec/interpret-plan.js';
import { keyGroupFunction } from '../../runtime/exec/key-groups.js';
import { aggKernel } from '../../runtime/state/agg-kernel.js';
import { GroupState, type GroupIngest } from '../../runtime/state/group-state.js';

const SQL = 'SELECT k, COUNT(*) AS c, COUNT(v) AS cv, SUM(v) AS s, AVG(v) AS a, MIN(v) AS mn, MAX(s) AS mx, COUNT(DISTINCT v) AS dv FROM src GROUP BY k';

function plan() {
  const env = TableEnvironment.create();
  env.executeSql("CREATE TABLE src (k STRING, v INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'debezium-json')");
  env.executeSql("CREATE TABLE out_t (k STRING, c BIGINT, cv BIGINT, s INT, a INT, mn INT, mx STRING, dv BIGINT) WITH ('connector' = 'blackhole')");
  env.executeSql(`INSERT INTO out_t ${SQL}`);
  const p = optimize(env.buildPlan('retract', []));
  const agg = p.nodes.find((n): n is GroupAggregateNode => n.kind === 'groupAggregate')!;
  const ingestNode = p.nodes.find((n): n is FusedNode => n.kind === 'fused' && n.accumulateInto === agg.id)!;
  return { p, agg, ingestNode };
}

/** A random changelog over a few keys: every -U/-D retracts a row inserted before and still live. */
function changelog(seed: number, n: number): { rows: Row[]; kinds: RowKind[] } {
  let x = seed;
  const rand = (m: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31) % m);
  const live: Row[] = [];
  const rows: Row[] = [];
  const kinds: RowKind[] = [];
  const fresh = (): Row => ({ k: ['a', 'b', 'c', null][rand(4)], v: rand(5) === 0 ? null : rand(20) - 5, s: rand(4) === 0 ? null : `s${rand(9)}` });
  for (let i = 0; i < n; i++) {
    const op = live.length === 0 ? 0 : rand(3);
    if (op === 0) { const r = fresh(); live.push(r); rows.push(r); kinds.push(RowKind.INSERT); }
    else {
      const j = rand(live.length);
      const old = live[j];
      if (op === 1) { live.splice(j, 1); rows.push(old); kinds.push(RowKind.DELETE); }
      else { const r = fresh(); live[j] = r; rows.push(old, r); kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER); }
    }
  }
  return { rows, kinds };
}

/** The result rows recomputed from scratch from the live rows of each key (the reference). */
function expectedRows(rows: Row[], kinds: RowKind[]): string[] {
  const live: Row[] = [];
  rows.forEach((r, i) => {
    if (kinds[i] === RowKind.INSERT || kinds[i] === RowKind.UPDATE_AFTER) live.push(r);
    else live.splice(live.indexOf(r), 1);
  });
  const groups = new Map<unknown, Row[]>();
  for (const r of live) groups.set(r.k, [...(groups.get(r.k) ?? []), r]);
  return [...groups].map(([k, rs]) => {
    const vs = rs.map((r) => r.v as number | null).filter((v): v is number => v !== null);
    const ss = rs.map((r) => r.s as string | null).filter((v): v is string => v !== null);
    const sum = vs.reduce((a, b) => a + b, 0);
    return JSON.stringify([k, rs.length, vs.length, vs.length ? sum : null, vs.length ? Math.trunc(sum / vs.length) : null,
      vs.length ? Math.min(...vs) : null, ss.length ? ss.reduce((a, b) => (b > a ? b : a)) : null, new Set(vs).size]);
  }).sort();
}

/** The aggregate's output columns are $agg0.. in the order of the select list. */
const AGG_NAMES = ['$agg0', '$agg1', '$agg2', '$agg3', '$agg4', '$agg5', '$agg6'];

function applyChanges(out: string[], rows: Row[], kinds: RowKind[]): void {
  rows.forEach((r, i) => {
    const line = JSON.stringify([r.k, ...AGG_NAMES.map((n) => r[n])]);
    if (kinds[i] === RowKind.INSERT || kinds[i] === RowKind.UPDATE_AFTER) out.push(line);
    else {
      const j = out.indexOf(line);
      if (j < 0) throw new Error(`${ROW_KIND_SHORT[kinds[i]]} ${line} retracts a row never emitted`);
      out.splice(j, 1);
    }
  });
}

describe('retracting group aggregate state', () => {
  const { p, agg, ingestNode } = plan();
  const input = ingestNode.schema;
  const state = () => new GroupState(aggKernel(agg.aggs, input, agg.retracting), agg.keys, agg.keys.map(() => ({ name: 'STRING', nullable: true }) as never), agg.aggs.map((a) => a.name), keyGroupFunction([{ name: 'STRING', nullable: true } as never], 128), 128);
  const ingests: [string, GroupIngest][] = [
    ['generated', instantiate(emitStages(p).factory, {}).stages[ingestNode.id] as GroupIngest],
    ['interpreted', interpretPlan(p, {}).stages[ingestNode.id] as GroupIngest],
  ];

  it('is planned as retracting', () => {
    expect(agg.retracting).toBe(true);
    expect(agg.aggs.map((a) => a.name)).toEqual(AGG_NAMES);
  });

  it.each(ingests)('%s ingest: batches of changes end in the recomputed groups, through a snapshot and restore', (_, ingest) => {
    for (const seed of [1, 2, 3]) {
      const { rows, kinds } = changelog(seed, 400);
      const out: string[] = [];
      let st = state();
      for (let at = 0, b = 0; at < rows.length; b++) {
        const size = 1 + (b * 7) % 23;
        ingest(rows.slice(at, at + size), kinds.slice(at, at + size), st);
        const o: Row[] = [];
        const ok: RowKind[] = [];
        st.drainChanges(o, ok);
        applyChanges(out, o, ok);
        at += size;
        if (b === 5) {
          const restored = state();
          restored.restore(JSON.parse(JSON.stringify(st.snapshot())));
          st = restored;
        }
      }
      expect(out.sort()).toEqual(expectedRows(rows, kinds));
    }
  });

  it('deletes a group whose rows are all retracted, and a later row of its key starts afresh', () => {
    const [, ingest] = ingests[0];
    const st = state();
    const drain = () => { const o: Row[] = []; const k: RowKind[] = []; st.drainChanges(o, k); return o.map((r, i) => `${ROW_KIND_SHORT[k[i]]} ${r.k} ${r.$agg0} ${r.$agg4}`); };
    const r1 = { k: 'a', v: 3, s: 'x' };
    const r2 = { k: 'a', v: 1, s: 'y' };
    ingest([r1, r2], [RowKind.INSERT, RowKind.INSERT], st);
    expect(drain()).toEqual(['+I a 2 1']);
    ingest([r2], [RowKind.DELETE], st);
    expect(drain()).toEqual(['-U a 2 1', '+U a 1 3']);
    ingest([r1], [RowKind.DELETE], st);
    expect(drain()).toEqual(['-D a 1 3']);
    expect((st.snapshot().lists.entries as unknown[]).length).toBe(0);
    ingest([r2], [RowKind.INSERT], st);
    expect(drain()).toEqual(['+I a 1 1']);
  });

  it('merges local pre-aggregates that retract what another one accumulated', () => {
    const [, ingest] = ingests[0];
    const { rows, kinds } = changelog(7, 300);
    const whole = state();
    ingest(rows, kinds, whole);
    const owner = state();
    // Two "subtasks" take alternating slices, so a row's insert and its retraction often land in different ones.
    for (let at = 0, b = 0; at < rows.length; b++, at += 13) {
      const local = state();
      ingest(rows.slice(at, at + 13), kinds.slice(at, at + 13), local);
      for (const [keys, acc] of local.takePartials()) owner.mergePartial(keys, acc);
    }
    const results = (st: GroupState) => { const o: Row[] = []; const k: RowKind[] = []; st.drainChanges(o, k); const out: string[] = []; applyChanges(out, o, k); return out.sort(); };
    const want = results(whole);
    expect(want).toEqual(expectedRows(rows, kinds));
    expect(results(owner)).toEqual(want);
  });
});
