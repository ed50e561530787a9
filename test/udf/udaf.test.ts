// Aggregate functions (@udaf) in group, global, FILTER, updating, window-TVF and group-window aggregates against
// real Flink: what each query's changelog leaves is what Flink 2.3.0's leaves with the same function written in
// Python (flink-changelogs.json, by flink_udf_changelogs.py), fused and --unfused; the Table API's forms;
// signatures read from the TypeScript; compile-time errors (arguments at their file:line:col, a missing retract or
// merge); accumulators surviving a snapshot and restore; accumulators that are not plain data.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { $, call, lit, Tumble } from '../../compiler/api/index.js';
import { emitStages } from '../../compiler/codegen/emit-stages.js';
import { instantiate } from '../../compiler/codegen/instantiate.js';
import { optimize } from '../../compiler/passes/index.js';
import { typeToString } from '../../runtime/core/data-types.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { FusedNode, GroupAggregateNode } from '../../runtime/core/plan.js';
import { ROW_KIND_SHORT, RowKind, type Row } from '../../runtime/core/row.js';
import { udfFunctions, type AggregateFunction } from '../../runtime/core/udf.js';
import { udafDistinctChange, udafDistinctCreate, udafDistinctMerge, udafResult } from '../../runtime/core/user-aggs.js';
import { GroupAggProcessor } from '../../runtime/exec/processors.js';
import { aggKernel } from '../../runtime/state/agg-kernel.js';
import type { GroupIngest } from '../../runtime/state/group-state.js';
import { compileError } from '../sql/helpers.js';
import { Longest, WeightedAvg } from './fixtures/aggregate-functions.js';
import './fixtures/table-functions.js';
import { EVENTS, bothWays, describeAgainstFlink, environment, expected, expectFlinks, expectLocatedError, signaturesOf } from './helpers.js';

const signatures = signaturesOf('table-functions.ts', 'aggregate-functions.ts');
const env = () => environment(signatures);
const over = (sql: string) => /\) OVER \(/.test(sql);
const distinct = (sql: string) => /weighted_avg\(DISTINCT/.test(sql);
const queries = Object.keys(expected).filter((sql) => !/LATERAL/.test(sql));

describeAgainstFlink('aggregate functions leave what Flink leaves', env, queries.filter((q) => !over(q) && !distinct(q)), 'aggregate', 8);
describeAgainstFlink('DISTINCT aggregate functions (group, global, FILTER, updating input, windows) leave what Flink leaves', env,
  queries.filter((q) => !over(q) && distinct(q)), 'DISTINCT aggregate', 7);
describeAgainstFlink('aggregate functions over OVER windows (ROWS, RANGE, unbounded, DISTINCT) give what Flink gives', env, queries.filter(over), 'OVER', 4);

describe('the Table API', () => {
  const grouped = 'SELECT k, weighted_avg(v, id) AS wa FROM ev GROUP BY k';
  const tumble = "SELECT k, TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, weighted_avg(v, id) AS wa FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND)";

  it('in groupBy().select() and in a group window, called by name or by class', async () => {
    expectFlinks(grouped, await bothWays(env, (e) => e.from('ev').groupBy($('k')).select($('k'), call('weighted_avg', $('v'), $('id')).as('wa'))));
    expectFlinks(grouped, await bothWays(env, (e) => e.from('ev').groupBy($('k')).select($('k'), call(WeightedAvg, $('v'), $('id')).as('wa'))));
    expectFlinks(tumble, await bothWays(env, (e) => e.from('ev').window(Tumble.over(lit(5).seconds()).on($('ts')).as('w')).groupBy($('k'), $('w'))
      .select($('k'), $('w').start().as('ws'), call('weighted_avg', $('v'), $('id')).as('wa'))));
  });
});

describe('signatures and compile-time checks', () => {
  it('reads the types of aggregate functions from accumulate and getValue', () => {
    const sig = (name: string) => signatures.find((s) => s.name === name)!;
    const text = (name: string) => `${sig(name).kind} (${sig(name).inputTypes.map(typeToString).join(', ')}) -> ${typeToString(sig(name).resultType)}`;
    expect(text('weighted_avg')).toBe('aggregate (DOUBLE, DOUBLE) -> DOUBLE');
    expect(sig('weighted_avg')).toMatchObject({ retract: true, merge: true });
    expect(text('longest')).toBe('aggregate (STRING) -> STRING');
    expect(sig('longest')).toMatchObject({ retract: false, merge: false });
  });

  it('wrong arguments, a place that takes no aggregate, a missing retract or merge: compile errors with a fix', () => {
    const e = env();
    expect(compileError(() => e.sqlQuery('SELECT weighted_avg(line, n) FROM lines')).message).toBe('argument 1 of weighted_avg has type STRING, expected DOUBLE');
    expect(compileError(() => e.sqlQuery('SELECT weighted_avg(n) FROM lines')).message).toBe('weighted_avg takes 2 argument(s), called with 1');
    expect(compileError(() => e.sqlQuery('SELECT id FROM lines WHERE weighted_avg(n, n) > 1')).message).toBe('aggregate WEIGHTED_AVG(...) is not allowed here');
    expect(compileError(() => e.sqlQuery('SELECT x FROM lines, LATERAL TABLE(weighted_avg(n, n)) AS t(x)')).message).toBe('weighted_avg is an aggregate function, not a table function');
    const retract = compileError(() => e.sqlQuery('SELECT longest(c) FROM (SELECT k, CAST(COUNT(*) AS STRING) AS c FROM ev GROUP BY k)'));
    expect(retract.message).toMatch(/^aggregate function longest has no retract method, which it needs here: its input is updating/);
    expect(retract.hint).toMatch(/add retract\(acc, \.\.\.args\)/);
    const session = compileError(() => e.sqlQuery("SELECT k, longest(k) FROM ev GROUP BY k, SESSION(ts, INTERVAL '2' SECOND)"));
    expect(session.message).toMatch(/^aggregate function longest has no merge method, which a session window needs/);
    // Tumbling windows and insert-only inputs need neither; a DISTINCT call merges sessions by its distinct values' counts (Flink's distinct view).
    expect(() => e.sqlQuery("SELECT k, longest(k) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '2' SECOND)")).not.toThrow();
    expect(() => e.sqlQuery("SELECT k, longest(DISTINCT k) FROM ev GROUP BY k, SESSION(ts, INTERVAL '2' SECOND)")).not.toThrow();
    // A bounded OVER window takes rows back out (Flink's BoundedOverAggregateHelper needs retract); UNBOUNDED PRECEDING does not.
    for (const frame of ['ROWS BETWEEN 2 PRECEDING AND CURRENT ROW', "RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW"]) {
      const bounded = compileError(() => e.sqlQuery(`SELECT id, longest(k) OVER (PARTITION BY v ORDER BY ts ${frame}) AS l FROM ev`));
      expect(bounded.message).toMatch(/^aggregate function longest has no retract method, which a bounded OVER window needs/);
      expect(bounded.hint).toMatch(/add retract\(acc, \.\.\.args\)/);
    }
    expect(() => e.sqlQuery('SELECT id, longest(k) OVER (PARTITION BY v ORDER BY ts) AS l FROM ev')).not.toThrow();
    expect(compileError(() => e.sqlQuery('SELECT id, weighted_avg(k, 1) OVER (ORDER BY ts) AS l FROM ev')).message).toBe('argument 1 of weighted_avg has type STRING, expected DOUBLE');
  });

  it.each([
    ['sql-udaf', 'mean_by(line', 'line, n)', 'argument 1 of mean_by has type STRING, expected DOUBLE NOT NULL'],
    ['api-udaf', "call('mean_by', $('line')", "$('line')", 'argument 1 of mean_by has type STRING, expected DOUBLE NOT NULL'],
    ['over-udaf', "case 'over-udaf'", 'mean_by(n, 1) OVER',
      'aggregate function mean_by has no retract method, which a bounded OVER window needs: the rows that leave the frame are taken back out, as in Flink ("No matching retract method found for AggregateFunction")'],
  ])('in a job file (%s), the error names the file, line and column of the wrong argument', (which, context, at, message) => expectLocatedError(which, context, at, message));
});

describe('accumulators', () => {
  /** The updating aggregate's processor of a query, with its generated ingest and the run's UDF table. */
  const processorOf = (sql: string, out: string[]) => {
    const e = env();
    e.executeSql("CREATE TABLE out_t (k STRING, wa DOUBLE) WITH ('connector' = 'blackhole')");
    e.executeSql(`INSERT INTO out_t ${sql}`);
    const plan = optimize(e.buildPlan('udaf', []));
    const node = plan.nodes.find((n): n is GroupAggregateNode => n.kind === 'groupAggregate')!;
    const ingest = plan.nodes.find((n): n is FusedNode => n.kind === 'fused' && n.accumulateInto === node.id)!;
    const code = instantiate(emitStages(plan).factory, udfFunctions([]));
    const p = new GroupAggProcessor(code.stages[ingest.id] as GroupIngest, aggKernel(node.aggs, ingest.schema, false, code.udfs), node, ingest.schema,
      new JobMetrics().operator(node.id, 'agg'), null, 128);
    p.outputs.push({ process: (rs, kinds) => rs.forEach((r, i) => out.push(`${ROW_KIND_SHORT[kinds?.[i] ?? RowKind.INSERT]} ${JSON.stringify(r)}`)), watermark: () => {}, endInput: () => {} });
    return p;
  };
  const events: Row[] = fs.readFileSync(EVENTS, 'utf8').trim().split('\n').map((l) => {
    const r = JSON.parse(l);
    return { ...r, ts: Date.parse(r.ts.replace(' ', 'T') + 'Z') };
  });

  it('a group aggregate\'s accumulators survive a snapshot and restore in the middle of its input', () => {
    const sql = 'SELECT k, weighted_avg(v, id) AS wa FROM ev GROUP BY k';
    const whole: string[] = [];
    const once = processorOf(sql, whole);
    once.process(events.slice(0, 20), null);
    once.process(events.slice(20), null);
    const parts: string[] = [];
    const first = processorOf(sql, parts);
    first.process(events.slice(0, 20), null);
    const snap = JSON.parse(JSON.stringify(first.snapshot()));
    expect(JSON.stringify(snap)).toMatch(/\{"sum":-?\d+,"weight":\d+\}/);
    const second = processorOf(sql, parts);
    second.restore(snap);
    second.process(events.slice(20), null);
    expect(parts).toEqual(whole);
    // Batched, it sends fewer intermediate updates than Flink's per-row changelog; the last row per key is Flink's.
    const lastOf = (lines: string[], parse: (line: string) => [string, unknown, unknown]) => {
      const last = new Map<string, unknown>();
      for (const [kind, k, wa] of lines.map(parse)) if (kind === '+I' || kind === '+U') last.set(JSON.stringify(k), wa);
      return last;
    };
    // The aggregate's own rows: the key, then the aggregate's column.
    const mine = lastOf(whole, (l) => { const [k, wa] = Object.values(JSON.parse(l.slice(3))); return [l.slice(0, 2), k ?? null, wa]; });
    const flink = lastOf(expected[sql], (l) => { const [k, wa] = JSON.parse(l.slice(3)); return [l.slice(0, 2), k, wa]; });
    expect(mine).toEqual(flink);
  });

  it('DISTINCT: the function sees each distinct argument tuple once, and its retraction when the last occurrence goes, however the changes are split and merged', () => {
    // A sum of x * w over what the function is given: equal to the sum over the distinct tuples computed here.
    const seen: string[] = [];
    const f: AggregateFunction<number, { s: number }> = {
      createAccumulator: () => ({ s: 0 }),
      accumulate: (acc, x: number | null, w: number) => { seen.push(`+${x},${w}`); acc.s += (x ?? 100) * w; },
      retract: (acc, x: number | null, w: number) => { seen.push(`-${x},${w}`); acc.s -= (x ?? 100) * w; },
      getValue: (acc) => acc.s,
    };
    const call = { udaf: { name: 'f', args: ['x', 'w'], merge: false, retract: true } };
    let seed = 7;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let round = 0; round < 20; round++) {
      // Changes that keep every tuple's count at or above zero when applied in order (as an updating input's).
      const counts = new Map<string, number>();
      const changes: [number | null, number, 1 | -1][] = [];
      for (let i = 0; i < 60; i++) {
        const x = random(5) === 0 ? null : random(4);
        const w = 1 + random(2);
        const key = `${x},${w}`;
        const by: 1 | -1 = (counts.get(key) ?? 0) > 0 && random(3) === 0 ? -1 : 1;
        counts.set(key, (counts.get(key) ?? 0) + by);
        changes.push([x, w, by]);
      }
      const expected = [...counts].filter(([, c]) => c > 0).reduce((sum, [key]) => {
        const [x, w] = key.split(',');
        return sum + (x === 'null' ? 100 : Number(x)) * Number(w);
      }, 0);
      const whole = udafDistinctCreate(f, call);
      seen.length = 0;
      for (const [x, w, by] of changes) udafDistinctChange(f, whole, [x, w], by);
      expect(udafResult(f, call, whole[1])).toBe(expected);
      // Never a repeat: accumulate and retract alternate per tuple.
      const last = new Map<string, string>();
      for (const e of seen) { expect(last.get(e.slice(1))).not.toBe(e[0]); last.set(e.slice(1), e[0]); }
      // Split between two local pre-aggregates (a retraction may come before its row there), then merged.
      const parts = [udafDistinctCreate(f, call), udafDistinctCreate(f, call)];
      changes.forEach(([x, w, by], i) => udafDistinctChange(f, parts[(i * 7 + round) % 3 === 0 ? 1 : 0], [x, w], by));
      const merged = udafDistinctCreate(f, call);
      for (const p of parts) udafDistinctMerge(f, merged, p);
      expect(udafResult(f, call, merged[1])).toBe(expected);
      expect(merged[0]).toEqual(whole[0]);
    }
  });

  it('an accumulator that is a class instance (which a checkpoint would keep without its class) fails the run naming the function', async () => {
    class Box { v = 0; }
    const original = Longest.prototype.createAccumulator;
    Longest.prototype.createAccumulator = () => new Box() as never;
    try {
      await expect(env().sqlQuery('SELECT longest(line) FROM lines').collect()).rejects.toThrow(/aggregate function 'longest': createAccumulator\(\) returned a Box instance/);
    } finally {
      Longest.prototype.createAccumulator = original;
    }
  });
});
