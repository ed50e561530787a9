// Window joins: the operator step by step (rows kept per key and window until the watermark passes the window's
// end, then joined and dropped; outer sides padded; late rows dropped; NULL keys; snapshot and restore); the plan
// (a window join found from the window columns of both inputs, window aggregates or window table functions, time attributes kept, no TTL warning; regular
// joins where Flink's planner makes one); and window joins end to end against a nested-loop join per window, fused and unfused.
// Final rows against real Flink are in test/conformance (family window-join).
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { joinStateWarnings } from '../../compiler/passes/join-state-warnings.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { OperatorMetrics } from '../../runtime/core/metrics.js';
import type { JoinNode, JoinType } from '../../runtime/core/plan.js';
import type { Row } from '../../runtime/core/row.js';
import type { Processor } from '../../runtime/exec/processors.js';
import { WindowJoinProcessor } from '../../runtime/exec/window-join-processor.js';
import { collectBothWays, sortRows, writeJsonLines } from '../helpers/tables.js';

const S = DataTypes.STRING();
const T = DataTypes.TIMESTAMP(3);

/** l (id, k, we) JOIN r (k, we, v) ON l.k = r.k AND l.we = r.we (window ends; the starts play no part at run time). */
function harness(joinType: JoinType) {
  const node: JoinNode = {
    kind: 'join', id: 'j', left: 'l', right: 'r', joinType, leftFields: ['id', 'k', 'we'], rightFields: ['k', 'we', 'v'],
    leftKeys: ['k', 'we'], rightKeys: ['k', 'we'], condition: null, changelog: 'insert-only',
    window: { leftStart: 'ws', leftEnd: 'we', rightStart: 'ws', rightEnd: 'we', window: { type: 'tumble', timeColumn: 'ts', time: 'event', sizeMs: 10, slideMs: 0, gapMs: 0 } },
    schema: ['id', 'k', 'we', 'k0', 'we0', 'v'].map((name) => ({ name, type: name.startsWith('we') ? T : S })),
  };
  const make = () => new WindowJoinProcessor(node, [[S, T], [S, T]], null, new OperatorMetrics('j', 'join'), { maxParallelism: 128 });
  let p = make();
  const out: string[] = [];
  const watermarks: number[] = [];
  const sink: Processor = {
    process: (rows, kinds) => { expect(kinds).toBeNull(); rows.forEach((r) => out.push(Object.values(r).map((v) => v ?? '-').join(' '))); },
    watermark: (wm) => watermarks.push(wm), endInput: () => out.push('end'),
  };
  p.outputs.push(sink);
  return {
    watermarks,
    left: (id: string, k: string | null, we: number) => { p.port(0).process([{ id, k, we } as Row], null); return out.splice(0); },
    right: (k: string | null, we: number, v: string) => { p.port(1).process([{ k, we, v } as Row], null); return out.splice(0); },
    watermark: (wm: number) => { p.port(0).watermark(wm); p.port(1).watermark(wm); return out.splice(0).sort(); },
    end: () => { p.port(0).endInput(); p.port(1).endInput(); return out.splice(0); },
    sizes: () => p.stateSize(),
    late: () => p.lateDropped,
    restart: () => { const snap = JSON.parse(JSON.stringify(p.snapshot())); p = make(); p.outputs.push(sink); p.restore(snap); },
  };
}

describe('the window join operator (Flink\'s WindowJoinOperator)', () => {
  it('inner: a window\'s rows join when the watermark reaches its end - 1, then leave state; the watermark goes on after them', () => {
    const h = harness('inner');
    expect(h.left('o1', 'a', 10)).toEqual([]);
    expect(h.left('o2', 'a', 20)).toEqual([]);
    expect(h.right('a', 10, 'x')).toEqual([]);
    expect(h.right('a', 10, 'y')).toEqual([]);
    expect(h.right('b', 10, 'other key')).toEqual([]);
    expect(h.right('a', 20, 'z')).toEqual([]);
    expect(h.sizes()).toEqual([2, 4]);
    expect(h.watermark(8)).toEqual([]);
    expect(h.watermark(9)).toEqual(['o1 a 10 a 10 x', 'o1 a 10 a 10 y']);
    expect(h.watermarks).toEqual([8, 9]);
    expect(h.sizes()).toEqual([1, 1]);
    expect(h.watermark(100)).toEqual(['o2 a 20 a 20 z']);
    expect(h.sizes()).toEqual([0, 0]);
  });

  it('rows of a window that has fired are late: dropped on either side, counted', () => {
    const h = harness('full');
    h.left('o1', 'a', 10);
    expect(h.watermark(9)).toEqual(['o1 a 10 - - -']);
    expect(h.right('a', 10, 'late')).toEqual([]);
    expect(h.left('o2', 'a', 10)).toEqual([]);
    expect(h.late()).toEqual([1, 1]);
    expect(h.sizes()).toEqual([0, 0]);
    expect(h.watermark(100)).toEqual([]);
  });

  it('left, right and full outer: rows that matched nothing in their window go out padded when it fires', () => {
    const run = (t: JoinType) => {
      const h = harness(t);
      h.left('o1', 'a', 10);
      h.left('o2', 'b', 10);
      h.left('o3', 'a', 20);
      h.right('a', 10, 'x');
      h.right('c', 10, 'y');
      h.right('b', 20, 'w');
      return [...h.watermark(9), '|', ...h.end()];
    };
    expect(run('inner')).toEqual(['o1 a 10 a 10 x', '|', 'end']);
    expect(run('left')).toEqual(['o1 a 10 a 10 x', 'o2 b 10 - - -', '|', 'o3 a 20 - - -', 'end']);
    expect(run('right')).toEqual(['- - - c 10 y', 'o1 a 10 a 10 x', '|', '- - - b 20 w', 'end']);
    expect(run('full')).toEqual(['- - - c 10 y', 'o1 a 10 a 10 x', 'o2 b 10 - - -', '|', 'o3 a 20 - - -', '- - - b 20 w', 'end']);
  });

  it('a NULL key matches nothing, not even another NULL key; an outer side pads it', () => {
    const h = harness('full');
    h.left('o1', null, 10);
    h.right(null, 10, 'x');
    expect(h.watermark(9)).toEqual(['- - - - 10 x', 'o1 - 10 - - -']);
  });

  it('the join condition beyond the keys is evaluated per pair of a window', () => {
    const node: JoinNode = {
      kind: 'join', id: 'j', left: 'l', right: 'r', joinType: 'left', leftFields: ['id', 'we'], rightFields: ['we', 'v'],
      leftKeys: ['we'], rightKeys: ['we'], condition: null, changelog: 'insert-only',
      window: { leftStart: 'ws', leftEnd: 'we', rightStart: 'ws', rightEnd: 'we', window: { type: 'tumble', timeColumn: 'ts', time: 'event', sizeMs: 10, slideMs: 0, gapMs: 0 } },
      schema: ['id', 'we', 'we0', 'v'].map((name) => ({ name, type: S })),
    };
    const p = new WindowJoinProcessor(node, [[T], [T]], (row) => (row.id as number) < (row.v as number), new OperatorMetrics('j', 'join'), { maxParallelism: 128 });
    const out: Row[] = [];
    p.outputs.push({ process: (rows) => out.push(...rows), watermark: () => {}, endInput: () => {} });
    p.port(0).process([{ id: 1, we: 10 }, { id: 5, we: 10 }] as Row[], null);
    p.port(1).process([{ we: 10, v: 3 }, { we: 10, v: 4 }] as Row[], null);
    p.port(0).watermark(50);
    p.port(1).watermark(50);
    expect(out).toEqual([{ id: 1, we: 10, we0: 10, v: 3 }, { id: 1, we: 10, we0: 10, v: 4 }, { id: 5, we: 10, we0: null, v: null }]);
  });

  it('the state snapshot restores the rows of windows that have not fired', () => {
    const h = harness('left');
    h.left('o1', 'a', 10);
    h.left('o2', 'b', 20);
    h.right('a', 10, 'x');
    h.restart();
    expect(h.sizes()).toEqual([2, 1]);
    expect(h.watermark(9)).toEqual(['o1 a 10 a 10 x']);
    expect(h.end()).toEqual(['o2 b 20 - - -', 'end']);
  });
});

const START = Date.UTC(2026, 0, 1);
/** Two streams in time order with jitter below the watermark delay (no late rows). */
const ORDERS = Array.from({ length: 500 }, (_, i) => ({ id: i, k: `k${i % 7}`, ts: START + i * 37 - (i % 5) * 20 }));
const PAYMENTS = Array.from({ length: 400 }, (_, i) => ({ pid: i, pk: `k${(i * 3) % 9}`, pts: START + i * 45 - (i % 3) * 30 }));

function environment(): TableEnvironment {
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE orders (id INT, k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(ORDERS, ['ts'])}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE payments (pid INT, pk STRING, pts TIMESTAMP(3), WATERMARK FOR pts AS pts - INTERVAL '1' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(PAYMENTS, ['pts'])}', 'format' = 'json')`);
  return env;
}

const windowed = (table: string, key: string, time: string, agg: string, window = "TUMBLE(TABLE $t, DESCRIPTOR($c), INTERVAL '2' SECOND)") =>
  `(SELECT window_start, window_end, ${key}, ${agg} FROM TABLE(${window.replace('$t', table).replace('$c', time)}) GROUP BY window_start, window_end, ${key})`;

describe('window joins end to end', { timeout: 120_000 }, () => {
  it('a FULL window join of two window aggregates gives the outer join of their windows (fused and unfused)', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      `SELECT COALESCE(L.window_start, R.window_start) AS ws, L.k, L.n, R.pk, R.m FROM ${windowed('orders', 'k', 'ts', 'COUNT(*) AS n')} L
       FULL JOIN ${windowed('payments', 'pk', 'pts', 'MAX(pid) AS m')} R
       ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.k = R.pk`));
    const agg = <T>(rows: T[], ts: (r: T) => number, key: (r: T) => string, value: (rs: T[]) => number) => {
      const groups = new Map<string, T[]>();
      for (const r of rows) {
        const id = `${ts(r) - (ts(r) % 2000)}|${key(r)}`;
        groups.set(id, [...(groups.get(id) ?? []), r]);
      }
      return new Map([...groups].map(([id, rs]) => [id, value(rs)]));
    };
    const left = agg(ORDERS, (r) => r.ts, (r) => r.k, (rs) => rs.length);
    const right = agg(PAYMENTS, (r) => r.pts, (r) => r.pk, (rs) => Math.max(...rs.map((r) => r.pid)));
    const expected = [...new Set([...left.keys(), ...right.keys()])].map((id) => {
      const [ws, k] = id.split('|');
      return { ws: Number(ws), k: left.has(id) ? k : null, n: left.get(id) ?? null, pk: right.has(id) ? k : null, m: right.get(id) ?? null };
    });
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });
});

describe('window joins on window table functions', { timeout: 120_000 }, () => {
  it('a HOP window join straight on the table functions gives the pairs of rows sharing a key and a window (fused and unfused)', async () => {
    const hop = (t: string, c: string) => `(SELECT * FROM TABLE(HOP(TABLE ${t}, DESCRIPTOR(${c}), INTERVAL '1' SECOND, INTERVAL '2' SECOND)))`;
    const sql = `SELECT L.id, R.pid, L.window_start AS ws FROM ${hop('orders', 'ts')} L JOIN ${hop('payments', 'pts')} R
       ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.k = R.pk AND L.id > R.pid`;
    expect(environment().sqlQuery(sql).explain()).toContain('WindowJoin(leftWindow=[HOP(win_start=[window_start], win_end=[window_end], slide=[1000 ms], size=[2000 ms])]');
    const rows = await collectBothWays(() => environment().sqlQuery(sql));
    // Each row is in the two windows starting at floor(ts / 1 s) * 1 s and one second before.
    const starts = (ts: number) => [ts - (ts % 1000), ts - (ts % 1000) - 1000];
    const expected = ORDERS.flatMap((o) => PAYMENTS.filter((p) => p.pk === o.k && o.id > p.pid)
      .flatMap((p) => starts(o.ts).filter((ws) => starts(p.pts).includes(ws)).map((ws) => ({ id: o.id, pid: p.pid, ws }))));
    expect(expected.length).toBeGreaterThan(100);
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });
});

describe('window join plans', () => {
  const query = (cond: string, rightWindow?: string, type = 'JOIN') =>
    `SELECT L.k, L.n, R.m FROM ${windowed('orders', 'k', 'ts', 'COUNT(*) AS n')} L ${type} ${windowed('payments', 'pk', 'pts', 'MAX(pid) AS m', rightWindow)} R ON ${cond}`;
  const BOTH = 'L.window_start = R.window_start AND L.window_end = R.window_end';

  it('window start and end equalities of two windowed inputs make a window join: append-only, time attributes kept, no TTL warning', () => {
    for (const type of ['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN']) {
      const env = environment();
      const t = env.sqlQuery(`SELECT * FROM ${windowed('orders', 'k', 'ts', 'COUNT(*) AS n, window_time AS wt')} L ${type} ${windowed('payments', 'pk', 'pts', 'MAX(pid) AS m')} R ON ${BOTH} AND L.k = R.pk`);
      env.executeSql("CREATE TABLE o (ws TIMESTAMP(3), k STRING, n BIGINT) WITH ('connector' = 'blackhole')");
      env.sqlQuery(`SELECT window_start, k, n FROM (${query(`${BOTH} AND L.k = R.pk`, undefined, type).replace('SELECT L.k, L.n, R.m', 'SELECT L.window_start, L.k, L.n')})`).executeInsert('o');
      const plan = optimize(env.buildPlan('j', []));
      const join = plan.nodes.find((n): n is JoinNode => n.kind === 'join')!;
      expect(join.window, type).toMatchObject({ leftStart: 'window_start', leftEnd: 'window_end', rightStart: 'window_start', rightEnd: 'window_end' });
      expect(join.changelog).toBe('insert-only');
      expect(joinStateWarnings(plan)).toEqual([]);
      expect(t.getSchema().find((f) => f.name === 'wt')!.type.timeAttribute).toBe('rowtime');
      expect(t.explain()).toContain('WindowJoin(leftWindow=[TUMBLE(win_start=[window_start], win_end=[window_end], size=[2000 ms])]');
    }
  });

  it('HOP and CUMULATE windows on both sides', () => {
    for (const w of ["HOP(TABLE $t, DESCRIPTOR($c), INTERVAL '1' SECOND, INTERVAL '2' SECOND)", "CUMULATE(TABLE $t, DESCRIPTOR($c), INTERVAL '1' SECOND, INTERVAL '2' SECOND)"]) {
      const sql = `SELECT L.k, L.n, R.m FROM ${windowed('orders', 'k', 'ts', 'COUNT(*) AS n', w)} L JOIN ${windowed('payments', 'pk', 'pts', 'MAX(pid) AS m', w)} R ON ${BOTH}`;
      expect(environment().sqlQuery(sql).explain()).toMatch(/WindowJoin\(leftWindow=\[(HOP|CUMULATE)\(win_start=\[window_start\], win_end=\[window_end\], (slide|step)=\[1000 ms\], size=\[2000 ms\]\)\]/);
    }
  });

  it('without the window equalities it is a regular join', () => {
    const t = environment().sqlQuery(query('L.k = R.pk'));
    expect(t.explain()).not.toContain('WindowJoin');
    expect(t.explain()).toContain('Join(joinType=[InnerJoin]');
  });

  it('only one of the equalities, or different windows: a regular join, as in Flink', () => {
    for (const sql of [query('L.window_start = R.window_start AND L.k = R.pk'), query(BOTH, "TUMBLE(TABLE $t, DESCRIPTOR($c), INTERVAL '3' SECOND)")]) {
      const text = environment().sqlQuery(sql).explain();
      expect(text).not.toContain('WindowJoin');
      expect(text).toContain('Join(joinType=[InnerJoin]');
    }
  });
});
