// Deduplication and Top-N against real Flink: the exact changelog (row kinds and order) Flink 2.3.0 emitted
// for each query over events.jsonl (flink-changelogs.json, written by flink_changelogs.py), and a rank's
// state surviving a snapshot and restore in the middle of its input.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { changelogLines, eventsEnvironment, flinkChangelogs } from '../helpers/flink-changelogs.js';
import { optimize } from '../../compiler/passes/index.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { RankNode } from '../../runtime/core/plan.js';
import { ROW_KIND_SHORT, RowKind, type Row } from '../../runtime/core/row.js';
import { RankProcessor } from '../../runtime/exec/rank/rank-processor.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const events = path.join(here, 'events.jsonl');
const expected = flinkChangelogs(here);
const environment = () => eventsEnvironment(events);

describe('deduplication and Top-N emit what Flink emits', () => {
  it.each(Object.keys(expected))('%s', async (sql) => {
    expect(await changelogLines(environment().sqlQuery(sql))).toEqual(expected[sql]);
  });
});

describe('rank state', () => {
  const rankNodeOf = (sql: string): { node: RankNode; input: ReturnType<typeof optimize>['nodes'][number] } => {
    const env = environment();
    env.executeSql(`CREATE TABLE out_t (k STRING, id INT, v INT) WITH ('connector' = 'blackhole')`);
    env.executeSql(`INSERT INTO out_t ${sql}`);
    const plan = optimize(env.buildPlan('rank', []));
    const node = plan.nodes.find((n): n is RankNode => n.kind === 'rank')!;
    return { node, input: plan.nodes.find((n) => n.id === node.input)! };
  };
  const rows: Row[] = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => {
    const r = JSON.parse(l);
    return { ...r, ts: Date.parse(r.ts.replace(' ', 'T') + 'Z') };
  });
  const run = (p: RankProcessor, batch: Row[], wm: number, out: string[]) => {
    p.outputs.length = 0;
    p.outputs.push({
      process: (rs, kinds) => rs.forEach((r, i) => out.push(`${ROW_KIND_SHORT[kinds?.[i] ?? RowKind.INSERT]} ${JSON.stringify(r)}`)),
      watermark: () => {}, endInput: () => {},
    });
    p.process(batch, null);
    p.watermark(wm);
  };

  it.each([
    'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev) WHERE rn <= 2',
    'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM ev) WHERE rn = 1',
    'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM ev) WHERE rn = 1',
  ])('a snapshot in the middle restores to the same output: %s', (sql) => {
    const { node, input } = rankNodeOf(sql);
    const metrics = new JobMetrics();
    const whole: string[] = [];
    const once = new RankProcessor(node, input.schema, metrics.operator('a', 'rank'), () => 0, 128);
    run(once, rows.slice(0, 20), rows[19].ts as number - 2000, whole);
    run(once, rows.slice(20), Infinity, whole);

    const parts: string[] = [];
    const first = new RankProcessor(node, input.schema, metrics.operator('b', 'rank'), () => 0, 128);
    run(first, rows.slice(0, 20), rows[19].ts as number - 2000, parts);
    const snap = JSON.parse(JSON.stringify(first.snapshot()));
    const second = new RankProcessor(node, input.schema, metrics.operator('c', 'rank'), () => 0, 128);
    second.restore(snap);
    run(second, [], rows[19].ts as number - 2000, parts);
    run(second, rows.slice(20), Infinity, parts);
    expect(parts).toEqual(whole);
    expect(whole.length).toBeGreaterThanOrEqual(4);
  });
});
