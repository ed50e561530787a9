// OVER aggregates against real Flink: the exact changelog Flink 2.3.0 emitted for each query over events.jsonl
// (flink-changelogs.json, written by flink_changelogs.py: ROWS and RANGE frames, UNBOUNDED PRECEDING, event and
// processing time, LAG, DISTINCT, NULL arguments, several functions on one window, the WINDOW clause); the
// operator's state surviving a snapshot and restore mid-input; the same job at -p 1 and -p 2; and the constructs
// Flink's streaming planner rejects, rejected at their file:line:col. Final rows on the conformance inputs (late
// rows among them) are in test/conformance (family 'over').
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { optimize } from '../../compiler/passes/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { OverAggregateNode, PlanNode } from '../../runtime/core/plan.js';
import type { Row } from '../../runtime/core/row.js';
import { keyGroupFunction } from '../../runtime/exec/key-groups.js';
import { OverAggregateProcessor } from '../../runtime/exec/over/over-processor.js';
import { changelogLines, eventsEnvironment, flinkChangelogs } from '../helpers/flink-changelogs.js';
import { tempDir } from '../helpers/tables.js';
import { compileError } from '../sql/helpers.js';
import { rejected } from './fixtures/over-errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const events = path.join(here, 'events.jsonl');
const expected = flinkChangelogs(here);
const environment = () => eventsEnvironment(events);

describe('OVER aggregates emit what Flink emits', () => {
  it.each(Object.keys(expected))('%s', async (sql) => {
    expect(await changelogLines(environment().sqlQuery(sql))).toEqual(expected[sql]);
  });
});

describe('OVER aggregate state', () => {
  const overNodeOf = (sql: string): { node: OverAggregateNode; input: PlanNode } => {
    const env = environment();
    env.executeSql(`CREATE TABLE out_t (id INT, s INT, c BIGINT) WITH ('connector' = 'blackhole')`);
    env.executeSql(`INSERT INTO out_t ${sql}`);
    const plan = optimize(env.buildPlan('over', []));
    const node = plan.nodes.find((n): n is OverAggregateNode => n.kind === 'overAggregate')!;
    return { node, input: plan.nodes.find((n) => n.id === node.input)! };
  };
  const rows: Row[] = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => {
    const r = JSON.parse(l);
    return { ...r, ts: Date.parse(r.ts.replace(' ', 'T') + 'Z') };
  });
  const processor = (node: OverAggregateNode, input: PlanNode, out: string[]) => {
    const types = node.partitionKeys.map((k) => input.schema.find((f) => f.name === k)!.type);
    const p = new OverAggregateProcessor(node, input.schema, new JobMetrics().operator('o', 'over'), keyGroupFunction(types, 128), 128);
    p.outputs.push({ process: (rs) => rs.forEach((r) => out.push(JSON.stringify(r))), watermark: () => {}, endInput: () => {} });
    return p;
  };
  const feed = (p: OverAggregateProcessor, batch: Row[], wm: number) => { p.process(batch, null); p.watermark(wm); };

  it.each([
    "SELECT id, SUM(v) OVER w AS s, COUNT(*) OVER w AS c FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
    "SELECT id, SUM(v) OVER w AS s, COUNT(*) OVER w AS c FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW)",
    "SELECT id, SUM(v) OVER w AS s, COUNT(DISTINCT v) OVER w AS c FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
  ])('a snapshot in the middle restores to the same output: %s', (sql) => {
    const { node, input } = overNodeOf(sql);
    const wmAt = (i: number) => (rows[i].ts as number) - 2000;
    const whole: string[] = [];
    const once = processor(node, input, whole);
    feed(once, rows.slice(0, 25), wmAt(24));
    feed(once, rows.slice(25), Infinity);

    const parts: string[] = [];
    const first = processor(node, input, parts);
    feed(first, rows.slice(0, 25), wmAt(24));
    const snap = JSON.parse(JSON.stringify(first.snapshot()));
    const second = processor(node, input, parts);
    second.restore(snap);
    feed(second, rows.slice(25), Infinity);
    expect(parts).toEqual(whole);
    expect(whole.length).toBe(rows.length);
  });
});

describe('an OVER aggregate at -p 2: a hash exchange on the partition key keeps each key in one subtask', { timeout: 180_000 }, () => {
  // A RANGE frame: rows of one key and timestamp see each other, so the output does not depend on the order in
  // which the subtasks' splits deliver them (with ROWS it does, in Flink too).
  const flink = expected["SELECT id, AVG(v) OVER w AS a, MIN(v) OVER w AS mn, MAX(v) OVER w AS mx, COUNT(v) OVER w AS c FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW)"];
  it.each([1, 2])('-p %i gives Flink\'s rows', async (p) => {
    const lines = fs.readFileSync(events, 'utf8').trim().split('\n');
    const dir = tempDir();
    for (let f = 0; f < 3; f++) fs.writeFileSync(path.join(dir, `events-${f}.json`), lines.filter((_, i) => i % 3 === f).join('\n') + '\n');
    const out = tempDir();
    const file = path.join(tempDir(), 'job.mjs');
    await compileJob('test/over/fixtures/over-job.ts', { args: ['--events', dir, '--out', out], out: file });
    const { job } = (await import(pathToFileURL(file).href)) as { job: CompiledBundle };
    await runCompiled(job, { parallelism: p, bundle: file });
    const got = fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
    const want = flink.map((l) => (JSON.parse(l.slice(3)) as unknown[]).map((v) => v ?? '').join(',')).sort();
    expect(got).toEqual(want);
  });
});

describe('what Flink rejects is a compile error at its place', () => {
  const fixture = path.join(here, 'fixtures', 'over-errors.ts');
  const source = fs.readFileSync(fixture, 'utf8');
  /** The line and column of a piece of text in the fixture (computed, not written down). */
  const at = (needle: string) => {
    const i = source.indexOf(needle);
    expect(i).toBeGreaterThanOrEqual(0);
    const before = source.slice(0, i).split('\n');
    return { line: before.length, col: before[before.length - 1].length + 1 };
  };
  it.each([
    ['lead', /^LEAD is not supported on a stream/, 'LEAD(v)'],
    ['nonTimeOrder', /^ORDER BY v \(not a time attribute\) in an OVER window is not supported/, 'v ROWS'],
    ['descending', /can only be ordered ascending/, 'ts DESC'],
    ['following', /ending at 1 FOLLOWING is not supported/, 'ROWS BETWEEN 2 PRECEDING AND 1'],
    ['noOrder', /needs ORDER BY a time attribute/, '(PARTITION BY k) AS'],
    ['lagFrame', /LAG takes no window frame/, 'ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS x FROM ev`),\n  firstValue'],
    ['firstValue', /^FIRST_VALUE OVER is not supported/, 'FIRST_VALUE(v)'],
    ['twoWindows', /different windows/, 'OVER (ORDER BY ts ROWS BETWEEN 2'],
    ['sumOfString', /SUM needs a numeric argument/, 'SUM(k)'],
    ['unknownWindow', /unknown window 'w2'/, 'w2 AS x'],
    ['rank', /^RANK\(\) on a stream is not supported/, 'RANK()'],
    ['denseRank', /^DENSE_RANK\(\) on a stream is not supported/, 'DENSE_RANK()'],
    ['updating', /an OVER aggregate over an updating input is not supported/, 'SUM(c) OVER'],
  ] as const)('%s', (name, message, needle) => {
    const e = compileError(() => rejected[name](environment()));
    expect(e.message).toMatch(message);
    expect(e.loc?.file).toMatch(/over-errors\.ts$/);
    expect({ line: e.loc?.line, col: e.loc?.col }).toEqual(at(needle));
    expect(e.hint ?? '').not.toBe('');
  });
});
