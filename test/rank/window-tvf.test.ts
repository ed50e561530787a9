// Window Top-N and window deduplication straight on a window table function, at the level of the operators: the
// window table function's rows (every window of a row, late rows kept) ranked per window as the watermark passes
// its end (late rows dropped there), compared with a direct computation of Flink's semantics over the same
// arrivals: per window and key the top rows by v (ties in arrival order), the first row in time (ties: the first
// to arrive) or the last (ties: the last to arrive). Also a snapshot taken in the middle restores to the same output.
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { RankNode, WindowTableNode } from '../../runtime/core/plan.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { RankProcessor } from '../../runtime/exec/rank/rank-processor.js';
import { WindowTableProcessor } from '../../runtime/exec/window-table-processor.js';

const T0 = Date.UTC(2026, 0, 1);
const SLIDE = 5_000;
const SIZE = 10_000;
// 400 rows 250 ms apart over 3 keys, two rows each in turn; every 4th row repeats the time of the row before, of its
// key (ties); every 37th is 30 s late.
const ROWS: Row[] = Array.from({ length: 400 }, (_, i) => {
  const at = i % 4 === 3 ? (i - 1) * 250 : i * 250;
  return { id: i, k: `k${Math.floor(i / 2) % 3}`, v: (i * 13) % 20, ts: T0 + (i % 37 === 36 ? at - 30_000 : at) };
});
const BATCH = 40;
/** The watermark after each batch: the largest time so far minus the 2 s delay, minus 1 ms (Flink's). */
const watermarks = ROWS.map((_, i) => Math.max(...ROWS.slice(0, i + 1).map((r) => r.ts as number)) - 2001);

function operators(sql: string): { table: WindowTableNode; rank: RankNode } {
  const env = TableEnvironment.create();
  env.getConfig().set('table.local-time-zone', 'UTC');
  env.executeSql(`CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE out_t (k STRING, id INT) WITH ('connector' = 'blackhole')`);
  env.executeSql(`INSERT INTO out_t ${sql}`);
  const plan = optimize(env.buildPlan('window-tvf', []));
  return {
    table: plan.nodes.find((n): n is WindowTableNode => n.kind === 'windowTable')!,
    rank: plan.nodes.find((n): n is RankNode => n.kind === 'rank')!,
  };
}

/** Rows through the window table function and the rank, a watermark after each batch; the rank's output as `k id window_end`. */
function run(sql: string, split?: number): string[] {
  const { table, rank } = operators(sql);
  const metrics = new JobMetrics();
  const out: string[] = [];
  const tvf = new WindowTableProcessor(table, metrics.operator('t', 'tvf'));
  const newRank = () => {
    const r = new RankProcessor(rank, table.schema, metrics.operator('r', 'rank'), () => 0, 128);
    r.outputs.push({
      process: (rows, kinds) => rows.forEach((row, i) => {
        expect(kinds?.[i] ?? RowKind.INSERT).toBe(RowKind.INSERT);
        out.push(`${row.k} ${row.id} ${row.window_end as number - T0}`);
      }),
      watermark: () => {}, endInput: () => {},
    });
    return r;
  };
  let r = newRank();
  tvf.outputs.push({ process: (rows, kinds) => r.process(rows, kinds), watermark: (wm) => r.watermark(wm), endInput: () => r.endInput() });
  for (let i = 0; i < ROWS.length; i += BATCH) {
    if (split !== undefined && i === split) {
      const snap = JSON.parse(JSON.stringify(r.snapshot()));
      r = newRank();
      r.restore(snap);
    }
    tvf.process(ROWS.slice(i, i + BATCH), null);
    tvf.watermark(watermarks[Math.min(i + BATCH, ROWS.length) - 1]);
  }
  tvf.endInput();
  return out.sort();
}

/** Flink's semantics computed directly: each row's HOP windows, minus those the watermark passed before the row arrived. */
function expected(pick: (rows: Row[]) => Row[]): string[] {
  const buckets = new Map<string, Row[]>();
  ROWS.forEach((row, i) => {
    const wm = i < BATCH ? -Infinity : watermarks[Math.floor(i / BATCH) * BATCH - 1];
    const ts = row.ts as number;
    for (let start = Math.floor(ts / SLIDE) * SLIDE; start > ts - SIZE; start -= SLIDE) {
      if (start + SIZE - 1 <= wm) continue;
      const key = `${row.k} ${start + SIZE - T0}`;
      buckets.set(key, [...(buckets.get(key) ?? []), row]);
    }
  });
  return [...buckets].flatMap(([key, rows]) => pick(rows).map((r) => `${key.split(' ')[0]} ${r.id} ${key.split(' ')[1]}`)).sort();
}

const hop = `TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))`;
const byTime = (a: Row, b: Row) => (a.ts as number) - (b.ts as number);

describe('window Top-N and deduplication on a window table function', () => {
  const cases: [string, string, (rows: Row[]) => Row[]][] = [
    ['Top-2 by v DESC (ties: first arrivals)', `SELECT k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rn FROM ${hop}) WHERE rn <= 2`,
      (rows) => [...rows].sort((a, b) => (b.v as number) - (a.v as number)).slice(0, 2)],
    ['keep the first row (ties: the first to arrive)', `SELECT k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts) AS rn FROM ${hop}) WHERE rn = 1`,
      (rows) => [[...rows].sort(byTime)[0]]],
    ['keep the last row (ties: the last to arrive)', `SELECT k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts DESC) AS rn FROM ${hop}) WHERE rn = 1`,
      (rows) => [[...rows].reverse().sort((a, b) => byTime(b, a))[0]]],
  ];

  it.each(cases)('%s', (_, sql, pick) => {
    const got = run(sql);
    expect(got).toEqual(expected(pick));
    // The late rows after the first batch fall in windows that fired already: none of them is ranked.
    expect(got.some((line) => { const id = Number(line.split(' ')[1]); return id % 37 === 36 && id >= BATCH; })).toBe(false);
    expect(got.length).toBeGreaterThan(60);
  });

  it.each(cases)('a snapshot in the middle restores to the same output: %s', (_, sql) => {
    expect(run(sql, 200)).toEqual(run(sql));
  });

  it('deduplication is planned as Flink plans it, Top-N otherwise', () => {
    expect(operators(cases[1][1]).rank.strategy).toBe('window-dedup-first');
    expect(operators(cases[2][1]).rank.strategy).toBe('window-dedup-last');
    expect(operators(cases[0][1]).rank.strategy).toBe('window-top-n');
  });
});

describe('the window table function alone', () => {
  it('sends each row once per window at once, late rows too, and drops rows without a time', () => {
    const { table } = operators(`SELECT k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v) AS rn FROM ${hop}) WHERE rn <= 1`);
    const tvf = new WindowTableProcessor(table, new JobMetrics().operator('t', 'tvf'));
    const out: Row[] = [];
    tvf.outputs.push({ process: (rows) => out.push(...rows), watermark: () => {}, endInput: () => {} });
    tvf.watermark(T0 + 60_000);
    tvf.process([{ id: 1, k: 'a', v: 1, ts: T0 + 7_300 }, { id: 2, k: 'a', v: 1, ts: null }, { id: 3, k: 'b', v: 2, ts: T0 - 30_000 }], null);
    expect(out.map((r) => [r.id, r.window_start as number - T0, r.window_end as number - T0, r.window_time as number - T0])).toEqual([
      [1, 5_000, 15_000, 14_999], [1, 0, 10_000, 9_999], [3, -30_000, -20_000, -20_001], [3, -35_000, -25_000, -25_001],
    ]);
  });
});
