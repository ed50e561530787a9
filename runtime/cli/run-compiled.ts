// Runs a compiled job in this process (a bundle run with node, `sluice run`): applies run-time overrides,
// picks fused or interpreted stages, stops cleanly on Ctrl-C (sources stop, sinks flush; with checkpointing on,
// at a final checkpoint: foreground-checkpoints.ts), resumes from -s, and reports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CompiledBundle } from '../core/bundle.js';
import type { JobPlan } from '../core/plan.js';
import { UserError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { udfFunctions } from '../core/udf.js';
import * as functions from '../core/functions.js';
import { applyOverrides, type Overrides } from '../exec/apply-overrides.js';
import { interpretPlan } from '../exec/interpret-plan.js';
import { JobRunner } from '../exec/job-runner.js';
import { parallelismOf } from '../exec/key-groups.js';
import { ParallelRunner } from '../exec/parallel/parallel-runner.js';
import { StatusLine } from './status-line.js';
import { readCheckpointOrSuggest } from '../state/checkpoint-storage.js';
import { ForegroundCheckpoints, foregroundCheckpointSettings } from './foreground-checkpoints.js';

export interface RunCompiledOptions extends Overrides {
  unfused?: boolean;
  /** -p: the job's parallelism (else `parallelism.default`). */
  parallelism?: number;
  /**
   * The connectors whose implementations this code holds, when it is a bundle's own runtime (`node x.mjs`):
   * a table swapped at run time to another one is an error before anything opens. Absent: every registered
   * connector (the CLI and taskmanagers run a bundle's plan on their own runtime, which has them all).
   */
  carried?: readonly string[];
  /** -s: a checkpoint or savepoint to resume from. */
  fromSavepoint?: string;
  /** -n: skip snapshot state of operators that are not in the job. */
  allowNonRestoredState?: boolean;
  /**
   * The bundle file the job comes from (`node x.mjs`, `sluice run x.mjs`): parallel subtasks start from it. Absent:
   * a job compiled in memory writes one for them (CompiledBundle.writeBundle), else only parallelism 1 runs.
   */
  bundle?: string;
}

/**
 * A table's connector whose implementation was left out of the bundle (compiler/bundle/bundle-job.ts). `subtasks`:
 * the bundle's runtime is the one that needs it because parallel subtasks run on it, whoever runs the bundle.
 */
export function connectorNotCarried(connector: string, table: string | null, carried: readonly string[], subtasks = false): UserError {
  return new UserError(
    `${table === null ? '' : `table '${table}': `}connector '${connector}' is not in this bundle (it carries ${carried.join(', ')})`,
    `a bundle carries the connectors its job names and the embedded ones; compile it with \`sluice compile --connector ${connector}\` (or from a job that names it)${
      subtasks ? ' (parallel subtasks run on the bundle\'s own runtime), or run with -p 1' : ', or run this one with `sluice run <bundle>`, whose runtime has every connector'}`,
  );
}

/** Throws for the first source or sink of `plan` whose connector is not in `carried`. */
function checkCarried(plan: JobPlan, carried: readonly string[], subtasks: boolean): void {
  for (const n of plan.nodes) {
    if ((n.kind === 'source' || n.kind === 'sink') && !carried.includes(n.connector)) throw connectorNotCarried(n.connector, n.table, carried, subtasks);
  }
}

/**
 * The bundle parallel subtasks start from, on its own runtime: the job's file, whose connectors must cover the plan
 * (after --set), or one written from a job compiled in memory (carrying the plan's connectors) into a temporary
 * directory, which `cleanup` removes.
 */
async function subtaskBundle(job: CompiledBundle, plan: JobPlan, parallelism: number, file: string | undefined): Promise<{ path: string; cleanup: () => Promise<void> }> {
  if (file !== undefined) {
    if (job.carried) checkCarried(plan, job.carried, true);
    return { path: file, cleanup: async () => {} };
  }
  if (!job.writeBundle) {
    throw new UserError(`parallelism ${parallelism}: this run has no bundle for its subtask threads to start from`, 'run it with -p 1');
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-run-'));
  const connectors = [...new Set(plan.nodes.flatMap((n) => (n.kind === 'source' || n.kind === 'sink' ? [n.connector] : [])))];
  return { path: await job.writeBundle(path.join(dir, 'job.mjs'), connectors), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function runCompiled(job: CompiledBundle, options: RunCompiledOptions = {}): Promise<JobRunner | ParallelRunner> {
  const plan = applyOverrides(job.plan, options);
  if (options.carried) checkCarried(plan, options.carried, false);
  // A parallelism this run cannot honour is an error, never ignored.
  const parallelism = parallelismOf(plan.config, options.parallelism);
  const log = createLogger(plan.name);
  const udfs = udfFunctions(plan.udfs);
  const fused = !options.unfused;
  const checkpointing = foregroundCheckpointSettings(plan.config);
  const restored = options.fromSavepoint ? await readCheckpointOrSuggest(options.fromSavepoint) : null;
  if (restored) log.info({ path: restored.path }, `Restoring job from ${restored.info.kind === 'savepoint' ? 'Savepoint' : 'Checkpoint'} ${restored.info.id}`);
  const bundle = parallelism > 1 ? await subtaskBundle(job, plan, parallelism, options.bundle) : null;
  const controller = new AbortController();
  // Without checkpoints, Ctrl-C publishes the output so far (there is nothing to resume from); with them, the
  // final checkpoint commits it and the sources stop there.
  const runOptions = { log, signal: controller.signal, commitOnStop: checkpointing === null, restore: restored?.snapshot ?? null, allowNonRestoredState: options.allowNonRestoredState };
  const runner = parallelism > 1
    ? new ParallelRunner(plan, { ...runOptions, parallelism, bundle: bundle!.path, unfused: !fused })
    : new JobRunner(plan, { ...runOptions, code: fused ? job.factory({ fn: functions }, udfs) : interpretPlan(plan, udfs) });
  const checkpoints = checkpointing && new ForegroundCheckpoints(plan, runner, checkpointing, log, restored);
  let running = false;
  void runner.started.then(() => { running = true; });
  let stopping = false;
  let final: Promise<void> | null = null;
  const stop = () => {
    if (controller.signal.aborted || stopping) process.exit(130);
    if (!checkpoints || !running) {
      log.info('stopping: sources stop, sinks flush (Ctrl-C again to exit at once)');
      controller.abort();
      return;
    }
    stopping = true;
    log.info('stopping with a final checkpoint (Ctrl-C again to exit at once)');
    final = checkpoints.stopWithCheckpoint().then((where) => {
      console.error(`Final checkpoint: ${where}\nResume with: sluice run -s ${where} <the same job or bundle> (or node <bundle> -s ${where})`);
    }, (e) => {
      log.error({ err: e }, 'the final checkpoint failed: stopping without it (resume from the last completed checkpoint)');
      controller.abort();
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const started = Date.now();
  log.info({ job: plan.name, fused, parallelism, ...(checkpoints ? { checkpoints: `${checkpointing!.dir}/${checkpoints.jobId}` } : {}) }, 'job started');
  checkpoints?.start();
  const status = StatusLine.start({ plan, runner, ...(checkpoints ? { lastCheckpoint: () => checkpoints.lastCompleted } : {}) });
  try {
    await runner.run();
    await final;
  } finally {
    status?.stop();
    checkpoints?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await bundle?.cleanup();
  }
  const m = runner.metrics;
  log.info({
    job: plan.name, seconds: (Date.now() - started) / 1000, lateRecordsDropped: m.total('lateRecordsDropped'), badRecordsSkipped: m.total('badRecordsSkipped'),
  }, controller.signal.aborted || stopping ? 'job stopped' : 'job finished');
  return runner;
}
