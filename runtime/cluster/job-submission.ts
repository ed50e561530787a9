// POST /jars/:jarid/run: everything that can be checked before a job exists (its run flags and
// configuration, the savepoint it starts from, its id), then the job's record with its own bundle copy.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { UserError } from '../core/errors.js';
import { durationOption, intOption } from '../core/options.js';
import { applyOverrides } from '../exec/apply-overrides.js';
import { parallelismOf } from '../exec/key-groups.js';
import { snapshotLayout, subtaskSnapshot, unmappedState } from '../exec/redistribute.js';
import { parseRunFlags } from '../exec/run-flags.js';
import type { ClusterPaths } from './cluster-dir.js';
import type { Config } from './config.js';
import { badRequest, conflict } from './errors.js';
import { HEX32, newJobId } from './ids.js';
import type { Jar, JarStore } from './jars.js';
import { JobRecord } from './job-record.js';
import { restartStrategy } from './restart-strategy.js';
import { savepointToRestore } from './snapshot-paths.js';

export interface RunJarRequest {
  programArgs?: string;
  programArgsList?: string[];
  parallelism?: number | null;
  savepointPath?: string | null;
  allowNonRestoredState?: boolean | null;
  jobId?: string | null;
  flinkConfiguration?: Record<string, string>;
}

export class JobSubmission {
  constructor(
    private readonly jars: JarStore,
    private readonly paths: ClusterPaths,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** The job a run request describes, ready to deploy; `exists` tells whether a job id is taken. */
  async build(jarId: string, req: RunJarRequest, exists: (jobId: string) => boolean): Promise<JobRecord> {
    const jar = this.jars.get(jarId);
    const argv = req.programArgsList ?? splitArgs(req.programArgs ?? '');
    const flags = parseRunFlags(argv);
    if (flags.unfused) throw badRequest('--unfused is for local runs (`sluice run` without -d)');
    if (flags.args.length) {
      this.log.warn({ jar: jar.name, ignored: flags.args }, `job arguments are compile-time inputs; ${jar.name} was compiled with [${jar.plan.args.join(' ')}]`);
    }
    const defines = [...flags.defines, ...Object.entries(req.flinkConfiguration ?? {}).map(([k, v]) => `${k}=${v}`)];
    const { plan, config, intervalMs, strategy } = this.prepare(jar.plan, flags.sets, defines);
    let parallelism: number;
    try {
      parallelism = parallelismOf(config, req.parallelism);
    } catch (e) {
      if (e instanceof UserError) throw badRequest(e.message + (e.hint ? ` (${e.hint})` : ''));
      throw e;
    }
    const savepointPath = req.savepointPath ? await this.checkSavepoint(req.savepointPath, plan, req.allowNonRestoredState ?? false, parallelism) : null;

    const jobId = req.jobId ?? newJobId();
    if (!HEX32.test(jobId)) throw badRequest(`jobId '${jobId}' is not a job id: expected 32 hexadecimal digits`);
    if (exists(jobId)) throw conflict(`Job ${jobId} already exists`);
    const bundle = await this.copyBundle(jar, jobId);
    const job = new JobRecord(jobId, plan.name, plan, config, bundle, strategy, intervalMs, req.allowNonRestoredState ?? false, savepointPath);
    job.parallelism = parallelism;
    this.log.info({ jobId, job: plan.name, restartStrategy: strategy.description, checkpointInterval: intervalMs || null, savepoint: savepointPath },
      `Received JobGraph submission '${plan.name}' (${jobId}).`);
    return job;
  }

  /** Applies run-time overrides and reads the job's checkpointing and restart settings; bad ones are the user's (400). */
  private prepare(compiled: JobRecord['plan'], sets: string[], defines: string[]) {
    try {
      const plan = applyOverrides(compiled, { sets, defines });
      const config = { ...this.config, ...plan.config };
      const intervalMs = durationOption(config, 'execution.checkpointing.interval', 0);
      const strategy = restartStrategy(config, intervalMs > 0);
      intOption(config, 'state.checkpoints.num-retained', 3, 1);
      return { plan, config, intervalMs, strategy };
    } catch (e) {
      if (e instanceof UserError) throw badRequest(e.message + (e.hint ? ` (${e.hint})` : ''));
      throw e;
    }
  }

  /** The savepoint a job starts from must be readable and its state must map onto the plan (or be allowed not to). */
  private async checkSavepoint(location: string, plan: JobRecord['plan'], allowNonRestoredState: boolean, parallelism: number): Promise<string> {
    const stored = await savepointToRestore(location, this.config);
    const unmapped = unmappedState(plan, stored.snapshot);
    if (unmapped.length && !allowNonRestoredState) {
      throw badRequest(`the ${stored.info.kind} has state for operator ${unmapped[0]}${unmapped.length > 1 ? ` (and ${unmapped.length - 1} more)` : ''}, which is not in this job; allow it to be skipped with --allow-non-restored-state (allowNonRestoredState: true)`);
    }
    // It must restore at the job's parallelism (key groups, split assignment): said now, not by a failing task.
    try {
      subtaskSnapshot(stored.snapshot, snapshotLayout(plan), parallelism, 0);
    } catch (e) {
      if (e instanceof UserError) throw badRequest(`the ${stored.info.kind} cannot be restored: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
      throw e;
    }
    return stored.path;
  }

  /** The job runs its own copy of the bundle: deleting the jar does not pull it from under a restart. */
  private async copyBundle(jar: Jar, jobId: string): Promise<string> {
    const dir = path.join(this.paths.jobsDir, jobId);
    await mkdir(dir, { recursive: true });
    const bundle = path.join(dir, 'bundle.mjs');
    await copyFile(jar.path, bundle);
    return bundle;
  }
}

/** Flink's programArgs string: split on whitespace, with single or double quotes grouping. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
