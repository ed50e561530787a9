// Batch mode's final, insert-only results beyond windows and aggregates (issue 15.1-2): regular joins (outer
// ones pad their unmatched rows once, at the end, where a stream sends a padded row and takes it back), Top-N
// over an updating input, and a group-by into an append-only sink, which the compiler accepts when the job is
// compiled for batch mode and refuses for a stream, and which a batch-compiled plan refuses when run as a stream.
// Expected rows come from a nested-loop join and counts computed here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { compileJob, instantiate } from '../../compiler/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { optimize } from '../../compiler/passes/index.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { takeCollected } from '../../runtime/connectors/collect/sink.js';
import { CompileError } from '../../compiler/ir/diagnostics.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { UserError } from '../../runtime/core/errors.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import type { SourceNode } from '../../runtime/core/plan.js';
import { checkBatchPlan } from '../../runtime/exec/runtime-mode.js';
import { sortRows, tempDir } from '../helpers/tables.js';

const ORDERS = Array.from({ length: 40 }, (_, i) => ({ id: i, k: i % 7 === 3 ? null : ['a', 'b', 'c', 'x'][i % 4], amount: (i * 37) % 100 }));
const DIM = [{ k: 'a', name: 'alpha' }, { k: 'b', name: 'beta' }, { k: 'b', name: 'bravo' }, { k: 'z', name: 'zulu' }, { k: null, name: 'null key' }];

function jsonLines(rows: object[]): string {
  const file = path.join(tempDir('sluice-batch-final-'), 'rows.json');
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

function env(mode: 'batch' | 'streaming'): TableEnvironment {
  const tEnv = TableEnvironment.create();
  tEnv.getConfig().set('execution.runtime-mode', mode);
  tEnv.executeSql(`CREATE TABLE orders (id INT, k STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${jsonLines(ORDERS)}', 'format' = 'json')`);
  tEnv.executeSql(`CREATE TABLE dim (k STRING, name STRING) WITH ('connector' = 'filesystem', 'path' = '${jsonLines(DIM)}', 'format' = 'json')`);
  return tEnv;
}

/** FULL OUTER JOIN on k, by nested loops: pairs with equal non-NULL keys, then each side's rows that joined none. */
function fullJoin(): Row[] {
  const out: Row[] = [];
  const pad = { id: null, amount: null, name: null };
  for (const o of ORDERS) {
    const m = DIM.filter((d) => o.k !== null && d.k === o.k);
    for (const d of m) out.push({ id: o.id, amount: o.amount, name: d.name });
    if (m.length === 0) out.push({ ...pad, id: o.id, amount: o.amount });
  }
  for (const d of DIM) if (!ORDERS.some((o) => o.k !== null && o.k === d.k)) out.push({ ...pad, name: d.name });
  return sortRows(out);
}

/** Orders per key (NULL is a key of its own), as a group-by counts them. */
const counts = () => [...new Set(ORDERS.map((o) => o.k))].map((k) => ({ k, n: ORDERS.filter((o) => o.k === k).length }));

const JOIN = 'SELECT o.id, o.amount, d.name FROM orders o FULL OUTER JOIN dim d ON o.k = d.k';

describe('batch mode: final insert-only results', () => {
  it('a full outer join emits each final row once, as an insert; the stream ends at the same rows through retractions', async () => {
    const batch = await env('batch').sqlQuery(JOIN).execute().collectChangelog();
    expect(batch.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    expect(sortRows(batch.map((c) => c.row))).toEqual(fullJoin());
    const stream = await env('streaming').sqlQuery(JOIN).execute().collectChangelog();
    expect(stream.some((c) => c.kind === RowKind.DELETE)).toBe(true);
    expect(sortRows(await env('streaming').sqlQuery(JOIN).execute().collect())).toEqual(fullJoin());
  });

  it('a join of two aggregates: inserts only, the final counts', async () => {
    const q = `SELECT a.k, a.n, b.m FROM (SELECT k, COUNT(*) AS n FROM orders GROUP BY k) a
      LEFT JOIN (SELECT k, COUNT(*) AS m FROM dim GROUP BY k) b ON a.k = b.k`;
    const batch = await env('batch').sqlQuery(q).execute().collectChangelog();
    expect(batch.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    const keys = [...new Set(ORDERS.map((o) => o.k))];
    const expected = keys.map((k) => {
      const m = DIM.filter((d) => k !== null && d.k === k).length;
      return { k, n: ORDERS.filter((o) => o.k === k).length, m: m === 0 ? null : m };
    });
    expect(sortRows(batch.map((c) => ({ ...c.row, n: Number(c.row.n), m: c.row.m === null ? null : Number(c.row.m) })))).toEqual(sortRows(expected));
  });

  it('Top-N over an updating input: the final ranking, inserts only', async () => {
    const q = `SELECT k, n FROM (SELECT k, n, ROW_NUMBER() OVER (ORDER BY n DESC, k) AS rn FROM (SELECT k, COUNT(*) AS n FROM orders WHERE k IS NOT NULL GROUP BY k)) WHERE rn <= 2`;
    const batch = await env('batch').sqlQuery(q).execute().collectChangelog();
    expect(batch.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    const counts = ['a', 'b', 'c', 'x'].map((k) => ({ k, n: ORDERS.filter((o) => o.k === k).length })).sort((x, y) => y.n - x.n || x.k.localeCompare(y.k));
    expect(sortRows(batch.map((c) => ({ k: c.row.k, n: Number(c.row.n) })))).toEqual(sortRows(counts.slice(0, 2)));
  });

  const groupInto = (dir: string) => `
    CREATE TABLE per_key (k STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');
    INSERT INTO per_key SELECT k, COUNT(*) FROM orders GROUP BY k;`;

  it('a group-by into an append-only sink: accepted in batch mode (final counts written once), refused for a stream', async () => {
    const dir = tempDir('sluice-batch-sink-');
    const tEnv = env('batch');
    await tEnv.executeSql(groupInto(dir)).await();
    const written = fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as Row);
    expect(sortRows(written)).toEqual(sortRows(counts()));

    const err = await (async () => env('streaming').executeSql(groupInto(tempDir())).await())().catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as Error).message).toMatch(/table sink 'per_key' \(connector 'filesystem'\) only accepts inserts/);
  });

  it('the runtime mode given outside the job (-D) reaches the compiler; a batch-compiled plan run as a stream is refused', async () => {
    const out = tempDir('sluice-batch-job-');
    const args = ['--orders', jsonLines(ORDERS), '--out', out];
    const job = 'test/batch/fixtures/group-into-file.ts';
    await expect(compileJob(job, { args, typecheck: false })).rejects.toThrow(/table sink 'per_key' \(connector 'filesystem'\) only accepts inserts/);
    const compiled = await compileJob(job, { args, typecheck: false, config: { 'execution.runtime-mode': 'batch' } });
    expect(compiled.plan.config['execution.runtime-mode']).toBe('batch');
    const bundle: CompiledBundle = { plan: compiled.plan, factory: (_rt, udfs) => instantiate(compiled.code.factory, udfs) };
    const err = await runCompiled(bundle, { defines: ['execution.runtime-mode=streaming'] }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/table sink 'per_key' \(connector 'filesystem'\) only accepts inserts.*\(in streaming mode\)/);
    expect(err.hint).toMatch(/-D execution.runtime-mode=batch/);
    expect(fs.readdirSync(out)).toEqual([]);
    await runCompiled(bundle, {});
    const written = fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as Row);
    expect(sortRows(written)).toEqual(sortRows(counts()));
  });
});

describe('batch mode refuses what has no final result', () => {
  it('a source that produces updates (as Flink: batch reads insert-only sources)', () => {
    const source = { kind: 'source', id: 's', table: 'users', connector: 'upsert-kafka', changelog: 'upsert', schema: [] } as unknown as SourceNode;
    expect(() => checkBatchPlan({ name: 'j', args: [], config: {}, nodes: [source], udfs: [] })).toThrow(
      /execution.runtime-mode = batch: table 'users' \(connector 'upsert-kafka'\) produces updates and deletes/);
  });
});

describe('ORDER BY and LIMIT (semantics against Flink: test/conformance, families sort and batch)', () => {
  const byAmount = 'SELECT id, amount FROM orders ORDER BY amount DESC, id';

  it('batch: every row in order, against a sort written here', async () => {
    const rows = await env('batch').sqlQuery(byAmount).execute().collectChangelog();
    expect(rows.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    const expected = [...ORDERS].sort((a, b) => b.amount - a.amount || a.id - b.id).map((o) => ({ id: o.id, amount: o.amount }));
    expect(rows.map((c) => c.row)).toEqual(expected);
    const top = await env('batch').sqlQuery(`${byAmount} LIMIT 4`).execute().collect();
    expect(top).toEqual(expected.slice(0, 4));
  });

  it('a stream refuses an ORDER BY Flink refuses, at compile time with its place and at run time for a batch-compiled plan', async () => {
    const err = await (async () => env('streaming').sqlQuery(byAmount).execute().collect())().catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/Sort on a non-time-attribute field is not supported in streaming mode: ORDER BY amount DESC, id/);
    expect(err.hint).toMatch(/-D execution.runtime-mode=batch/);

    // Compiled for batch, run as a stream: the runtime refuses it with the same words before reading a row.
    const tEnv = env('batch');
    const sorted = tEnv.sqlQuery(byAmount);
    tEnv.registerTable({ name: 'sorted', columns: sorted.getSchema().map((f) => ({ kind: 'physical' as const, name: f.name, type: f.type })), watermark: null, primaryKey: [], options: { connector: 'collect', id: 'batch-final-sorted' } });
    sorted.executeInsert('sorted');
    const plan = optimize(tEnv.buildPlan('sorted', []));
    const run = await runPlan({ ...plan, config: { ...plan.config, 'execution.runtime-mode': 'streaming' } }, true).catch((e) => e);
    expect(run).toBeInstanceOf(UserError);
    expect(run.message).toMatch(/Sort on a non-time-attribute field is not supported in streaming mode/);
    expect(takeCollected('batch-final-sorted')).toEqual([]);
    await runPlan(plan, false); // interpreted (--unfused): the same order
    expect(takeCollected('batch-final-sorted').map((c) => c.row.id)).toEqual([...ORDERS].sort((a, b) => b.amount - a.amount || a.id - b.id).map((o) => o.id));
  });
});
