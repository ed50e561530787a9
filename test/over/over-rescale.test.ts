// OVER aggregate state per key group: an OVER aggregate snapshotted as the subtasks of one parallelism restores as
// the subtasks of another (runtime/exec/redistribute.ts), p 1 -> 3 -> 2. Rows go to the subtask owning their
// partition key's key group, as the operator's hash exchange sends them; every row goes out once, with the same
// values as in one run at p 1 without any restore.
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { JobPlan, OverAggregateNode } from '../../runtime/core/plan.js';
import type { Row } from '../../runtime/core/row.js';
import { keyGroupFunction, subtaskOf } from '../../runtime/exec/key-groups.js';
import { OverAggregateProcessor } from '../../runtime/exec/over/over-processor.js';
import { snapshotLayout, subtaskSnapshot } from '../../runtime/exec/redistribute.js';
import type { JobSnapshot } from '../../runtime/state/checkpoint-storage.js';
import { isKeyedSnapshot } from '../../runtime/state/keyed-snapshot.js';

const MAX = 128;
const T0 = Date.UTC(2026, 0, 1);
// 600 rows over 40 keys (and null), event times unique and mostly ascending (some out of order by < 2 s).
const ROWS: Row[] = Array.from({ length: 600 }, (_, i) => ({
  id: i, k: i % 41 === 0 ? null : `k${(i * 7) % 40}`, v: (i * 37) % 50, ts: T0 + i * 1000 - ((i % 5) * 300),
}));

function planOf(sql: string): { plan: JobPlan; node: OverAggregateNode } {
  const env = TableEnvironment.create();
  env.getConfig().set('table.local-time-zone', 'UTC');
  env.executeSql(`CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE out_t (id INT, s INT, c BIGINT) WITH ('connector' = 'blackhole')`);
  env.executeSql(`INSERT INTO out_t ${sql}`);
  const plan = optimize(env.buildPlan('over', []));
  return { plan, node: plan.nodes.find((n): n is OverAggregateNode => n.kind === 'overAggregate')! };
}

/** Runs rows through `parallelism` subtasks restored from `stored`, a watermark after every 50 rows; returns their snapshot. */
function runPhase(plan: JobPlan, node: OverAggregateNode, stored: JobSnapshot | null, parallelism: number, rows: Row[], last: boolean, out: string[]): JobSnapshot {
  const input = plan.nodes.find((n) => n.id === node.input)!.schema;
  const kgOf = keyGroupFunction(node.partitionKeys.map((k) => input.find((f) => f.name === k)!.type), MAX);
  const metrics = new JobMetrics();
  const subtasks = Array.from({ length: parallelism }, (_, i) => {
    const p = new OverAggregateProcessor(node, input, metrics.operator(`over-${i}`, 'over'), kgOf, MAX);
    if (stored) {
      const restored = subtaskSnapshot(stored, snapshotLayout(plan), parallelism, i).operators[node.id];
      if (restored !== undefined) p.restore(restored);
    }
    p.outputs.push({ process: (rs) => rs.forEach((r) => out.push(JSON.stringify(r))), watermark: () => {}, endInput: () => {} });
    return p;
  });
  for (let b = 0; b < rows.length; b += 50) {
    const batch = rows.slice(b, b + 50);
    const to = Array.from({ length: parallelism }, () => [] as Row[]);
    for (const r of batch) to[subtaskOf(kgOf(node.partitionKeys.map((k) => r[k] ?? null)), MAX, parallelism)].push(r);
    to.forEach((rs, i) => { if (rs.length) subtasks[i].process(rs, null); });
    const wm = Math.max(...batch.map((r) => r.ts as number)) - 2000;
    for (const p of subtasks) p.watermark(last && b + 50 >= rows.length ? Number.MAX_SAFE_INTEGER : wm);
  }
  const parts = subtasks.map((p) => {
    const snap = JSON.parse(JSON.stringify(p.snapshot()));
    expect(isKeyedSnapshot(snap)).toBe(true);
    return { sources: {}, operators: { [node.id]: snap }, watermarks: {} };
  });
  return parallelism === 1 ? parts[0] : { sources: {}, operators: {}, watermarks: {}, parallelism, subtasks: parts };
}

describe('OVER aggregate state restores at another parallelism', () => {
  it.each([
    "SELECT id, SUM(v) OVER w AS s, COUNT(*) OVER w AS c FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)",
    "SELECT id, SUM(v) OVER w AS s, COUNT(*) OVER w AS c FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '30' SECOND PRECEDING AND CURRENT ROW)",
    "SELECT id, SUM(v) OVER w AS s, COUNT(DISTINCT v) OVER w AS c FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
  ])('p 1 -> 3 -> 2: %s', (sql) => {
    const { plan, node } = planOf(sql);
    const once: string[] = [];
    runPhase(plan, node, null, 1, ROWS, true, once);
    const rescaled: string[] = [];
    const s1 = runPhase(plan, node, null, 1, ROWS.slice(0, 200), false, rescaled);
    const s3 = runPhase(plan, node, s1, 3, ROWS.slice(200, 400), false, rescaled);
    runPhase(plan, node, s3, 2, ROWS.slice(400), true, rescaled);
    expect(once.length).toBe(ROWS.length);
    expect(rescaled.sort()).toEqual(once.sort());
  });
});
