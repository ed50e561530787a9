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
import { udfFunctions } from '../../runtime/core/udf.js';
import { GroupAggProcessor } from '../../runtime/exec/processors.js';
import { aggKernel } from '../../runtime/state/agg-kernel.js';
import type { GroupIngest } from '../../runtime/state/group-state.js';
import { compileError } from '../sql/helpers.js';
import { Longest, WeightedAvg } from './fixtures/aggregate-functions.js';
import './fixtures/table-functions.js';
import { EVENTS, bothWays, describeAgainstFlink, environment, expected, expectFlinks, expectLocatedError, signaturesOf } from './helpers.js';

const signatures = signaturesOf('table-functions.ts', 'aggregate-functions.ts');
const env = () => environment(signatures);
const aggregates = Object.keys(expected).filter((sql) => !/LATERAL/.test(sql));

describeAgainstFlink('aggregate functions leave what Flink leaves', env, aggregates, 'aggregate', 8);

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

  it('wrong arguments, DISTINCT, a place that takes no aggregate, a missing retract or merge: compile errors with a fix', () => {
    const e = env();
    expect(compileError(() => e.sqlQuery('SELECT weighted_avg(line, n) FROM lines')).message).toBe('argument 1 of weighted_avg has type STRING, expected DOUBLE');
    expect(compileError(() => e.sqlQuery('SELECT weighted_avg(n) FROM lines')).message).toBe('weighted_avg takes 2 argument(s), called with 1');
    expect(compileError(() => e.sqlQuery('SELECT weighted_avg(DISTINCT n, n) FROM lines')).message).toBe('weighted_avg(DISTINCT ...) is not supported');
    expect(compileError(() => e.sqlQuery('SELECT id FROM lines WHERE weighted_avg(n, n) > 1')).message).toBe('aggregate WEIGHTED_AVG(...) is not allowed here');
    expect(compileError(() => e.sqlQuery('SELECT x FROM lines, LATERAL TABLE(weighted_avg(n, n)) AS t(x)')).message).toBe('weighted_avg is an aggregate function, not a table function');
    const retract = compileError(() => e.sqlQuery('SELECT longest(c) FROM (SELECT k, CAST(COUNT(*) AS STRING) AS c FROM ev GROUP BY k)'));
    expect(retract.message).toMatch(/^aggregate function longest has no retract method, which it needs here: its input is updating/);
    expect(retract.hint).toMatch(/add retract\(acc, \.\.\.args\)/);
    const session = compileError(() => e.sqlQuery("SELECT k, longest(k) FROM ev GROUP BY k, SESSION(ts, INTERVAL '2' SECOND)"));
    expect(session.message).toMatch(/^aggregate function longest has no merge method, which a session window needs/);
    // Tumbling windows and insert-only inputs need neither.
    expect(() => e.sqlQuery("SELECT k, longest(k) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '2' SECOND)")).not.toThrow();
  });

  it.each([
    ['sql-udaf', 'mean_by(line', 'line, n)', 'argument 1 of mean_by has type STRING, expected DOUBLE NOT NULL'],
    ['api-udaf', "call('mean_by', $('line')", "$('line')", 'argument 1 of mean_by has type STRING, expected DOUBLE NOT NULL'],
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
