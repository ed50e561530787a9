// CURRENT_WATERMARK(rowtime) against a direct computation of the watermark each row sees: with the watermark
// advancing after every record (as Flink's, pipeline.auto-watermark-interval 0), row i sees the largest event
// time of rows 0..i-1 minus the 2 s delay, and NULL before any; as sluice runs by default (the watermark after
// each polled batch) every row of the first batch sees NULL. Generated code and the interpreter alike. The
// conformance family `watermark` checks the same function against Flink's own output.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitStages } from '../../compiler/codegen/emit-stages.js';
import { instantiate } from '../../compiler/codegen/instantiate.js';
import { optimize } from '../../compiler/passes/index.js';
import { takeCollected } from '../../runtime/connectors/collect/sink.js';
import { udfFunctions } from '../../runtime/core/udf.js';
import { interpretPlan } from '../../runtime/exec/interpret-plan.js';
import { JobRunner } from '../../runtime/exec/job-runner.js';
import { eventsEnvironment } from '../helpers/flink-changelogs.js';

const events = path.join(path.dirname(fileURLToPath(import.meta.url)), '../rank/events.jsonl');
const times = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => Date.parse(JSON.parse(l).ts.replace(' ', 'T') + 'Z'));

async function watermarksSeen(fused: boolean, rowsPerWatermark: number | undefined, id: string): Promise<(number | null)[]> {
  const env = eventsEnvironment(events);
  env.executeSql(`CREATE TABLE out_${id} (id INT, wm TIMESTAMP(3)) WITH ('connector' = 'collect', 'id' = '${id}')`);
  env.executeSql(`INSERT INTO out_${id} SELECT id, CURRENT_WATERMARK(ts) AS wm FROM ev`);
  const plan = optimize(env.buildPlan('current-watermark', []));
  const code = fused ? instantiate(emitStages(plan).factory, {}) : interpretPlan(plan, udfFunctions(plan.udfs));
  await new JobRunner(plan, { code, rowsPerWatermark }).run();
  const rows = takeCollected(id).map((c) => c.row);
  expect(rows.map((r) => r.id)).toEqual(times.map((_, i) => i));
  return rows.map((r) => r.wm as number | null);
}

describe('CURRENT_WATERMARK', () => {
  it.each([true, false])('per record: the watermark of the rows before (fused %s)', async (fused) => {
    const expected = times.map((_, i) => (i === 0 ? null : Math.max(...times.slice(0, i)) - 2000));
    expect(await watermarksSeen(fused, 1, `wm_record_${fused}`)).toEqual(expected);
  });

  it.each([true, false])('per batch: NULL for every row of the first batch (fused %s)', async (fused) => {
    expect(await watermarksSeen(fused, undefined, `wm_batch_${fused}`)).toEqual(times.map(() => null));
  });

  it('is typed as its rowtime without being one, and takes only a rowtime', () => {
    const env = eventsEnvironment(events);
    expect(env.sqlQuery('SELECT CURRENT_WATERMARK(ts) AS wm FROM ev').printSchema()).toContain('`wm` TIMESTAMP(3)\n');
    expect(() => env.sqlQuery('SELECT CURRENT_WATERMARK(v) FROM ev')).toThrow(/CURRENT_WATERMARK\(\) takes one rowtime attribute, got INT/);
    expect(() => env.sqlQuery('SELECT CURRENT_WATERMARK(CAST(ts AS TIMESTAMP(3))) FROM ev')).toThrow(/takes one rowtime attribute/);
  });
});
