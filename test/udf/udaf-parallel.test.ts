// An aggregate function (@udaf) in a parallel job: at -p 1 and -p 2 (subtasks pre-aggregate into its
// accumulators, the owner merges them with its merge method) the windows equal an independent count and sum; a
// checkpoint at -p 2 holds its accumulators and restores exactly; a function without merge is refused at -p 2.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { ParallelRunner } from '../../runtime/exec/parallel/parallel-runner.js';
import type { JobSnapshot } from '../../runtime/exec/snapshot.js';
import { checkpointMidRun, compiledBundle } from '../helpers/bundles.js';
import { tempDir } from '../helpers/tables.js';
import { readOutput, writeInput } from '../parallel/clicks-files.js';

const FIXTURE = 'test/udf/fixtures/udaf-windows-job.ts';
let input: string;
let expected: string[];

const compiled = (out: string, extra: string[] = []) => compiledBundle(FIXTURE, ['--in', input, '--out', out, ...extra]);

beforeAll(() => {
  input = tempDir();
  expected = writeInput(input);
});

describe('an aggregate function in a parallel job', () => {
  it.each([1, 2])('windows summed by the function at -p %i equal an independent count and sum', async (p) => {
    const out = tempDir();
    const { job, file } = await compiled(out);
    expect(job.plan.udfs.map((u) => u.name)).toEqual(['total']);
    await runCompiled(job, { parallelism: p, bundle: file });
    expect(readOutput(out)).toEqual(expected);
  }, 120_000);

  it('a checkpoint at -p 2 holds the accumulators and restores exactly', async () => {
    const out = tempDir();
    const { job, file } = await compiled(out);
    const snap: JobSnapshot = await checkpointMidRun(job, file, 2);
    // Taken mid-input, with open windows whose accumulators are the function's ({ sum }).
    const state = JSON.stringify(snap.subtasks);
    expect(state).toMatch(/\{"sum":\d+\}/);
    const second = new ParallelRunner(job.plan, { parallelism: 2, bundle: file, restore: JSON.parse(JSON.stringify(snap)) as JobSnapshot });
    await second.run();
    expect(readOutput(out)).toEqual(expected);
  }, 120_000);

  it('a function without merge runs at -p 1 and is refused at -p 2, naming it', async () => {
    const out = tempDir();
    const { job, file } = await compiled(out, ['--no-merge']);
    await expect(runCompiled(job, { parallelism: 2, bundle: file })).rejects.toThrow("aggregate function 'total_nm' has no merge method, which a parallel job needs");
    await runCompiled(job, { parallelism: 1, bundle: file });
    expect(readOutput(out)).toEqual(expected);
  }, 120_000);
});
