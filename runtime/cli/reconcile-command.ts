// `sluice reconcile <job.ts|bundle.mjs>`: finds the streaming run of the job (the cluster's job of that name,
// or --job; else --checkpoint names a checkpoint or savepoint directly), takes its latest completed checkpoint
// or savepoint, and runs runtime/reconcile over it. Exit 0: nothing unexplained; 1: something is; 2: it could
// not run (with the reason). The work is imported when the command runs.
import { Option, type Command } from 'commander';
import type { CompiledBundle } from '../core/bundle.js';
import type { JobPlan } from '../core/plan.js';
import type { StoredCheckpoint } from '../state/checkpoint-storage.js';

const collect = (v: string, prev: string[]) => [...prev, v];

interface ReconcileCommandOptions {
  set: string[];
  D: string[];
  json?: boolean;
  checkpoint?: string;
  job?: string;
  jobmanager?: string;
  dir?: string;
  tolerance?: string;
  plan?: string;
  progressInterval?: string;
}

export function registerReconcileCommand(program: Command): void {
  program.command('reconcile')
    .description('did the stream job write what it should have? re-runs its logic as a batch over the input its streaming run consumed and compares every sink table')
    .argument('<target>', 'the job file (jobs/x.ts) or bundle (build/x.mjs) the streaming run was started from')
    .argument('[args...]', 'job arguments, after --')
    .option('--set <table.option=value>', 'a table option, as given to `sluice run` (repeatable)', collect, [])
    .option('-D <key=value>', 'a configuration key, as given to `sluice run` (repeatable)', collect, [])
    .option('--json', 'print the report as JSON')
    .option('--checkpoint <path>', 'the checkpoint or savepoint ending the range (default: the run\'s latest completed one, from the cluster)')
    .option('--job <jobId>', 'the streaming run (default: the running job of the same name, else its latest run)')
    .option('-m, --jobmanager <host:port>', "jobmanager REST address (default: the cluster directory's, else 127.0.0.1:8081)")
    .option('--dir <dir>', 'cluster directory (default $SLUICE_CLUSTER_DIR or .sluice)')
    .option('--tolerance <relative>', 'relative tolerance of DOUBLE/FLOAT values (default 1e-9)')
    .option('--progress-interval <seconds>', 'when stderr is no terminal (a log, cron): seconds between progress lines (default 5)')
    .addOption(new Option('--plan <file>', "internal (REST): the run's plan, with its --set/-D applied, instead of the bundle's").hideHelp())
    .action(async (target: string, args: string[], opts: ReconcileCommandOptions) => {
      let code: number;
      try {
        code = await runReconcile(target, args, opts);
      } catch (e) {
        const err = e as Error & { hint?: string };
        console.error(`error: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
        if (process.env.SLUICE_DEBUG) console.error(err.stack);
        code = 2;
      }
      process.exit(code);
    });
}

async function runReconcile(target: string, args: string[], opts: ReconcileCommandOptions): Promise<number> {
  const { loadRunnable } = await import('./load-runnable.js');
  const { applyOverrides } = await import('../exec/apply-overrides.js');
  const { reconcile, refuseProcessingTime } = await import('../reconcile/reconcile.js');
  const { reportJson, reportText } = await import('../reconcile/report.js');
  const job: CompiledBundle = await loadRunnable(target, args, opts.D);
  const { readFileSync } = await import('node:fs');
  const base: JobPlan = opts.plan ? JSON.parse(readFileSync(opts.plan, 'utf8')) as JobPlan : job.plan;
  const plan = applyOverrides(base, { sets: opts.set, defines: opts.D });
  refuseProcessingTime(plan);
  const run = await findRun(plan, opts);
  const tolerance = opts.tolerance === undefined ? undefined : Number(opts.tolerance);
  if (tolerance !== undefined && !(tolerance >= 0)) throw new Error(`--tolerance ${opts.tolerance}: expected a non-negative number`);
  const seconds = opts.progressInterval === undefined ? 5 : Number(opts.progressInterval);
  if (!(seconds > 0)) throw new Error(`--progress-interval ${opts.progressInterval}: expected a positive number of seconds`);
  const report = await reconcile(job, plan, run.checkpoint, {
    tolerance, ranPastCheckpoint: run.ranPastCheckpoint, lateRecordsDropped: run.lateRecordsDropped,
    progress: progressLines(process.stderr, seconds * 1000), progressIntervalMs: Math.min(1000, seconds * 1000),
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stdout.write(opts.json ? `${reportJson(report)}\n` : reportText(report));
  return report.ok ? 0 : 1;
}

/**
 * The progress of the replay: on a terminal one line rewritten at every update; otherwise (a log, cron) a line
 * at the first update, then at most one per `intervalMs`, and always the one ending a pass (its total), unless
 * the line before said the same.
 */
export function progressLines(out: { isTTY?: boolean; write(s: string): unknown }, intervalMs: number, now: () => number = Date.now): (line: string, done: boolean) => void {
  let last = -Infinity;
  let lastLine = '';
  return (line, done) => {
    if (out.isTTY) return void out.write(`\r\x1b[K${line}`);
    if (done ? line === lastLine : now() - last < intervalMs) return;
    last = now();
    lastLine = line;
    out.write(`${line}\n`);
  };
}

interface FoundRun {
  checkpoint: StoredCheckpoint;
  ranPastCheckpoint: boolean;
  lateRecordsDropped: number | null;
}

interface CheckpointStat { id: number; is_savepoint: boolean; external_path?: string; status: string }

async function findRun(plan: JobPlan, opts: ReconcileCommandOptions): Promise<FoundRun> {
  const { readCheckpoint } = await import('../state/checkpoint-storage.js');
  const { CannotReconcileError } = await import('../reconcile/reconcile.js');
  if (opts.checkpoint) return { checkpoint: await readCheckpoint(opts.checkpoint), ranPastCheckpoint: true, lateRecordsDropped: null };
  const { findCluster } = await import('./job-commands.js');
  const { UnreachableError } = await import('../cluster/jobmanager-client.js');
  const { client, found } = findCluster(opts);
  let jobs: { jid: string; name: string; state: string; 'start-time': number }[];
  try {
    ({ jobs } = await client.get<{ jobs: typeof jobs }>('/jobs/overview'));
  } catch (e) {
    if (e instanceof UnreachableError) {
      throw new CannotReconcileError(`no cluster to find the streaming run of '${plan.name}' in${found ? `: ${e.message}` : ''}`,
        'start the job in a cluster (`sluice cluster start`, `sluice run -d`), name one with -m host:port, or give --checkpoint <dir>');
    }
    throw e;
  }
  const candidates = jobs.filter((j) => (opts.job ? j.jid === opts.job : j.name === plan.name));
  if (candidates.length === 0) {
    throw new CannotReconcileError(opts.job ? `the cluster has no job ${opts.job}` : `the cluster has no job named '${plan.name}'`, 'see `sluice list -a`; or give --checkpoint <dir>');
  }
  const live = (s: string) => s === 'RUNNING' || s === 'RESTARTING' || s === 'CREATED';
  const chosen = [...candidates].sort((a, b) => Number(live(b.state)) - Number(live(a.state)) || b['start-time'] - a['start-time'])[0];
  const stats = await client.get<{ latest: { completed: CheckpointStat | null; savepoint: CheckpointStat | null } }>(`/jobs/${chosen.jid}/checkpoints`);
  const latest = [stats.latest.completed, stats.latest.savepoint].filter((c): c is CheckpointStat => !!c?.external_path).sort((a, b) => b.id - a.id)[0];
  if (!latest) {
    throw new CannotReconcileError(`job ${chosen.jid} ('${chosen.name}', ${chosen.state}) has no completed checkpoint or savepoint yet`,
      `wait for its first checkpoint (execution.checkpointing.interval), or take one: sluice savepoint ${chosen.jid}`);
  }
  const metrics = await client.get<{ id: string; value: string }[]>(`/jobs/${chosen.jid}/metrics?get=numLateRecordsDropped`).catch(() => []);
  const late = metrics.find((m) => m.id === 'numLateRecordsDropped');
  return {
    checkpoint: await readCheckpoint(latest.external_path!),
    // A job stopped with this savepoint wrote nothing after it.
    ranPastCheckpoint: !(chosen.state === 'FINISHED' && latest.is_savepoint),
    lateRecordsDropped: late ? Number(late.value) : null,
  };
}
