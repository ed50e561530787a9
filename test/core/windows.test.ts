// Event-time windows against an independent computation: out-of-order input within the watermark bound is
// counted, records later than the watermark are dropped and counted, fused and unfused agree.
import { describe, it, expect } from 'vitest';
import { TableEnvironment, $, lit, DataTypes, Tumble, Slide, Session } from 'sluice';
import { collectBothWays, registerCsv, sortRows, writeCsv } from '../helpers/tables.js';

const T0 = Date.UTC(2026, 0, 1);
const DELAY = 5_000;

/** A click stream: mostly increasing time with jitter below the watermark delay, plus a few very late records. */
function makeInput(n: number, seed = 42) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: { page: string; ts: number; late: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const base = T0 + i * 37;
    rows.push({ page: `/p${Math.floor(rand() * 4)}`, ts: base - Math.floor(rand() * (DELAY - 100)), late: false });
    // 10 minutes late, and after the source's first batch (4096 lines, read before any watermark exists, as
    // Flink reads a file's first records before its first periodic watermark).
    if (i > 5000 && i % 997 === 0) rows.push({ page: '/p0', ts: base - 600_000, late: true });
  }
  return rows;
}

function setup(rows: ReturnType<typeof makeInput>) {
  const tEnv = TableEnvironment.create();
  const file = writeCsv(rows.map((r) => [r.page, new Date(r.ts)]));
  registerCsv(tEnv, { name: 'clicks', columns: [['page', DataTypes.STRING()], ['ts', DataTypes.TIMESTAMP(3)]], file, watermark: { column: 'ts', delayMs: DELAY } });
  return tEnv;
}

function expectedCounts(rows: ReturnType<typeof makeInput>, windows: (ts: number) => [number, number][]) {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.late) continue;
    for (const [start, end] of windows(r.ts)) {
      const k = JSON.stringify([r.page, start, end]);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return sortRows([...counts].map(([k, cnt]) => { const [page, ws, we] = JSON.parse(k); return { page, ws, we, cnt }; }));
}

describe('event-time windows', () => {
  const rows = makeInput(12_000);
  const lateCount = rows.filter((r) => r.late).length;

  it('tumbling: counts per page and 15 s window, late records dropped', async () => {
    const tEnv = setup(rows);
    const got = await collectBothWays(() => tEnv.from('clicks')
      .window(Tumble.over(lit(15).seconds()).on($('ts')).as('w'))
      .groupBy($('w'), $('page'))
      .select($('page'), $('w').start().as('ws'), $('w').end().as('we'), $('page').count().as('cnt')));
    const size = 15_000;
    expect(lateCount).toBeGreaterThan(5);
    expect(sortRows(got)).toEqual(expectedCounts(rows, (ts) => { const s = ts - (ts % size); return [[s, s + size]]; }));
  });

  it('sliding: 15 s windows every 5 s', async () => {
    const tEnv = setup(rows);
    const got = await collectBothWays(() => tEnv.from('clicks')
      .window(Slide.over(lit(15).seconds()).every(lit(5).seconds()).on($('ts')).as('w'))
      .groupBy($('w'), $('page'))
      .select($('page'), $('w').start().as('ws'), $('w').end().as('we'), $('page').count().as('cnt')));
    expect(sortRows(got)).toEqual(expectedCounts(rows, (ts) => {
      const out: [number, number][] = [];
      for (let s = ts - (ts % 5000); s > ts - 15_000; s -= 5000) out.push([s, s + 15_000]);
      return out;
    }));
  });

  it('session: gaps of 2 s split sessions per page', async () => {
    // Sparse input so that sessions end: one page, bursts separated by gaps.
    const burst = (start: number, n: number) => Array.from({ length: n }, (_, i) => ({ page: '/s', ts: start + i * 500, late: false }));
    const input = [...burst(T0, 5), ...burst(T0 + 10_000, 3), ...burst(T0 + 12_600, 2), ...burst(T0 + 30_000, 1)];
    // Out of order within the bound: swap two neighbours.
    [input[1], input[2]] = [input[2], input[1]];
    const tEnv = setup(input);
    const got = await collectBothWays(() => tEnv.from('clicks')
      .window(Session.withGap(lit(2).seconds()).on($('ts')).as('w'))
      .groupBy($('w'), $('page'))
      .select($('page'), $('w').start().as('ws'), $('w').end().as('we'), $('page').count().as('cnt')));
    // Independent: sort by time, split where the gap between neighbours is >= 2 s.
    const sorted = [...input].sort((a, b) => a.ts - b.ts);
    const sessions: { page: string; ws: number; we: number; cnt: number }[] = [];
    for (const r of sorted) {
      const last = sessions[sessions.length - 1];
      if (last && r.ts < last.we) { last.we = r.ts + 2000; last.cnt++; } else sessions.push({ page: r.page, ws: r.ts, we: r.ts + 2000, cnt: 1 });
    }
    expect(sortRows(got)).toEqual(sortRows(sessions));
  });

  it('counts late records in the window operator metrics', async () => {
    const tEnv = setup(rows);
    const { runPlan } = await import('../../compiler/run-standalone.js');
    const { optimize } = await import('../../compiler/passes/index.js');
    tEnv.registerTable({ name: 'bh', columns: [{ kind: 'physical', name: 'page', type: DataTypes.STRING() }, { kind: 'physical', name: 'ws', type: DataTypes.TIMESTAMP(3) }, { kind: 'physical', name: 'cnt', type: DataTypes.BIGINT() }], watermark: null, primaryKey: [], options: { connector: 'blackhole' } });
    tEnv.from('clicks').window(Tumble.over(lit(15).seconds()).on($('ts')).as('w')).groupBy($('w'), $('page'))
      .select($('page'), $('w').start().as('ws'), $('page').count().as('cnt')).executeInsert('bh');
    for (const fused of [true, false]) {
      const runner = await runPlan(optimize(tEnv.buildPlan('late', [])), fused);
      expect(runner.metrics.total('lateRecordsDropped')).toBe(lateCount);
    }
  });
});
