// Compiles a job file to a bundle in a temporary folder and imports it, for tests that run the compiled job
// in process (runCompiled, ParallelRunner) with the bundle's path for its worker threads, and checkpoints one
// mid-run.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileJob } from '../../compiler/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { ParallelRunner } from '../../runtime/exec/parallel/parallel-runner.js';
import type { JobSnapshot } from '../../runtime/exec/snapshot.js';
import { tempDir } from './tables.js';

/** The bundle compiled from `jobFile` with the job's `args`, and its path. */
export async function compiledBundle(jobFile: string, args: string[]): Promise<{ job: CompiledBundle; file: string }> {
  const file = path.join(tempDir(), 'job.mjs');
  await compileJob(jobFile, { args, out: file });
  const mod = (await import(pathToFileURL(file).href)) as { job: CompiledBundle };
  return { job: mod.job, file };
}

/** Runs the bundle at `parallelism`, checkpoints it as soon as it has started (mid-input), lets it finish; the checkpoint. */
export async function checkpointMidRun(job: CompiledBundle, file: string, parallelism: number): Promise<JobSnapshot> {
  const first = new ParallelRunner(job.plan, { parallelism, bundle: file });
  const done = first.run();
  await first.started;
  const snap = await first.snapshot();
  await done;
  return snap;
}
