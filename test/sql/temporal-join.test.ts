// Event-time temporal joins: the operator step by step (left rows wait for the watermark and join the version
// valid at their time; versions out of order, replaced at the same time, deleted; cleanup keeps the version valid
// at the watermark, so a late row joins what is left; LEFT joins pad; row kinds pass through; snapshot and
// restore, timers included); the plans and Flink's errors for a right side that is no versioned table; end to end
// against the version computed here, fused and unfused; and state restored at other parallelisms (p 1 -> 3 -> 2)
// by key group. Final rows against real Flink, late rows included, are in test/conformance (family join).
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { joinStateWarnings } from '../../compiler/passes/join-state-warnings.js';
import { DataTypes, type DataType } from '../../runtime/core/data-types.js';
import { JobMetrics, OperatorMetrics } from '../../runtime/core/metrics.js';
import type { JobPlan, JoinNode, JoinType } from '../../runtime/core/plan.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { rowKeyGroup, subtaskOf } from '../../runtime/exec/key-groups.js';
import type { Processor } from '../../runtime/exec/processors.js';
import { snapshotLayout, subtaskSnapshot } from '../../runtime/exec/redistribute.js';
import { TemporalJoinProcessor } from '../../runtime/exec/temporal-join-processor.js';
import type { JobSnapshot } from '../../runtime/state/checkpoint-storage.js';
import { collectBothWays, sortRows, writeJsonLines } from '../helpers/tables.js';
import * as jobs from './fixtures/error-job.js';
import { compileError, fixtureLoc } from './helpers.js';

const S = DataTypes.STRING();
const KIND = ['+I', '-U', '+U', '-D'];

/**
 * l (id, k, lt) JOIN r (k, rt, v) FOR SYSTEM_TIME AS OF l.lt ON l.k = r.k, with an optional condition on the joined
 * row; `ttlMs`: table.exec.state.ttl, on the processing-time clock `clock.now` (the test moves it).
 */
function harness(joinType: JoinType, condition: ((row: Row) => boolean | null) | null = null, ttlMs = 0, clock = { now: 0 }) {
  const node: JoinNode = {
    kind: 'join', id: 'j', left: 'l', right: 'r', joinType, leftFields: ['id', 'k', 'lt'], rightFields: ['k', 'rt', 'v'],
    leftKeys: ['k'], rightKeys: ['k'], condition: null, changelog: 'insert-only', temporal: { leftTime: 'lt', rightTime: 'rt', primaryKey: ['k'] },
    schema: ['id', 'k', 'lt', 'k0', 'rt', 'v'].map((name) => ({ name, type: S })),
  };
  const make = () => new TemporalJoinProcessor(node, [[S], [S]], condition, new OperatorMetrics('j', 'join'), { maxParallelism: 128, ttlMs, now: () => clock.now });
  let p = make();
  const out: string[] = [];
  const watermarks: number[] = [];
  const sink: Processor = {
    process: (rows, kinds) => rows.forEach((r, i) => out.push(`${kinds === null ? '' : `${KIND[kinds[i]]} `}${Object.values(r).map((v) => v ?? '-').join(' ')}`)),
    watermark: (wm) => watermarks.push(wm), endInput: () => out.push('end'),
  };
  p.outputs.push(sink);
  return {
    watermarks,
    left: (id: string, k: string | null, lt: number | null, kind: RowKind = RowKind.INSERT) => { p.port(0).process([{ id, k, lt } as Row], kind === RowKind.INSERT ? null : [kind]); return out.splice(0); },
    right: (k: string | null, rt: number | null, v: string | null, kind: RowKind = RowKind.INSERT) => { p.port(1).process([{ k, rt, v } as Row], kind === RowKind.INSERT ? null : [kind]); return out.splice(0); },
    /** Both inputs' watermarks to `wm`. */
    watermark: (wm: number) => { p.port(0).watermark(wm); p.port(1).watermark(wm); return out.splice(0); },
    end: () => { p.port(0).endInput(); p.port(1).endInput(); return out.splice(0); },
    sizes: () => p.stateSize(),
    restart: () => { const snap = JSON.parse(JSON.stringify(p.snapshot())); p = make(); p.outputs.push(sink); p.restore(snap); },
  };
}

describe('the temporal join operator (Flink\'s TemporalRowTimeJoinOperator)', () => {
  it('inner: a left row waits for the watermark, then joins the version valid at its time; older versions are dropped', () => {
    const h = harness('inner');
    expect(h.right('a', 1000, 'v1')).toEqual([]);
    expect(h.right('a', 5000, 'v2')).toEqual([]);
    expect(h.left('o1', 'a', 3000)).toEqual([]);
    expect(h.left('o2', 'a', 5000)).toEqual([]);
    expect(h.left('o0', 'a', 500)).toEqual([]);
    expect(h.left('ob', 'b', 3000)).toEqual([]);
    // At 3000: o1 (valid: v1) and o0 (no version yet: nothing on an inner join), in arrival order; v1 is still the valid one.
    expect(h.watermark(3000)).toEqual(['o1 a 3000 a 1000 v1']);
    expect(h.sizes()).toEqual([1, 2]);
    // At 6000: o2 joins v2 (valid from 5000 on); v1 is outdated and dropped; b has no version.
    expect(h.watermark(6000)).toEqual(['o2 a 5000 a 5000 v2']);
    expect(h.sizes()).toEqual([0, 1]);
    expect(h.watermarks).toEqual([3000, 6000]);
  });

  it('a version that comes after the left row but before the watermark passes it is the valid one', () => {
    const h = harness('inner');
    h.right('a', 1000, 'v1');
    h.left('o1', 'a', 4000);
    expect(h.right('a', 3000, 'v3 (out of order)')).toEqual([]);
    expect(h.right('a', 2000, 'v2')).toEqual([]);
    expect(h.watermark(4000)).toEqual(['o1 a 4000 a 3000 v3 (out of order)']);
  });

  it('a later row with the same time replaces the version; -U rows are skipped', () => {
    const h = harness('inner');
    h.right('a', 1000, 'first');
    h.right('a', 1000, 'second');
    h.right('a', 1000, 'second', RowKind.UPDATE_BEFORE);
    h.right('a', 2000, 'third', RowKind.UPDATE_AFTER);
    h.left('o1', 'a', 1500);
    h.left('o2', 'a', 2500);
    expect(h.watermark(3000)).toEqual(['o1 a 1500 a 1000 second', 'o2 a 2500 a 2000 third']);
  });

  it('left: padded without a version, with a deleted version, and when the version fails the condition', () => {
    const h = harness('left', (row) => row.v !== 'no');
    h.right('a', 1000, 'v1');
    // An upsert-kafka tombstone carries the key only: it deletes the key's last row, at that row's time (ChangelogNormalize).
    h.right('a', null, null, RowKind.DELETE);
    h.right('a', 3000, 'v3');
    h.right('b', 1000, 'no');
    h.left('o0', 'a', 500);
    h.left('o1', 'a', 2000);
    h.left('o3', 'a', 3500);
    h.left('ob', 'b', 2000);
    h.left('oc', 'c', 2000);
    expect(h.watermark(4000)).toEqual(['o0 a 500 - - -', 'o1 a 2000 - - -', 'o3 a 3500 a 3000 v3', 'ob b 2000 - - -', 'oc c 2000 - - -']);
  });

  it('a NULL key joins the versions with a NULL key, as in Flink (its state is keyed by NULL too); a row without a time is padded at once', () => {
    const h = harness('left');
    h.right(null, 1000, 'null key');
    expect(h.left('on', null, 2000)).toEqual([]);
    expect(h.left('ot', 'a', null)).toEqual(['ot a - - - -']);
    expect(h.watermark(3000)).toEqual(['on - 2000 - 1000 null key']);
    expect(h.sizes()).toEqual([0, 1]);
  });

  it('late left rows are joined at the next watermark with the versions cleanup has left', () => {
    const h = harness('left');
    h.right('a', 1000, 'v1');
    h.right('a', 5000, 'v5');
    h.right('b', 1000, 'only');
    h.left('o1', 'a', 6000);
    h.left('o2', 'b', 6000);
    expect(h.watermark(7000)).toEqual(['o1 a 6000 a 5000 v5', 'o2 b 6000 b 1000 only']);
    // v1 is gone (v5 is valid at 7000): a row from before v5 finds no version; b's only version stays.
    expect(h.left('late-a', 'a', 2000)).toEqual([]);
    expect(h.left('late-b', 'b', 2000)).toEqual([]);
    expect(h.watermark(8000)).toEqual(['late-a a 2000 - - -', 'late-b b 2000 b 1000 only']);
  });

  it('cleanup runs when a key\'s timer fires: versions newer than the watermark then stay until the key\'s next timer', () => {
    const h = harness('left');
    h.right('a', 1000, 'v1');
    h.right('a', 2000, 'v2');
    h.right('a', 9000, 'v9');
    // The timer (1000) fires at 1500: nothing is older than v1, the version valid at 1500.
    h.watermark(1500);
    expect(h.sizes()).toEqual([0, 3]);
    // No timer for a until a row comes: at 5000 v1 is still there, and a late row at 1200 joins it.
    h.watermark(5000);
    h.left('late', 'a', 1200);
    expect(h.watermark(5500)).toEqual(['late a 1200 a 1000 v1']);
    expect(h.sizes()).toEqual([0, 2]);
  });

  it('output rows have their left row\'s kind', () => {
    const h = harness('inner');
    h.right('a', 1000, 'v1');
    h.left('o1', 'a', 2000, RowKind.INSERT);
    h.left('o1', 'a', 2000, RowKind.UPDATE_BEFORE);
    h.left('o1', 'a', 2000, RowKind.DELETE);
    expect(h.watermark(3000)).toEqual(['+I o1 a 2000 a 1000 v1', '-U o1 a 2000 a 1000 v1', '-D o1 a 2000 a 1000 v1']);
  });

  it('the end of input joins every row still waiting', () => {
    const h = harness('left');
    h.right('a', 1000, 'v1');
    h.left('o1', 'a', 50_000);
    expect(h.end()).toEqual(['o1 a 50000 a 1000 v1', 'end']);
  });

  it('state survives a snapshot and restore: waiting rows, versions, the last row a delete stands for, and the timers', () => {
    const h = harness('left');
    h.right('a', 1000, 'v1');
    h.right('a', 2000, 'v2');
    h.right('a', 9000, 'v9');
    h.watermark(1500);
    h.left('o1', 'a', 9500);
    h.right('b', 3000, 'b3');
    h.restart();
    expect(h.sizes()).toEqual([1, 4]);
    // a's timer (9500) survived: a late row at 1200 still finds v1 at the next watermark.
    h.left('late', 'a', 1200);
    expect(h.watermark(5000)).toEqual(['late a 1200 a 1000 v1']);
    h.right('b', null, null, RowKind.DELETE);
    h.left('ob', 'b', 3500);
    // Timers fire earliest first: b's (3000, from b3) before a's (9500).
    expect(h.watermark(10_000)).toEqual(['ob b 3500 - - -', 'o1 a 9500 a 9000 v9']);
  });
});

describe('table.exec.state.ttl in the temporal join (Flink\'s BaseTwoInputStreamOperatorWithStateRetention)', () => {
  // Flink's rule, by which the expected rows below are worked out: with a TTL of t (> 1 ms), a row of either side,
  // or a firing of the key's timer that leaves state, moves the key's cleanup time to now + 1.5 t when now + t is
  // past it; a firing that leaves nothing cancels it; when the processing-time clock reaches it, the key's state
  // (left rows not yet joined, versions) is dropped without output.
  it('a key idle on both sides until its cleanup time loses its versions and its waiting rows; a key still written keeps them', () => {
    const clock = { now: 0 };
    const h = harness('left', null, 1000, clock);
    h.right('a', 1000, 'a1'); // a: cleanup at 0 + 1500
    h.right('b', 1000, 'b1'); // b: cleanup at 1500
    expect(h.watermark(2000)).toEqual([]); // both timers fire, versions stay: 0 + 1000 is not past 1500, no change
    clock.now = 1200;
    h.right('b', 1500, 'b2'); // 1200 + 1000 > 1500: b's cleanup moves to 1200 + 1500 = 2700
    clock.now = 1499;
    h.right('c', 1000, 'c1'); // c: cleanup at 1499 + 1500 = 2999
    clock.now = 1500; // a's cleanup time: a is gone
    h.left('oa', 'a', 3000);
    h.left('ob', 'b', 3000);
    expect(h.sizes()).toEqual([2, 3]); // oa and ob wait; b1, b2 and c1
    // Timers fire earliest first: c's (1000: c1 stays, 1500 + 1000 is not past 2999), b's (1500: ob joins b2, b1 is
    // dropped, 2500 is not past 2700), a's (3000: no version, oa is padded and a forgotten).
    expect(h.watermark(3000)).toEqual(['ob b 3000 b 1500 b2', 'oa a 3000 - - -']);
    clock.now = 2000;
    h.left('oc', 'c', 9000); // 2000 + 1000 > 2999: c's cleanup moves to 3500
    clock.now = 2700; // b's cleanup time: b2 is gone; c and its waiting row oc stay until 3500
    h.left('ob2', 'b', 3100);
    clock.now = 3500;
    // c's cleanup comes before the watermark reaches oc: oc is dropped unjoined (even on a LEFT join); ob2 finds no version.
    expect(h.watermark(9500)).toEqual(['ob2 b 3100 - - -']);
    expect(h.sizes()).toEqual([0, 0]);
  });

  it('a firing that leaves no state cancels the cleanup; without a TTL (or 1 ms, as Flink) nothing is dropped; the cleanup time is in snapshots', () => {
    const clock = { now: 0 };
    const h = harness('inner', null, 1000, clock);
    h.right('a', 1000, 'a1');
    h.left('o1', 'a', 5000);
    clock.now = 1000;
    h.restart(); // the cleanup time (1500) survives a restore
    clock.now = 1500;
    h.left('o2', 'a', 6000);
    expect(h.watermark(7000)).toEqual([]); // a was dropped at 1500: o1 with it, o2 has no version
    for (const ttl of [0, 1]) {
      const c = { now: 0 };
      const kept = harness('inner', null, ttl, c);
      kept.right('a', 1000, 'a1');
      kept.left('o1', 'a', 5000);
      c.now = 1e9;
      expect(kept.watermark(7000)).toEqual(['o1 a 5000 a 1000 a1']);
    }
  });
});

const START = Date.UTC(2026, 0, 1);
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
/** Versions every 500 ms (jittered back by up to 900 ms: out of order within the 2 s delay) and orders every 150 ms, some with no key or one no version has. */
const RATES = Array.from({ length: 240 }, (_, i) => ({ k: KEYS[(i * 5 + (i >> 3)) % KEYS.length], rate: i, rts: START + i * 500 - ((i * 7919) % 900) }));
const ORDERS = Array.from({ length: 800 }, (_, i) => ({ id: i, k: i % 37 === 0 ? null : i % 29 === 0 ? 'none' : KEYS[(i * 3) % KEYS.length], amount: (i * 13) % 250, ots: START - 3000 + i * 150 - ((i * 104_729) % 1200) }));

/** The version of `k` valid at `time`: the rate with the largest time at or before it (the later one of equal times). */
function validRate(k: string | null, time: number): (typeof RATES)[number] | undefined {
  let best: (typeof RATES)[number] | undefined;
  for (const r of RATES) if (r.k === k && r.rts <= time && (best === undefined || r.rts >= best.rts)) best = r;
  return best;
}

function environment(): TableEnvironment {
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE orders (id INT, k STRING, amount INT, ots TIMESTAMP(3), WATERMARK FOR ots AS ots - INTERVAL '2' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(ORDERS, ['ots'])}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE rates (k STRING, rate INT, rts TIMESTAMP(3), WATERMARK FOR rts AS rts - INTERVAL '2' SECOND, PRIMARY KEY (k) NOT ENFORCED)
    WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(RATES, ['rts'])}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE rates_log (k STRING, rate INT, rts TIMESTAMP(3), WATERMARK FOR rts AS rts - INTERVAL '2' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(RATES, ['rts'])}', 'format' = 'json')`);
  env.executeSql(`CREATE VIEW rates_v AS SELECT k, rate, rts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY rts DESC) AS rn FROM rates_log) WHERE rn = 1`);
  return env;
}

describe('temporal joins end to end', { timeout: 120_000 }, () => {
  it('a LEFT temporal join with a condition gives each order the rate valid at its time (fused and unfused)', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      'SELECT o.id, r.rate FROM orders o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON o.k = r.k AND r.rate * 2 > o.amount'));
    const expected = ORDERS.map((o) => {
      const r = validRate(o.k, o.ots);
      return { id: o.id, rate: r !== undefined && r.rate * 2 > o.amount ? r.rate : null };
    });
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });

  it('an inner temporal join against a deduplicated view, then a window on the orders\' rowtime', async () => {
    // The view keeps a version only when it is not older than the last one (the out-of-order ones are dropped).
    const kept: (typeof RATES)[number][] = [];
    const last = new Map<string, number>();
    for (const r of RATES) if ((last.get(r.k) ?? -Infinity) <= r.rts) { kept.push(r); last.set(r.k, r.rts); }
    const rows = await collectBothWays(() => environment().sqlQuery(
      `SELECT TUMBLE_START(o.ots, INTERVAL '10' SECOND) AS ws, COUNT(*) AS n, SUM(r.rate) AS s
       FROM orders o JOIN rates_v FOR SYSTEM_TIME AS OF o.ots AS r ON r.k = o.k GROUP BY TUMBLE(o.ots, INTERVAL '10' SECOND)`));
    const windows = new Map<number, { n: number; s: number }>();
    for (const o of ORDERS) {
      let best: (typeof RATES)[number] | undefined;
      for (const r of kept) if (r.k === o.k && r.rts <= o.ots && (best === undefined || r.rts >= best.rts)) best = r;
      if (best === undefined) continue;
      const ws = o.ots - (((o.ots % 10_000) + 10_000) % 10_000);
      const w = windows.get(ws) ?? { n: 0, s: 0 };
      windows.set(ws, { n: w.n + 1, s: w.s + best.rate });
    }
    expect(sortRows(rows)).toEqual(sortRows([...windows].map(([ws, w]) => ({ ws, ...w }))));
  });
});

describe('temporal join plans and errors', () => {
  it('explain shows TemporalJoin with the versioned table\'s key; the left rowtime stays a time attribute; no TTL warning', () => {
    const env = environment();
    const t = env.sqlQuery('SELECT o.id, o.ots, r.rate, r.rts FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON o.k = r.k AND r.rate > 3');
    expect(t.getSchema().map((f) => f.type.timeAttribute)).toEqual([undefined, 'rowtime', undefined, undefined]);
    const text = t.explain();
    expect(text).toContain('TemporalJoin(joinType=[InnerJoin], where=[((k = k0) AND (rate > 3) AND __TEMPORAL_JOIN_CONDITION(ots, rts, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(k0)))]');
    expect(text).toContain('hash[k]');
    env.executeSql("CREATE TABLE o (id INT, ots TIMESTAMP(3), rate INT, rts TIMESTAMP(3)) WITH ('connector' = 'blackhole')");
    t.executeInsert('o');
    const plan = optimize(env.buildPlan('j', []));
    const join = plan.nodes.find((n): n is JoinNode => n.kind === 'join')!;
    expect(join.temporal).toEqual({ leftTime: 'ots', rightTime: 'rts', primaryKey: ['k'] });
    // r.rate > 3 stays in the join (a filtered-out version would leave an older one valid).
    expect(join.condition).not.toBeNull();
    expect(joinStateWarnings(plan)).toEqual([]);
  });

  it('a right side that is no versioned table, a condition without its key, RIGHT JOIN: Flink\'s errors at the clause', () => {
    const env = environment();
    env.executeSql("CREATE TABLE nowm (k STRING, rate INT, rts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'datagen')");
    const e = compileError(() => jobs.notVersioned(env));
    expect(e.message).toBe("Temporal Table Join requires primary key in versioned table, but no primary key can be found (table 'rates_log')");
    expect(e.loc).toEqual(fixtureLoc('error-job.ts', 'FOR SYSTEM_TIME AS OF o.ots AS r ON o.k = r.k`'));
    expect(e.hint).toMatch(/PRIMARY KEY \(k\) NOT ENFORCED/);
    expect(compileError(() => env.sqlQuery('SELECT o.id FROM orders o JOIN nowm FOR SYSTEM_TIME AS OF o.ots AS r ON o.k = r.k')).message)
      .toBe("Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but no row time attribute can be found (table 'nowm')");
    expect(compileError(() => env.sqlQuery('SELECT o.id FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON o.amount = r.rate')).message)
      .toBe("Temporal table's primary key [k0] must be included in the equivalence condition of temporal join, but current temporal join condition is [(amount = rate)]");
    expect(compileError(() => env.sqlQuery('SELECT o.id FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON r.rate > 1')).message)
      .toBe('Currently the join key in Temporal Table Join can not be empty');
    expect(compileError(() => env.sqlQuery('SELECT o.id FROM orders o RIGHT JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON o.k = r.k')).message)
      .toMatch(/RIGHT JOIN with FOR SYSTEM_TIME AS OF is not supported/);
    expect(compileError(() => env.sqlQuery('SELECT o.id FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.amount AS r ON o.k = r.k')).message)
      .toBe("Temporal table join currently only supports 'FOR SYSTEM_TIME AS OF' left table's time attribute field");
  });

  it('a batch run refuses it', async () => {
    const env = environment();
    env.getConfig().set('execution.runtime-mode', 'batch');
    await expect(env.sqlQuery('SELECT o.id, r.rate FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON o.k = r.k').execute().collect())
      .rejects.toThrow(/a temporal join \(FOR SYSTEM_TIME AS OF ots\) joins each row with the version valid at its time/);
  });
});

describe('temporal join state restores at another parallelism: p 1 -> 3 -> 2', () => {
  const MAX = 128;

  function joinPlan(): { plan: JobPlan; node: JoinNode; types: [DataType[], DataType[]] } {
    const env = environment();
    env.executeSql("CREATE TABLE o (id INT, rate INT) WITH ('connector' = 'blackhole')");
    env.sqlQuery('SELECT o.id, r.rate FROM orders o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON o.k = r.k').executeInsert('o');
    const plan = optimize(env.buildPlan('j', []));
    const node = plan.nodes.find((n): n is JoinNode => n.kind === 'join')!;
    const typeOf = (id: string, k: string) => plan.nodes.find((n) => n.id === id)!.schema.find((f) => f.name === k)!.type;
    return { plan, node, types: [node.leftKeys.map((k) => typeOf(node.left, k)), node.rightKeys.map((k) => typeOf(node.right, k))] };
  }

  /** Runs a slice of both inputs through `parallelism` subtasks restored from `stored`; watermarks as behind aligned exchanges. */
  function runPhase(j: ReturnType<typeof joinPlan>, stored: JobSnapshot | null, parallelism: number, orders: Row[], rates: Row[], end: boolean, out: Row[]): JobSnapshot {
    const { plan, node, types } = j;
    const metrics = new JobMetrics();
    const subtasks = Array.from({ length: parallelism }, (_, i) => {
      const p = new TemporalJoinProcessor(node, types, null, metrics.operator(`j-${i}`, 'join'), { maxParallelism: MAX });
      if (stored) {
        const restored = subtaskSnapshot(stored, snapshotLayout(plan), parallelism, i).operators[node.id];
        if (restored !== undefined) p.restore(restored);
      }
      p.outputs.push({ process: (rows) => out.push(...rows), watermark: () => {}, endInput: () => {} });
      return p;
    });
    const kg = [rowKeyGroup(node.leftKeys, types[0], MAX), rowKeyGroup(node.rightKeys, types[1], MAX)];
    const send = (side: 0 | 1, rows: Row[]) => {
      const to = subtasks.map(() => [] as Row[]);
      for (const r of rows) to[subtaskOf(kg[side](r), MAX, parallelism)].push(r);
      to.forEach((rs, i) => { if (rs.length) subtasks[i].port(side).process(rs, null); });
    };
    const maxTime = [-Infinity, -Infinity];
    for (let b = 0; b < Math.max(orders.length, rates.length * 4); b += 40) {
      const os = orders.slice(b, b + 40);
      const rs = rates.slice(b / 4, b / 4 + 10);
      send(1, rs);
      send(0, os);
      for (const o of os) maxTime[0] = Math.max(maxTime[0], o.ots as number);
      for (const r of rs) maxTime[1] = Math.max(maxTime[1], r.rts as number);
      const wm = Math.min(...maxTime) - 2000;
      for (const p of subtasks) for (const side of [0, 1]) p.port(side).watermark(wm);
    }
    if (end) for (const p of subtasks) for (const side of [0, 1]) p.port(side).endInput();
    const parts = subtasks.map((p) => ({ sources: {}, operators: { [node.id]: JSON.parse(JSON.stringify(p.snapshot())) }, watermarks: {} }));
    return parallelism === 1 ? parts[0] : { sources: {}, operators: {}, watermarks: {}, parallelism, subtasks: parts };
  }

  it('every order joins the rate valid at its time, across two restores', () => {
    const j = joinPlan();
    const orders = ORDERS.map((o) => ({ id: o.id, k: o.k, ots: o.ots }) as Row);
    const rates = RATES.map((r) => ({ k: r.k, rate: r.rate, rts: r.rts }) as Row);
    const out: Row[] = [];
    const first = runPhase(j, null, 1, orders.slice(0, 240), rates.slice(0, 60), false, out);
    const second = runPhase(j, first, 3, orders.slice(240, 520), rates.slice(60, 130), false, out);
    expect(second.subtasks!.filter((s) => Object.keys((s.operators[j.node.id] as { keys: object }).keys).length > 0).length).toBe(3);
    runPhase(j, second, 2, orders.slice(520), rates.slice(130), true, out);
    const names = j.node.schema.map((f) => f.name);
    const got = out.map((r) => ({ id: r[names[0]], rate: r[names[j.node.leftFields.length + j.node.rightFields.indexOf('rate')]] ?? null }));
    expect(sortRows(got)).toEqual(sortRows(ORDERS.map((o) => ({ id: o.id, rate: validRate(o.k, o.ots)?.rate ?? null }))));
  });
});
