// A fused stage that is the only reader of a source's rows writes its output into them (emit-stages.ts):
// the answers must equal an independent computation, with columns swapped, and with a second query reading
// the same source (where the rows must not be reused).
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { emitStages } from '../../compiler/codegen/emit-stages.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { materialize, takeCollected } from '../../runtime/connectors/collect/sink.js';
import { sortRows, writeCsv } from '../helpers/tables.js';

const input = Array.from({ length: 10_000 }, (_, i) => [i, i * 7 + 1, i % 13]);
const file = writeCsv(input);

async function run(shared: boolean, fused: boolean) {
  const { plan } = await compileJob('test/core/fixtures/shared-source-job.ts', { args: ['--input', file, '--shared', String(shared)] });
  const sinks = plan.nodes.flatMap((n) => (n.kind === 'sink' ? [n.table] : []));
  const sets = sinks.flatMap((t) => [`${t}.connector=collect`, `${t}.id=reuse-${t}-${shared}-${fused}`]);
  const withSinks = applyOverrides(plan, { sets });
  await runPlan(withSinks, fused);
  const out = Object.fromEntries(sinks.map((t) => [t, sortRows(materialize(takeCollected(`reuse-${t}-${shared}-${fused}`)))]));
  return { out, code: emitStages(withSinks).factory };
}

const swapped = sortRows(input.map(([a, b, c]) => ({ a: b, b: a, c: c * 2 })));
const copied = sortRows(input.map(([a, b, c]) => ({ a, b, c })));

describe('stages writing into their input rows', () => {
  for (const fused of [true, false]) {
    it(`one reader: the swap is right (${fused ? 'fused' : 'unfused'})`, async () => {
      const { out, code } = await run(false, fused);
      expect(out.swapped).toEqual(swapped);
      expect(code).toContain('out.rows.push(r);');
    });

    it(`two readers of one source: each sees the source's rows (${fused ? 'fused' : 'unfused'})`, async () => {
      const { out, code } = await run(true, fused);
      expect(out.swapped).toEqual(swapped);
      expect(out.copied).toEqual(copied);
      expect(code).not.toContain('out.rows.push(r);');
    });
  }
});
