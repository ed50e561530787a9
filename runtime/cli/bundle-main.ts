// The main of a compiled bundle: `node build/job.mjs [--unfused] [-p n] [-s checkpoint] [--set t.o=v]... [-D k=v]...` runs the job.
// Imported by something else (the CLI, a taskmanager), the bundle only exports `job`. Started as a parallel
// subtask's thread (exec/parallel/parallel-runner.ts), it runs that subtask on this bundle's own runtime.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { CompiledBundle } from '../core/bundle.js';
import { isSubtaskThread, runSubtaskThread } from '../exec/parallel/subtask-thread.js';
import { runCompiled } from './run-compiled.js';
import { parseRunFlags } from '../exec/run-flags.js';

export async function bundleMain(job: CompiledBundle, moduleUrl: string): Promise<void> {
  // What fails before the subtask runs (a UDF missing from the bundle) is the thread's error, which the coordinator reports.
  if (isSubtaskThread()) return runSubtaskThread(job);
  // A worker thread's process.argv is its process's: only the main thread can be `node build/job.mjs`.
  const main = isMainThread && process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  if (!main) return;
  try {
    const flags = parseRunFlags(process.argv.slice(2));
    if (flags.args.length) {
      console.error(`note: job arguments are compile-time inputs; this bundle was compiled with [${job.plan.args.join(' ')}], ignoring [${flags.args.join(' ')}]`);
    }
    await runCompiled(job, { ...flags, carried: job.carried, bundle: fileURLToPath(moduleUrl) });
    process.exit(0);
  } catch (e) {
    console.error(`error: ${(e as Error).message}${(e as { hint?: string }).hint ? `\n  hint: ${(e as { hint?: string }).hint}` : ''}`);
    process.exit(1);
  }
}
