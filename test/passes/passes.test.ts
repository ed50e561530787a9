// Each optimizer pass on small plans built with the Table API: what it must change and what it must keep.
import { describe, it, expect } from 'vitest';
import { TableEnvironment, $, lit, DataTypes, Tumble, type DataType } from 'sluice';
import { inputsOf, type FusedNode, type JobPlan } from '../../runtime/core/plan.js';
import { optimize } from '../../compiler/passes/index.js';
import { pruneColumns } from '../../compiler/passes/prune-columns.js';
import { removeIdentityCalcs } from '../../compiler/passes/remove-identity-calcs.js';
import { removeDeadNodes } from '../../compiler/passes/remove-dead-nodes.js';
import { assignIds } from '../../compiler/passes/assign-ids.js';
import { fuseStages } from '../../compiler/passes/fuse-stages.js';
import { validateChangelog } from '../../compiler/passes/validate-changelog.js';
import { CompileError } from '../../compiler/ir/diagnostics.js';

function env(): TableEnvironment {
  const tEnv = TableEnvironment.create();
  const cols: [string, DataType][] = [['a', DataTypes.BIGINT()], ['b', DataTypes.STRING()], ['c', DataTypes.DOUBLE()], ['ts', DataTypes.TIMESTAMP(3)]];
  tEnv.registerTable({ name: 'src', columns: cols.map(([name, type]) => ({ kind: 'physical', name, type })), watermark: { column: 'ts', delayMs: 1000 }, primaryKey: [], options: { connector: 'datagen' } });
  tEnv.registerTable({ name: 'out2', columns: [{ kind: 'physical', name: 'x', type: DataTypes.BIGINT() }, { kind: 'physical', name: 'y', type: DataTypes.STRING() }], watermark: null, primaryKey: [], options: { connector: 'blackhole' } });
  tEnv.registerTable({ name: 'out1', columns: [{ kind: 'physical', name: 'x', type: DataTypes.BIGINT() }], watermark: null, primaryKey: [], options: { connector: 'blackhole' } });
  tEnv.registerTable({ name: 'files', columns: [{ kind: 'physical', name: 'x', type: DataTypes.BIGINT() }, { kind: 'physical', name: 'y', type: DataTypes.BIGINT() }], watermark: null, primaryKey: [], options: { connector: 'filesystem', path: '/tmp/x', format: 'csv' } });
  return tEnv;
}

const plan = (tEnv: TableEnvironment): JobPlan => tEnv.buildPlan('test', []);
const kinds = (p: JobPlan) => p.nodes.map((n) => n.kind);

describe('prune-columns', () => {
  it('narrows the source to the columns read downstream and drops unused projections', () => {
    const tEnv = env();
    tEnv.from('src').select($('a'), $('b'), $('c').times(2).as('c2')).select($('a').plus(1).as('x'), $('b').as('y')).executeInsert('out2');
    const p = pruneColumns(plan(tEnv));
    const source = p.nodes.find((n) => n.kind === 'source')!;
    expect(source.kind === 'source' && source.physical.map((f) => f.name)).toEqual(['a', 'b', 'ts']); // ts: the watermark needs it
    const first = p.nodes.find((n) => n.kind === 'calc')!;
    expect(first.kind === 'calc' && first.projections.map((x) => x.name)).toEqual(['a', 'b']);
  });

  it('keeps filter, key and window-time columns', () => {
    const tEnv = env();
    tEnv.from('src').where($('c').isGreater(1)).window(Tumble.over(lit(1).minutes()).on($('ts')).as('w'))
      .groupBy($('w'), $('b')).select($('a').sum().as('x'), $('b').as('y')).executeInsert('out2');
    const source = pruneColumns(plan(tEnv)).nodes.find((n) => n.kind === 'source')!;
    expect(source.kind === 'source' && source.physical.map((f) => f.name).sort()).toEqual(['a', 'b', 'c', 'ts']);
  });
});

describe('remove-identity-calcs and remove-dead-nodes', () => {
  it('drops a select of every column in order, and rewires its consumer', () => {
    const tEnv = env();
    tEnv.from('src').select($('*')).where($('a').isGreater(0)).select($('a').as('x')).executeInsert('out1');
    const before = plan(tEnv);
    const after = removeIdentityCalcs(before);
    expect(after.nodes.length).toBe(before.nodes.length - 1);
    const filter = after.nodes.find((n) => n.kind === 'calc' && n.filter)!;
    expect(filter.kind === 'calc' && filter.input).toBe(after.nodes[0].id);
  });

  it('drops tables built but never inserted', () => {
    const tEnv = env();
    tEnv.from('src').select($('c'));
    tEnv.from('src').select($('a').as('x')).executeInsert('out1');
    const p = removeDeadNodes(plan(tEnv));
    expect(kinds(p)).toEqual(['source', 'calc', 'sink']);
  });
});

describe('assign-ids', () => {
  const build = (extra: boolean) => {
    const tEnv = env();
    if (extra) tEnv.from('src').select($('c')); // unrelated dead node, added first
    tEnv.from('src').groupBy($('b')).select($('a').sum().as('x'), $('b').as('y')).executeInsert('out2');
    return optimize(plan(tEnv));
  };

  it('derives ids from content, not position: the same job gets the same ids', () => {
    expect(build(false).nodes.map((n) => n.id)).toEqual(build(true).nodes.map((n) => n.id));
  });

  it('a changed operator gets a new id, and so does everything downstream of it', () => {
    const a = build(false);
    const tEnv = env();
    tEnv.from('src').groupBy($('b')).select($('a').max().as('x'), $('b').as('y')).executeInsert('out2');
    const b = optimize(plan(tEnv));
    expect(b.nodes[0].id).toBe(a.nodes[0].id); // the source is unchanged
    const aggA = a.nodes.find((n) => n.kind === 'groupAggregate')!.id;
    const aggB = b.nodes.find((n) => n.kind === 'groupAggregate')!.id;
    expect(aggB).not.toBe(aggA);
  });

  it('identical operators on the same input still get distinct ids', () => {
    const tEnv = env();
    const t = tEnv.from('src').select($('a').as('x'));
    t.executeInsert('out1');
    t.executeInsert('out1');
    const ids = assignIds(plan(tEnv)).nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('fuse-stages', () => {
  it('fuses a chain of calcs with the aggregate accumulate after it', () => {
    const tEnv = env();
    tEnv.from('src').where($('a').isGreater(0)).select($('a'), $('b')).groupBy($('b')).select($('a').sum().as('x'), $('b').as('y')).executeInsert('out2');
    const p = optimize(plan(tEnv));
    const agg = p.nodes.find((n) => n.kind === 'groupAggregate')!;
    const fused = p.nodes.filter((n): n is FusedNode => n.kind === 'fused');
    const stage = fused.find((s) => s.accumulateInto === agg.id)!;
    expect(stage.input).toBe(p.nodes[0].id);
    expect(stage.calcs.length).toBeGreaterThanOrEqual(1);
    // Between the accumulate step and the aggregate: the hash exchange on the grouping keys.
    const exchange = p.nodes.find((n) => n.kind === 'exchange')!;
    expect(exchange).toMatchObject({ input: stage.id, distribution: { kind: 'hash', keys: ['b'] } });
    expect(agg).toMatchObject({ input: exchange.id });
    // The calcs after the aggregate form a second stage into the sink; no calc is left outside a fused node.
    const second = fused.find((s) => s.input === agg.id)!;
    expect(second.accumulateInto).toBeNull();
    expect(p.nodes.find((n) => n.kind === 'sink')).toMatchObject({ input: second.id });
    expect(p.nodes.some((n) => n.kind === 'calc')).toBe(false);
  });

  it('an aggregate behind a union reads through a hash exchange on its keys, after a fused accumulate step; order holds', () => {
    const tEnv = env();
    const src = tEnv.from('src');
    const both = src.select($('a'), $('b')).unionAll(src.select($('a'), $('b')));
    both.groupBy($('b')).select($('a').sum().as('x'), $('b').as('y')).executeInsert('out2');
    const p = optimize(plan(tEnv));
    const agg = p.nodes.find((n) => n.kind === 'groupAggregate')!;
    const exchange = p.nodes.find((n) => n.id === (agg as { input: string }).input)!;
    expect(exchange).toMatchObject({ kind: 'exchange', distribution: { kind: 'hash', keys: ['b'] } });
    const ingest = p.nodes.find((n) => n.id === (exchange as { input: string }).input) as FusedNode;
    expect(ingest).toMatchObject({ kind: 'fused', accumulateInto: agg.id });
    // Dependency order holds: every input precedes its consumers.
    const seen = new Set<string>();
    for (const n of p.nodes) { for (const i of inputsOf(n)) expect(seen.has(i)).toBe(true); seen.add(n.id); }
  });

  it('breaks the chain at a calc with several consumers, shared once', () => {
    const tEnv = env();
    const shared = tEnv.from('src').select($('a').times(3).as('x'), $('b').as('y'));
    shared.select($('x')).executeInsert('out1');
    shared.executeInsert('out2');
    const p = fuseStages(removeDeadNodes(plan(tEnv)));
    const fused = p.nodes.filter((n): n is FusedNode => n.kind === 'fused');
    const sharedStage = fused.filter((s) => s.calcs.some((c) => c.projections.some((x) => x.name === 'y')));
    expect(sharedStage).toHaveLength(1);
    expect(p.nodes.filter((n) => inputsOf(n).includes(sharedStage[0].id))).toHaveLength(2); // out2 and the select into out1
    expect(fused.filter((s) => s.input === sharedStage[0].id)).toHaveLength(1); // the select into out1
  });
});

describe('validate-changelog', () => {
  it('rejects an updating query into an insert-only sink, and accepts it into one that takes updates', () => {
    const tEnv = env();
    tEnv.from('src').groupBy($('a')).select($('a').as('x'), $('a').count().as('y')).executeInsert('files');
    expect(() => validateChangelog(plan(tEnv))).toThrow(CompileError);
    const ok = env();
    ok.from('src').groupBy($('b')).select($('a').sum().as('x'), $('b').as('y')).executeInsert('out2');
    expect(() => validateChangelog(plan(ok))).not.toThrow();
  });

  it('plans a group-by over an updating input as retracting, and names the aggregates over updating inputs it cannot plan', () => {
    const tEnv = env();
    tEnv.from('src').groupBy($('b')).select($('b'), $('a').sum().as('s')).groupBy($('s')).select($('s').as('x'), $('s').count().as('n'))
      .select($('x'), $('n').cast(DataTypes.STRING()).as('y')).executeInsert('out2');
    const built = plan(tEnv);
    expect(() => validateChangelog(built)).not.toThrow();
    expect(built.nodes.filter((n) => n.kind === 'groupAggregate').map((n) => (n as { retracting?: boolean }).retracting)).toEqual([undefined, true]);

    const upsert = env();
    upsert.executeSql(`CREATE TABLE latest (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 't',
      'properties.bootstrap.servers' = '127.0.0.1:9092', 'key.format' = 'json', 'value.format' = 'json')`);
    upsert.executeSql("CREATE TABLE counts (v INT, n BIGINT, PRIMARY KEY (v) NOT ENFORCED) WITH ('connector' = 'print')");
    upsert.executeSql('INSERT INTO counts SELECT v, COUNT(*) FROM latest GROUP BY v');
    expect(() => validateChangelog(plan(upsert))).toThrow(/aggregate over the upsert source 'latest' is not supported/);
  });

  it('takes UNNEST over an updating input (a group-by: its updates carry -U), not over an upsert source (they carry no old row)', () => {
    const upsertTable = (e: ReturnType<typeof env>) => e.executeSql(`CREATE TABLE latest (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 't',
      'properties.bootstrap.servers' = '127.0.0.1:9092', 'key.format' = 'json', 'value.format' = 'json')`);
    const grouped = env();
    grouped.executeSql("CREATE TABLE xs (k STRING, x BIGINT) WITH ('connector' = 'print')");
    grouped.executeSql('INSERT INTO xs SELECT k, x FROM (SELECT b AS k, COUNT(*) AS c FROM src GROUP BY b) CROSS JOIN UNNEST(ARRAY[c, c + 1]) AS u(x)');
    const built = plan(grouped);
    expect(() => validateChangelog(built)).not.toThrow();
    expect(built.nodes.find((n) => n.kind === 'correlate')!.changelog).toBe('retract');
    const direct = env();
    upsertTable(direct);
    direct.executeSql("CREATE TABLE xs (k STRING, x INT) WITH ('connector' = 'print')");
    direct.executeSql('INSERT INTO xs SELECT k, x FROM latest CROSS JOIN UNNEST(ARRAY[v, v + 1]) AS u(x) WHERE v > 0');
    const built2 = plan(direct);
    expect(() => validateChangelog(built2)).toThrow("UNNEST over the upsert source 'latest' is not supported: its updates carry no old row, so the rows an update replaces cannot be taken back");
    const refusal = (() => { try { validateChangelog(built2); } catch (x) { return x as CompileError; } })();
    expect(refusal?.hint).toMatch(/debezium-json/);
  });
});
