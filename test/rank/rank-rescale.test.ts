// Rank state per key group (issue 18.4): a Top-N or deduplication snapshotted as subtasks of one parallelism
// restores as the subtasks of another (runtime/exec/redistribute.ts), p 1 -> 3 -> 2 as in the playground's
// rescaling. Rows go to the subtask owning their partition key's key group, as the rank's hash exchange sends
// them; the changelogs of all runs, applied to a table, end as an independent computation of the query over
// all rows (the top 2 per key, the first or last row per key).
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { JobPlan, RankNode } from '../../runtime/core/plan.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { keyGroupFunction, subtaskOf } from '../../runtime/exec/key-groups.js';
import { RankProcessor } from '../../runtime/exec/rank/rank-processor.js';
import { snapshotLayout, subtaskSnapshot } from '../../runtime/exec/redistribute.js';
import type { JobSnapshot } from '../../runtime/state/checkpoint-storage.js';
import { isKeyedSnapshot } from '../../runtime/state/keyed-snapshot.js';

const MAX = 128;
const T0 = Date.UTC(2026, 0, 1);
// 600 rows over 40 keys (and null), values with ties, event times unique and mostly ascending (some late by < 2 s).
const ROWS: Row[] = Array.from({ length: 600 }, (_, i) => ({
  id: i, k: i % 41 === 0 ? null : `k${(i * 7) % 40}`, v: (i * 37) % 50, ts: T0 + i * 1000 - ((i % 5) * 300),
}));

function planOf(sql: string): { plan: JobPlan; node: RankNode } {
  const env = TableEnvironment.create();
  env.getConfig().set('table.local-time-zone', 'UTC');
  env.executeSql(`CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE out_t (k STRING, id INT, v INT) WITH ('connector' = 'blackhole')`);
  env.executeSql(`INSERT INTO out_t ${sql}`);
  const plan = optimize(env.buildPlan('rank', []));
  return { plan, node: plan.nodes.find((n): n is RankNode => n.kind === 'rank')! };
}

/** The changelog applied to a table (a multiset of (k, id, v)). */
class Table {
  readonly rows = new Map<string, number>();
  apply(row: Row, kind: RowKind): void {
    const key = JSON.stringify([row.k, row.id, row.v]);
    const n = (this.rows.get(key) ?? 0) + (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER ? 1 : -1);
    if (n < 0) throw new Error(`retracted a row the table does not hold: ${key}`);
    if (n === 0) this.rows.delete(key); else this.rows.set(key, n);
  }
  sorted(): string[] { return [...this.rows].flatMap(([k, n]) => Array(n).fill(k)).sort(); }
}

/**
 * Runs `rows` through `parallelism` subtasks of the rank, restored from `stored` (redistributed), with a
 * watermark after each batch of 50 (the same at every subtask, as behind aligned exchanges); returns the
 * stored snapshot of all subtasks at the end.
 */
function runPhase(plan: JobPlan, node: RankNode, stored: JobSnapshot | null, parallelism: number, rows: Row[], endWatermark: number, out: Table): JobSnapshot {
  const input = plan.nodes.find((n) => n.id === node.input)!.schema;
  const kgOf = keyGroupFunction(node.partitionKeys.map((k) => input.find((f) => f.name === k)!.type), MAX);
  const metrics = new JobMetrics();
  const subtasks = Array.from({ length: parallelism }, (_, i) => {
    const p = new RankProcessor(node, input, metrics.operator(`rank-${i}`, 'rank'), kgOf, MAX);
    if (stored) {
      const restored = subtaskSnapshot(stored, snapshotLayout(plan), parallelism, i).operators[node.id];
      if (restored !== undefined) p.restore(restored);
    }
    p.outputs.push({ process: (rs, kinds) => rs.forEach((r, j) => out.apply(r, kinds?.[j] ?? RowKind.INSERT)), watermark: () => {}, endInput: () => {} });
    return p;
  });
  for (let b = 0; b < rows.length; b += 50) {
    const batch = rows.slice(b, b + 50);
    const to = Array.from({ length: parallelism }, () => [] as Row[]);
    for (const r of batch) to[subtaskOf(kgOf(node.partitionKeys.map((k) => r[k] ?? null)), MAX, parallelism)].push(r);
    to.forEach((rs, i) => { if (rs.length) subtasks[i].process(rs, null); });
    const wm = Math.max(...batch.map((r) => r.ts as number)) - 2000;
    for (const p of subtasks) p.watermark(b + 50 >= rows.length ? endWatermark : wm);
  }
  const parts = subtasks.map((p) => {
    const snap = JSON.parse(JSON.stringify(p.snapshot()));
    expect(isKeyedSnapshot(snap)).toBe(true);
    return { sources: {}, operators: { [node.id]: snap }, watermarks: {} };
  });
  return parallelism === 1 ? parts[0] : { sources: {}, operators: {}, watermarks: {}, parallelism, subtasks: parts };
}

/** Groups the rows by key, for the independent computation. */
function byKey(rows: Row[]): Map<unknown, Row[]> {
  const m = new Map<unknown, Row[]>();
  for (const r of rows) m.set(r.k, [...(m.get(r.k) ?? []), r]);
  return m;
}
const fmt = (rows: Row[]) => rows.map((r) => JSON.stringify([r.k, r.id, r.v])).sort();

describe('rank state restores at another parallelism: p 1 -> 3 -> 2', () => {
  it.each([
    {
      name: 'Top-2 per key by v desc, id',
      sql: 'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev) WHERE rn <= 2',
      expected: () => [...byKey(ROWS).values()].flatMap((rs) => [...rs].sort((a, b) => (b.v as number) - (a.v as number) || (a.id as number) - (b.id as number)).slice(0, 2)),
    },
    {
      name: 'first row per key on event time',
      sql: 'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM ev) WHERE rn = 1',
      // Rows behind the watermark are dropped as late, as the run drops them: none here is 2 s behind its predecessors' maximum.
      expected: () => [...byKey(ROWS).values()].map((rs) => rs.reduce((a, b) => ((b.ts as number) < (a.ts as number) ? b : a))),
    },
    {
      name: 'last row per key on event time',
      sql: 'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM ev) WHERE rn = 1',
      expected: () => [...byKey(ROWS).values()].map((rs) => rs.reduce((a, b) => ((b.ts as number) >= (a.ts as number) ? b : a))),
    },
  ])('$name', ({ sql, expected }) => {
    const { plan, node } = planOf(sql);
    const out = new Table();
    // Watermarks stay below the next phase's rows until the last phase ends the input.
    const first = runPhase(plan, node, null, 1, ROWS.slice(0, 200), (ROWS[199].ts as number) - 2000, out);
    const second = runPhase(plan, node, first, 3, ROWS.slice(200, 400), (ROWS[399].ts as number) - 2000, out);
    expect(second.subtasks!.map((s) => (s.operators[node.id] as { lists: { partitions: unknown[] } }).lists.partitions.length).every((n) => n > 0)).toBe(true);
    runPhase(plan, node, second, 2, ROWS.slice(400), Infinity, out);
    expect(out.sorted()).toEqual(fmt(expected()));
  });

  it('a rank snapshot from before key groups restores at another parallelism', () => {
    const { plan, node } = planOf('SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev) WHERE rn <= 2');
    const out = new Table();
    const first = runPhase(plan, node, null, 1, ROWS.slice(0, 300), Infinity, out);
    // The old format: { partitions: [[keys, state]] }.
    const keyed = first.operators[node.id] as { lists: { partitions: [number, unknown[], unknown][] } };
    const legacy: JobSnapshot = { sources: {}, operators: { [node.id]: { partitions: keyed.lists.partitions.map(([, keys, state]) => [keys, state]) } }, watermarks: {} };
    runPhase(plan, node, legacy, 3, ROWS.slice(300), Infinity, out);
    expect(out.sorted()).toEqual(fmt([...byKey(ROWS).values()].flatMap((rs) => [...rs].sort((a, b) => (b.v as number) - (a.v as number) || (a.id as number) - (b.id as number)).slice(0, 2))));
  });
});
