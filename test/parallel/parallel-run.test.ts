// Jobs run as parallel subtasks (worker threads, hash exchanges, local-global aggregation, split sources,
// per-subtask sinks) give the results of an independent computation at -p 1, 2 and 3; a checkpoint taken at
// -p 2 (aligned barriers) restores exactly; a parallelism that cannot be honoured is an error.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { ParallelRunner } from '../../runtime/exec/parallel/parallel-runner.js';
import type { JobSnapshot } from '../../runtime/exec/snapshot.js';
import { sluice } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';
import { readOutput, writeInput } from './clicks-files.js';

const FIXTURE = 'test/parallel/fixtures/sequence-job.ts';
let input: string;
let expected: string[];

/** The bundle compiled for `out`, and its job. */
async function compiled(out: string): Promise<{ job: CompiledBundle; file: string }> {
  const file = path.join(tempDir(), 'job.mjs');
  await compileJob(FIXTURE, { args: ['--in', input, '--out', out], out: file });
  const mod = (await import(pathToFileURL(file).href)) as { job: CompiledBundle };
  return { job: mod.job, file };
}

beforeAll(() => {
  input = tempDir();
  expected = writeInput(input);
});

describe('parallel subtasks', () => {
  it.each([1, 2, 3])('windows per page at -p %i equal an independent count over 6 file splits', async (p) => {
    const out = tempDir();
    const { job, file } = await compiled(out);
    await runCompiled(job, { parallelism: p, bundle: async () => file });
    expect(readOutput(out)).toEqual(expected);
    // Each subtask writes its own part files.
    expect(readdirSync(out).map((f) => f.split('-')[1]).sort()).toEqual(Array.from({ length: p }, (_, i) => String(i)));
  }, 120_000);

  it('a checkpoint at -p 2 (aligned barriers) restores exactly: resumed from it, the job rewrites the same windows', async () => {
    const out = tempDir();
    const { job, file } = await compiled(out);
    const first = new ParallelRunner(job.plan, { parallelism: 2, bundle: file });
    const done = first.run();
    await first.started;
    const snap: JobSnapshot = await first.snapshot();
    await done;
    expect(snap.parallelism).toBe(2);
    expect(snap.subtasks).toHaveLength(2);
    // Taken mid-input: some subtask was still in a file.
    expect(snap.subtasks!.some((part) => Object.values(part.sources).some((pos) => (pos as { file: string | null }).file !== null))).toBe(true);
    // The second run cuts the part files back to the checkpoint and goes on from its positions and windows.
    const second = new ParallelRunner(job.plan, { parallelism: 2, bundle: file, restore: JSON.parse(JSON.stringify(snap)) as JobSnapshot });
    await second.run();
    expect(readOutput(out)).toEqual(expected);
    // Another parallelism is refused until snapshots are redistributed by key group.
    await expect(new ParallelRunner(job.plan, { parallelism: 3, bundle: file, restore: snap }).run()).rejects.toThrow(/parallelism 2/);
  }, 120_000);

  it('sluice run -p 2: a running aggregate over a datagen sequence split in two ranges, printed with Flink\'s subtask prefix', () => {
    const r = sluice(['run', FIXTURE, '-p', '2', '--', '--totals', '--rows', '7000']);
    expect(r.stderr).not.toMatch(/error/);
    const last = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^([12])> \+[IU]\[(\d+), (\d+), (\d+)\]$/.exec(line);
      if (m) last.set(m[2], `${m[3]},${m[4]}`);
    }
    const want = new Map<string, string>();
    for (let k = 0; k < 7; k++) {
      let c = 0; let s = 0;
      for (let id = 1; id <= 7000; id++) if (id % 7 === k) { c++; s += id; }
      want.set(String(k), `${c},${s}`);
    }
    expect(last).toEqual(want);
    expect(r.stdout).toMatch(/^1> /m);
    expect(r.stdout).toMatch(/^2> /m);
  }, 120_000);

  it('a parallelism that cannot be honoured is an error', () => {
    const r = sluice(['run', FIXTURE, '-p', '200', '--', '--totals']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/parallelism 200 is above pipeline.max-parallelism 128/);
  }, 60_000);
});
