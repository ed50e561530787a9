// Interval joins: the operator step by step (what joins, when a row is cached, when the watermark or the clock
// removes it, padded rows of outer joins once a row expires, late rows, the watermark held back, snapshot and
// restore); the plan (bounds found in the condition, time attributes kept, no TTL warning); and interval joins
// end to end against a nested-loop join with the time bounds written out, fused and unfused. Final rows
// against real Flink, late rows included, are in test/conformance (family join).
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { joinStateWarnings } from '../../compiler/passes/join-state-warnings.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { OperatorMetrics } from '../../runtime/core/metrics.js';
import type { IntervalBounds, JoinNode, JoinType } from '../../runtime/core/plan.js';
import type { Row } from '../../runtime/core/row.js';
import { IntervalJoinProcessor } from '../../runtime/exec/interval-join-processor.js';
import type { Processor } from '../../runtime/exec/processors.js';
import { collectBothWays, sortRows, writeJsonLines } from '../helpers/tables.js';
import { compileError } from './helpers.js';

const S = DataTypes.STRING();

/** l (id, k, lt) JOIN r (k, rt, v) ON l.k = r.k AND l.lt BETWEEN r.rt + lowerMs AND r.rt + upperMs. */
function harness(joinType: JoinType, bounds: Partial<IntervalBounds> = {}) {
  const interval: IntervalBounds = { time: 'event', leftTime: 'lt', rightTime: 'rt', lowerMs: -1000, upperMs: 2000, ...bounds };
  const node: JoinNode = {
    kind: 'join', id: 'j', left: 'l', right: 'r', joinType, leftFields: ['id', 'k', 'lt'], rightFields: ['k', 'rt', 'v'],
    leftKeys: ['k'], rightKeys: ['k'], condition: null, changelog: 'insert-only', interval,
    schema: ['id', 'k', 'lt', 'k0', 'rt', 'v'].map((name) => ({ name, type: S })),
  };
  const clock = { now: 0 };
  const make = () => new IntervalJoinProcessor(node, [[S], [S]], null, new OperatorMetrics('j', 'join'), { maxParallelism: 128, now: () => clock.now });
  let p = make();
  const out: string[] = [];
  const watermarks: number[] = [];
  const sink: Processor = {
    process: (rows, kinds) => { expect(kinds).toBeNull(); rows.forEach((r) => out.push(Object.values(r).map((v) => v ?? '-').join(' '))); },
    watermark: (wm) => watermarks.push(wm), endInput: () => out.push('end'),
  };
  p.outputs.push(sink);
  return {
    clock, watermarks,
    left: (id: string, k: string | null, lt: number | null) => { p.port(0).process([{ id, k, lt } as Row], null); return out.splice(0); },
    right: (k: string | null, rt: number | null, v: string) => { p.port(1).process([{ k, rt, v } as Row], null); return out.splice(0); },
    /** Both inputs' watermarks to `wm`. */
    watermark: (wm: number) => { p.port(0).watermark(wm); p.port(1).watermark(wm); return out.splice(0); },
    end: () => { p.port(0).endInput(); p.port(1).endInput(); return out.splice(0); },
    fire: (now: number) => { clock.now = now; p.fire(now); return out.splice(0); },
    sizes: () => p.stateSize(),
    restart: () => { const snap = JSON.parse(JSON.stringify(p.snapshot())); p = make(); p.outputs.push(sink); p.restore(snap); },
  };
}

describe('the interval join operator (Flink\'s TimeIntervalJoin)', () => {
  it('inner: pairs within the bounds join, from either side; rows leave state once the watermark has passed their bounds', () => {
    const h = harness('inner');
    expect(h.left('o1', 'a', 10_000)).toEqual([]);
    // lt - rt must be in [-1000, 2000]: rt in [8000, 11000].
    expect(h.right('a', 8000, 'x')).toEqual(['o1 a 10000 a 8000 x']);
    expect(h.right('a', 7999, 'too early')).toEqual([]);
    expect(h.right('a', 11_000, 'y')).toEqual(['o1 a 10000 a 11000 y']);
    expect(h.right('b', 10_000, 'other key')).toEqual([]);
    expect(h.left('o2', 'a', 12_500)).toEqual(['o2 a 12500 a 11000 y']);
    expect(h.sizes()).toEqual([2, 4]);
    // A left row can match right rows up to lt + 1000: at watermark 13 501 both left rows are gone (their
    // cleanup timer was due at 10 000 + 1000 + 1500 + 1, and then again at 12 500 + 2501).
    h.watermark(13_000);
    expect(h.sizes()[0]).toBe(1);
    h.watermark(15_001);
    expect(h.sizes()[0]).toBe(0);
    // A right row can match left rows up to rt + 2000.
    h.watermark(20_000);
    expect(h.sizes()).toEqual([0, 0]);
  });

  it('left outer: an unmatched row goes out padded when the watermark removes it, a matched one never', () => {
    const h = harness('left');
    expect(h.left('o1', 'a', 10_000)).toEqual([]);
    expect(h.left('o2', 'b', 10_000)).toEqual([]);
    expect(h.right('a', 9000, 'x')).toEqual(['o1 a 10000 a 9000 x']);
    expect(h.watermark(11_000)).toEqual([]);
    // The timer (10 000 + 1000 + 1500 + 1) fires: both are expired (at or before 12 501 - 1000 - 1), o2 never matched.
    expect(h.watermark(12_501)).toEqual(['o2 b 10000 - - -']);
    expect(h.sizes()[0]).toBe(0);
  });

  it('late rows: joined with what is still cached, not cached themselves, padded at once on an outer side', () => {
    const h = harness('full');
    h.watermark(50_000);
    // Too late to be cached (50 000 >= 1000 + 1000): an unmatched left row is padded at once.
    expect(h.left('late', 'a', 1000)).toEqual(['late a 1000 - - -']);
    expect(h.right('a', 1000, 'late too')).toEqual(['- - - a 1000 late too']);
    expect(h.sizes()).toEqual([0, 0]);
    // A row on time is cached; a late row of the other side within its bounds still joins it.
    expect(h.left('o1', 'a', 60_000)).toEqual([]);
    expect(h.right('a', 59_000, 'y')).toEqual(['o1 a 60000 a 59000 y']);
    expect(h.right(null, 60_000, 'null key')).toEqual(['- - - - 60000 null key']);
    expect(h.end()).toEqual(['end']);
  });

  it('the end of input expires every row: unmatched outer rows come out padded', () => {
    const h = harness('right');
    h.right('a', 1000, 'x');
    h.right('b', 1000, 'y');
    h.left('o1', 'a', 1500);
    expect(h.end().sort()).toEqual(['- - - b 1000 y', 'end']);
  });

  it('the watermark out is held back by the larger relative size (max(-lower, upper))', () => {
    const h = harness('inner');
    h.watermark(10_000);
    expect(h.watermarks).toEqual([8000]);
    const g = harness('inner', { lowerMs: -5000, upperMs: -1000 });
    g.watermark(10_000);
    expect(g.watermarks).toEqual([5000]);
  });

  it('state survives a snapshot and restore, and the restored rows still expire', () => {
    const h = harness('left');
    h.left('o1', 'a', 10_000);
    h.left('o2', 'b', 10_000);
    h.right('a', 9500, 'x');
    h.restart();
    expect(h.sizes()).toEqual([2, 1]);
    expect(h.right('b', 10_500, 'late match')).toEqual(['o2 b 10000 b 10500 late match']);
    expect(h.watermark(30_000)).toEqual([]);
    expect(h.sizes()).toEqual([0, 0]);
  });

  it('proctime: rows are timed by the clock on arrival and removed by the runner\'s clock', () => {
    const h = harness('left', { time: 'processing', leftTime: 'lt', rightTime: 'rt', lowerMs: -100, upperMs: 100 });
    h.clock.now = 1000;
    expect(h.left('o1', 'a', null)).toEqual([]);
    h.clock.now = 1050;
    expect(h.right('a', null, 'x')).toEqual(['o1 a - a - x']);
    h.clock.now = 1060;
    expect(h.left('o2', 'b', null)).toEqual([]);
    // o2's timer: 1060 + 100 + 100 + 1; expired once the clock is past 1060 + 100.
    expect(h.fire(1200)).toEqual([]);
    expect(h.fire(1261)).toEqual(['o2 b - - - -']);
    // Processing-time timers are dropped at the end of input, as in Flink: nothing more is padded.
    h.clock.now = 2000;
    h.left('o3', 'c', null);
    expect(h.end()).toEqual(['end']);
  });
});

const START = Date.UTC(2026, 0, 1);
/** Clicks and impressions, ordered by time (no late rows): the result is the nested-loop join with the bounds. */
const IMPRESSIONS = Array.from({ length: 400 }, (_, i) => ({ id: i, ad: `ad${i % 7}`, ts: START + i * 50 }));
const CLICKS = Array.from({ length: 300 }, (_, i) => ({ cid: i, cad: `ad${(i * 3) % 8}`, cts: START + i * 67 + 20 }));

function environment(): TableEnvironment {
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE impressions (id INT, ad STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(IMPRESSIONS, ['ts'])}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE clicks (cid INT, cad STRING, cts TIMESTAMP(3), WATERMARK FOR cts AS cts - INTERVAL '1' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(CLICKS, ['cts'])}', 'format' = 'json')`);
  return env;
}

const QUERY = `SELECT i.id, c.cid FROM impressions i LEFT JOIN clicks c
  ON i.ad = c.cad AND c.cts BETWEEN i.ts AND i.ts + INTERVAL '2' SECOND AND c.cid > 10`;

describe('interval joins end to end', { timeout: 120_000 }, () => {
  it('a LEFT interval join gives the nested-loop join with the time bounds (fused and unfused)', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(QUERY));
    const expected = IMPRESSIONS.flatMap((i): Record<string, unknown>[] => {
      const ms = CLICKS.filter((c) => c.cad === i.ad && c.cts >= i.ts && c.cts <= i.ts + 2000 && c.cid > 10);
      return ms.length ? ms.map((c) => ({ id: i.id, cid: c.cid })) : [{ id: i.id, cid: null }];
    });
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });

  it('a window aggregate on the joined rows\' rowtime', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      `SELECT TUMBLE_START(i.ts, INTERVAL '5' SECOND) AS ws, COUNT(*) AS n FROM impressions i JOIN clicks c
       ON i.ad = c.cad AND c.cts BETWEEN i.ts AND i.ts + INTERVAL '2' SECOND GROUP BY TUMBLE(i.ts, INTERVAL '5' SECOND)`));
    const counts = new Map<number, number>();
    for (const i of IMPRESSIONS) for (const c of CLICKS) {
      if (c.cad === i.ad && c.cts >= i.ts && c.cts <= i.ts + 2000) counts.set(i.ts - (i.ts % 5000), (counts.get(i.ts - (i.ts % 5000)) ?? 0) + 1);
    }
    const expected = [...counts].map(([ws, n]) => ({ ws, n }));
    expect(sortRows(rows.map((r) => ({ ws: (r as Record<string, unknown>).ws, n: (r as Record<string, unknown>).n })))).toEqual(sortRows(expected));
  });
});

describe('interval join plans', () => {
  const plan = (sql: string) => {
    const env = environment();
    const t = env.sqlQuery(sql);
    env.executeSql("CREATE TABLE o (id INT, ts TIMESTAMP(3), cts TIMESTAMP(3)) WITH ('connector' = 'blackhole')");
    // One rowtime into the sink (Flink refuses two): the plan is the join's all the same.
    env.sqlQuery(`SELECT id, ts, CAST(cts AS TIMESTAMP(3)) FROM (${sql})`).executeInsert('o');
    return { t, plan: optimize(env.buildPlan('j', [])) };
  };

  it('bounds from BETWEEN, strict and non-strict comparisons and =, on the rowtimes of both sides; time attributes kept', () => {
    const cases: [string, Partial<IntervalBounds>][] = [
      ["i.ts BETWEEN c.cts - INTERVAL '1' SECOND AND c.cts + INTERVAL '2' SECOND", { lowerMs: -1000, upperMs: 2000 }],
      ["c.cts > i.ts AND c.cts < i.ts + INTERVAL '10' MINUTE", { lowerMs: -599_999, upperMs: -1 }],
      ["i.ts >= c.cts - INTERVAL '5' SECOND AND c.cts + INTERVAL '1' SECOND >= i.ts", { lowerMs: -5000, upperMs: 1000 }],
      ['i.ts = c.cts', { lowerMs: 0, upperMs: 0 }],
    ];
    for (const [cond, bounds] of cases) {
      const { t, plan: p } = plan(`SELECT i.id, i.ts, c.cts FROM impressions i JOIN clicks c ON i.ad = c.cad AND ${cond}`);
      const join = p.nodes.find((n): n is JoinNode => n.kind === 'join')!;
      expect(join.interval, cond).toEqual({ time: 'event', leftTime: 'ts', rightTime: 'cts', ...bounds });
      expect(join.changelog).toBe('insert-only');
      expect(t.getSchema().map((f) => f.type.timeAttribute)).toEqual([undefined, 'rowtime', 'rowtime']);
      expect(joinStateWarnings(p)).toEqual([]);
    }
    expect(environment().sqlQuery(`SELECT i.id FROM impressions i LEFT JOIN clicks c ON i.ad = c.cad AND ${cases[0][0]}`).explain())
      .toContain('IntervalJoin(joinType=[LeftOuterJoin], windowBounds=[isRowTime=true, leftLowerBound=-1000, leftUpperBound=2000');
  });

  it('writing both rowtimes into a table is an error, as in Flink', () => {
    const env = environment();
    env.executeSql("CREATE TABLE o (id INT, ts TIMESTAMP(3), cts TIMESTAMP(3)) WITH ('connector' = 'blackhole')");
    const t = env.sqlQuery("SELECT i.id, i.ts, c.cts FROM impressions i JOIN clicks c ON i.ad = c.cad AND i.ts = c.cts");
    const e = compileError(() => t.executeInsert('o'));
    expect(e.message).toBe("the query contains more than one rowtime attribute column (ts, cts) for writing into table 'o'");
    expect(e.hint).toMatch(/CAST\(cts AS TIMESTAMP\(3\)\)/);
  });

  it('one bound only, or bounds on a non-time column: a regular join', () => {
    for (const cond of ["i.ts >= c.cts - INTERVAL '1' SECOND", "i.id BETWEEN c.cid - 1 AND c.cid + 1"]) {
      const { t, plan: p } = plan(`SELECT i.id, i.ts, c.cts FROM impressions i JOIN clicks c ON i.ad = c.cad AND ${cond}`);
      expect(p.nodes.find((n): n is JoinNode => n.kind === 'join')!.interval).toBeUndefined();
      expect(t.getSchema()[1].type.timeAttribute).toBeUndefined();
    }
  });
});
