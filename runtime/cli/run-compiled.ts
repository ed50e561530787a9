// Runs a compiled job in this process (a bundle run with node, `sluice run`): applies run-time overrides,
// picks fused or interpreted stages, stops cleanly on Ctrl-C (sources stop, sinks flush), and reports.
import type { CompiledBundle } from '../core/bundle.js';
import { UserError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { udfFunctions } from '../core/udf.js';
import * as functions from '../core/functions.js';
import { applyOverrides, type Overrides } from '../exec/apply-overrides.js';
import { interpretPlan } from '../exec/interpret-plan.js';
import { JobRunner } from '../exec/job-runner.js';
import { parallelismOf } from '../exec/key-groups.js';

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
}

/** A table's connector whose implementation was left out of the bundle (compiler/bundle/bundle-job.ts). */
export function connectorNotCarried(connector: string, table: string | null, carried: readonly string[]): UserError {
  return new UserError(
    `${table === null ? '' : `table '${table}': `}connector '${connector}' is not in this bundle (it carries ${carried.join(', ')})`,
    `a bundle carries the connectors its job names and the embedded ones; compile it with \`sluice compile --connector ${connector}\` (or from a job that names it), or run this one with \`sluice run <bundle>\`, whose runtime has every connector`,
  );
}

export async function runCompiled(job: CompiledBundle, options: RunCompiledOptions = {}): Promise<JobRunner> {
  const plan = applyOverrides(job.plan, options);
  if (options.carried) {
    for (const n of plan.nodes) {
      if ((n.kind === 'source' || n.kind === 'sink') && !options.carried.includes(n.connector)) throw connectorNotCarried(n.connector, n.table, options.carried);
    }
  }
  // A parallelism this run cannot honour is an error, never ignored.
  const parallelism = parallelismOf(plan.config, options.parallelism);
  if (parallelism > 1) {
    throw new UserError(`parallelism ${parallelism}: a foreground run executes a job as one subtask (parallel subtasks are not implemented yet)`,
      'run with -p 1 (and without parallelism.default > 1); docs/operations.md, "Scaling out", says what exists');
  }
  const log = createLogger(plan.name);
  const udfs = udfFunctions(plan.udfs);
  const fused = !options.unfused;
  const code = fused ? job.factory({ fn: functions }, udfs) : interpretPlan(plan, udfs);
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    log.info('stopping: sources stop, sinks flush (Ctrl-C again to exit at once)');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const runner = new JobRunner(plan, { code, log, signal: controller.signal, commitOnStop: true });
  const started = Date.now();
  log.info({ job: plan.name, fused }, 'job started');
  try {
    await runner.run();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const m = runner.metrics;
  log.info({
    job: plan.name, seconds: (Date.now() - started) / 1000, lateRecordsDropped: m.total('lateRecordsDropped'), badRecordsSkipped: m.total('badRecordsSkipped'),
  }, controller.signal.aborted ? 'job stopped' : 'job finished');
  return runner;
}
