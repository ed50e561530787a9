// The jobmanager: accepts jobs, places each on a free taskmanager slot, follows them through Flink's job
// states, and recovers them. A failure (a task that failed, a taskmanager that died, no free slot) goes to
// the job's restart strategy: RESTARTING and a new attempt from the latest completed checkpoint after the
// strategy's delay, or FAILED. It never runs job code; tasks run in taskmanagers. Checkpoints are taken by
// the taskmanager running the job and become "completed" only when this jobmanager accepts them, which is
// what makes them the restore point and lets sources commit (Kafka offsets) afterwards.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { UserError } from '../core/errors.js';
import { applyOverrides } from '../exec/apply-overrides.js';
import { parseRunFlags } from '../cli/run-flags.js';
import { CheckpointStorage, localPath, readCheckpoint } from '../state/checkpoint-storage.js';
import type { ClusterPaths } from './cluster-dir.js';
import { durationOption, intOption } from '../core/options.js';
import type { Config } from './config.js';
import { badRequest, conflict, notFound } from './errors.js';
import { HEX32, newJobId, newTriggerId } from './ids.js';
import { JarStore } from './jars.js';
import { JobRecord, type SavepointOperation } from './job-record.js';
import type { Command, ErrorInfo, RegisterRequest, RegisterResponse, TaskEvent, TaskReport } from './protocol.js';
import { restartStrategy } from './restart-strategy.js';
import { TaskManagerRecord } from './taskmanager-registry.js';

export interface RunJarRequest {
  programArgs?: string;
  programArgsList?: string[];
  parallelism?: number | null;
  savepointPath?: string | null;
  allowNonRestoredState?: boolean | null;
  jobId?: string | null;
  flinkConfiguration?: Record<string, string>;
}

const NO_RESOURCES: ErrorInfo = {
  name: 'NoResourceAvailableException',
  message: 'Could not acquire the minimum required resources.',
};

export class JobManager {
  readonly jars: JarStore;
  readonly jobs = new Map<string, JobRecord>();
  readonly taskManagers = new Map<string, TaskManagerRecord>();
  readonly startedAt = Date.now();
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly host = hostname();
  private monitor: NodeJS.Timeout | null = null;

  constructor(readonly paths: ClusterPaths, readonly config: Config, readonly log: Logger) {
    this.jars = new JarStore(paths.jarsDir);
    this.heartbeatIntervalMs = durationOption(config, 'heartbeat.interval', 1000);
    this.heartbeatTimeoutMs = durationOption(config, 'heartbeat.timeout', 5000);
  }

  async open(): Promise<void> {
    await this.jars.open();
    // Jobs of an earlier jobmanager are gone with it (no high availability): so are their bundle copies.
    await rm(this.paths.jobsDir, { recursive: true, force: true });
    await mkdir(this.paths.jobsDir, { recursive: true });
    this.monitor = setInterval(() => this.checkTaskManagers(), Math.min(500, this.heartbeatIntervalMs));
  }

  close(): void {
    if (this.monitor) clearInterval(this.monitor);
    for (const job of this.jobs.values()) if (job.restartTimer) clearTimeout(job.restartTimer);
  }

  // ---- jobs ---------------------------------------------------------------------------------------------

  job(jobId: string): JobRecord {
    if (!HEX32.test(jobId)) throw badRequest(`'${jobId}' is not a job id: expected 32 hexadecimal digits`);
    const job = this.jobs.get(jobId);
    if (!job) throw notFound(`Job ${jobId} not found`);
    return job;
  }

  jobConfig(jobConfig: Config): Config {
    return { ...this.config, ...jobConfig };
  }

  /** POST /jars/:jarid/run: checks everything that can be checked before the job exists, then schedules it. */
  async runJar(jarId: string, req: RunJarRequest): Promise<string> {
    const jar = this.jars.get(jarId);
    const argv = req.programArgsList ?? splitArgs(req.programArgs ?? '');
    const flags = parseRunFlags(argv);
    if (flags.unfused) throw badRequest('--unfused is for local runs (`sluice run` without -d)');
    if (flags.args.length) {
      this.log.warn({ jar: jar.name, ignored: flags.args }, `job arguments are compile-time inputs; ${jar.name} was compiled with [${jar.plan.args.join(' ')}]`);
    }
    const defines = [...flags.defines, ...Object.entries(req.flinkConfiguration ?? {}).map(([k, v]) => `${k}=${v}`)];
    const { plan, config, intervalMs, strategy } = this.prepare(jar.plan, flags.sets, defines);
    const parallelism = req.parallelism ?? Number(config['parallelism.default'] ?? 1);
    if (!Number.isInteger(parallelism) || parallelism < 1) throw badRequest(`parallelism must be a positive integer, got ${parallelism}`);
    if (parallelism > 1) throw badRequest(`parallelism ${parallelism}: a sluice job runs as one task in one slot (parallelism 1)`);

    let savepointPath: string | null = null;
    if (req.savepointPath) {
      const stored = await readCheckpoint(req.savepointPath).catch((e: Error) => { throw badRequest(e.message); });
      const ids = new Set(plan.nodes.map((n) => n.id));
      const unmapped = [...new Set([...Object.keys(stored.snapshot.operators), ...Object.keys(stored.snapshot.sources)])].filter((id) => !ids.has(id));
      if (unmapped.length && !req.allowNonRestoredState) {
        throw badRequest(`the savepoint has state for operator ${unmapped[0]}${unmapped.length > 1 ? ` (and ${unmapped.length - 1} more)` : ''}, which is not in this job; allow it to be skipped with --allow-non-restored-state (allowNonRestoredState: true)`);
      }
      savepointPath = stored.path;
    }

    const jobId = req.jobId ?? newJobId();
    if (!HEX32.test(jobId)) throw badRequest(`jobId '${jobId}' is not a job id: expected 32 hexadecimal digits`);
    if (this.jobs.has(jobId)) throw conflict(`Job ${jobId} already exists`);
    const dir = path.join(this.paths.jobsDir, jobId);
    await mkdir(dir, { recursive: true });
    const bundle = path.join(dir, 'bundle.mjs');
    await copyFile(jar.path, bundle);

    const job = new JobRecord(jobId, plan.name, plan, config, bundle, strategy, intervalMs, req.allowNonRestoredState ?? false, savepointPath);
    this.jobs.set(jobId, job);
    this.log.info({ jobId, job: plan.name, restartStrategy: strategy.description, checkpointInterval: intervalMs || null, savepoint: savepointPath },
      `Received JobGraph submission '${plan.name}' (${jobId}).`);
    this.deploy(job);
    return jobId;
  }

  /** Applies run-time overrides and reads the job's checkpointing and restart settings; bad ones are the user's (400). */
  private prepare(compiled: JobRecord['plan'], sets: string[], defines: string[]) {
    try {
      const plan = applyOverrides(compiled, { sets, defines });
      const config = this.jobConfig(plan.config);
      const intervalMs = durationOption(config, 'execution.checkpointing.interval', 0);
      const strategy = restartStrategy(config, intervalMs > 0);
      intOption(config, 'state.checkpoints.num-retained', 3, 1);
      return { plan, config, intervalMs, strategy };
    } catch (e) {
      if (e instanceof UserError) throw badRequest(e.message + (e.hint ? ` (${e.hint})` : ''));
      throw e;
    }
  }

  /** Places the job's next attempt on the taskmanager with the most free slots, or fails it for want of one. */
  private deploy(job: JobRecord): void {
    job.restartTimer = null;
    if (job.terminal || job.state === 'CANCELLING') return;
    const tm = [...this.taskManagers.values()].filter((t) => t.freeSlots > 0).sort((a, b) => b.freeSlots - a.freeSlots)[0];
    if (!tm) {
      const tms = [...this.taskManagers.values()];
      const slots = tms.reduce((s, t) => s + t.info.slots, 0);
      const free = tms.reduce((s, t) => s + t.freeSlots, 0);
      this.log.warn({ jobId: job.id }, `Could not acquire the minimum required resources, failing slot requests. Acquired: []. Current slot pool status: Registered TMs: ${tms.length}, registered slots: ${slots} free slots: ${free}`);
      this.fail(job, NO_RESOURCES, { noResources: true });
      return;
    }
    job.attempt++;
    job.taskManager = tm.id;
    job.taskState = 'DEPLOYING';
    job.waitingForResources = false;
    job.operators = [];
    tm.tasks.set(job.id, { attempt: job.attempt, delivered: false });
    const restore = job.checkpoints.restorePath;
    if (restore) {
      const isSavepoint = restore === job.savepointPath && !job.checkpoints.latestCompleted;
      job.checkpoints.counts.restored++;
      job.checkpoints.lastRestoreTimestamp = Date.now();
      job.checkpoints.restored = { id: isSavepoint ? 0 : job.checkpoints.latestCompleted!.id, restoreTimestamp: Date.now(), isSavepoint, externalPath: restore };
      this.log.info({ jobId: job.id, path: restore }, `Restoring job ${job.id} from ${isSavepoint ? 'Savepoint' : `Checkpoint ${job.checkpoints.latestCompleted!.id}`} located at ${restore}.`);
    }
    tm.push({
      type: 'deploy', jobId: job.id, attempt: job.attempt, bundle: job.bundle, plan: job.plan, config: job.config,
      restore, allowNonRestoredState: job.allowNonRestoredState,
      checkpoints: { dir: job.config['state.checkpoints.dir'], intervalMs: job.checkpointIntervalMs, nextId: job.checkpoints.nextId },
    });
    this.log.info({ jobId: job.id, attempt: job.attempt, taskManager: tm.id }, `Deploying ${job.name} (attempt #${job.attempt}) to ${tm.id} (pid ${tm.info.pid}).`);
  }

  private transition(job: JobRecord, to: JobRecord['state']): void {
    if (job.state === to) return;
    const from = job.transition(to);
    this.log.info({ jobId: job.id }, `Job ${job.name} (${job.id}) switched from state ${from} to ${to}.`);
    if (job.terminal) void this.finished(job);
  }

  /** A failure of the job's current attempt: record it, then restart per the strategy or fail the job. */
  private fail(job: JobRecord, error: ErrorInfo, opts: { noResources?: boolean } = {}): void {
    if (job.terminal) return;
    const taskName = job.plan.name;
    job.recordException(error, taskName, intOption(this.config, 'web.exception-history-size', 16, 1));
    this.release(job);
    if (error.name === 'UncommittedCheckpointError') this.discardUncommitted(job);
    for (const op of job.savepoints.values()) {
      if (op.status === 'IN_PROGRESS') completeOperation(op, null, { name: 'CheckpointException', message: `the job's task failed before the savepoint completed: ${error.message}` });
    }
    if (job.state === 'CANCELLING') return this.transition(job, 'CANCELED');
    const delay = job.strategy.onFailure(Date.now());
    if (delay === null) {
      this.log.warn({ jobId: job.id }, `${job.name} (${job.id}) failed (${error.name}: ${error.message}); the restart strategy ${job.strategy.description} allows no further restart.`);
      this.transition(job, 'FAILING');
      this.transition(job, 'FAILED');
      return;
    }
    if (!opts.noResources) this.log.warn({ jobId: job.id }, `${job.name} (${job.id}) failed: ${error.name}: ${error.message}`);
    else this.log.info({ jobId: job.id }, `${error.name}: ${error.message}`);
    this.transition(job, 'RESTARTING');
    job.numRestarts++;
    job.waitingForResources = opts.noResources === true;
    this.log.info({ jobId: job.id, delayMs: delay }, `Restarting job ${job.id} in ${delay} ms (${job.strategy.description}).`);
    job.restartTimer = setTimeout(() => this.deploy(job), delay);
  }

  /**
   * A sink found that the output of the checkpoint it was restored from was never committed (the job died
   * between storing the checkpoint and committing): that checkpoint cannot be continued from. The next
   * attempt restores the one before it, whose replay writes that output again.
   */
  private discardUncommitted(job: JobRecord): void {
    const c = job.checkpoints;
    const bad = c.latestCompleted;
    if (!bad || c.restorePath !== bad.externalPath) return;
    c.retained = c.retained.filter((id) => id !== bad.id);
    bad.discarded = true;
    void new CheckpointStorage(job.config['state.checkpoints.dir'], job.id).discard(bad.id);
    const previous = c.history.find((s) => s.status === 'COMPLETED' && !s.isSavepoint && s.id === c.retained[c.retained.length - 1]) ?? null;
    c.latestCompleted = previous;
    c.restorePath = previous?.externalPath ?? job.savepointPath;
    this.log.warn({ jobId: job.id }, `Checkpoint ${bad.id} of job ${job.id} holds output its sinks never committed: discarded; the job restores ${previous ? `checkpoint ${previous.id}` : job.savepointPath ? 'its savepoint' : 'from the start'}.`);
  }

  /** Frees the slot of the job's current attempt. */
  private release(job: JobRecord): void {
    if (job.taskManager) {
      const tm = this.taskManagers.get(job.taskManager);
      if (tm && tm.tasks.get(job.id)?.attempt === job.attempt) tm.tasks.delete(job.id);
    }
    job.taskState = null;
  }

  /** A job reached a terminal state: free its slot, fail open savepoint requests, apply checkpoint retention. */
  private async finished(job: JobRecord): Promise<void> {
    if (job.restartTimer) clearTimeout(job.restartTimer);
    job.restartTimer = null;
    this.release(job);
    for (const op of job.savepoints.values()) {
      if (op.status === 'IN_PROGRESS') completeOperation(op, null, { name: 'CheckpointException', message: `the job is ${job.state}` });
    }
    // Flink's execution.checkpointing.externalized-checkpoint-retention; sluice keeps them by default.
    const retention = job.config['execution.checkpointing.externalized-checkpoint-retention'] ?? 'RETAIN_ON_CANCELLATION';
    const discard = retention === 'NO_EXTERNALIZED_CHECKPOINTS' || (retention === 'DELETE_ON_CANCELLATION' && job.state === 'CANCELED');
    if (discard) await new CheckpointStorage(job.config['state.checkpoints.dir'], job.id).discardAll().catch(() => {});
  }

  cancel(jobId: string): void {
    const job = this.job(jobId);
    if (job.terminal) throw conflict(`Job ${jobId} is ${job.state}: it has already terminated`);
    if (job.state === 'CANCELLING') return;
    this.transition(job, 'CANCELLING');
    const tm = job.taskManager ? this.taskManagers.get(job.taskManager) : undefined;
    if (job.taskState && tm) tm.push({ type: 'cancel', jobId, attempt: job.attempt });
    else this.transition(job, 'CANCELED');
  }

  /** A savepoint (then continue or cancel) or a stop-with-savepoint; returns the trigger id. */
  async triggerSavepoint(jobId: string, targetDirectory: string | null | undefined, then: SavepointOperation['then'], drain = false, triggerId?: string | null): Promise<string> {
    const job = this.job(jobId);
    if (triggerId && job.savepoints.has(triggerId)) return triggerId;
    if (job.state !== 'RUNNING' || job.taskState !== 'RUNNING') {
      throw conflict(`Job ${jobId} is ${job.state === 'RUNNING' ? 'still deploying' : job.state}: a ${then === 'stop' ? 'stop with savepoint' : 'savepoint'} needs a RUNNING job`);
    }
    if ([...job.savepoints.values()].some((o) => o.status === 'IN_PROGRESS' && o.then !== 'continue')) {
      throw conflict(`Job ${jobId} is already being stopped or cancelled with a savepoint`);
    }
    const target = targetDirectory || job.config['state.savepoints.dir'];
    if (!target) throw badRequest('no savepoint directory: give one (targetDirectory / target-directory) or set state.savepoints.dir');
    const dir = localPath(target);
    await mkdir(dir, { recursive: true }).catch((e: Error) => { throw badRequest(`cannot use '${target}' as the savepoint directory: ${e.message}`); });
    const id = triggerId ?? newTriggerId();
    if (!HEX32.test(id)) throw badRequest(`triggerId '${id}' is not a trigger id: expected 32 hexadecimal digits`);
    job.savepoints.set(id, { triggerId: id, status: 'IN_PROGRESS', location: null, failure: null, then });
    const tm = this.taskManagers.get(job.taskManager!)!;
    tm.push({ type: 'savepoint', jobId, attempt: job.attempt, triggerId: id, targetDirectory: dir, then, drain });
    this.log.info({ jobId, triggerId: id, target: dir, then, drain }, `Triggering ${then === 'stop' ? 'stop-with-savepoint' : then === 'cancel' ? 'cancel-with-savepoint' : 'savepoint'} for job ${jobId}.`);
    return id;
  }

  savepointStatus(jobId: string, triggerId: string): SavepointOperation {
    const job = this.job(jobId);
    if (!HEX32.test(triggerId)) throw badRequest(`'${triggerId}' is not a trigger id: expected 32 hexadecimal digits`);
    const op = job.savepoints.get(triggerId);
    if (!op) throw notFound(`There is no savepoint operation with triggerId=${triggerId} for job ${jobId}`);
    return op;
  }

  // ---- taskmanagers -------------------------------------------------------------------------------------

  register(req: RegisterRequest): RegisterResponse {
    const id = `taskmanager-${req.index ?? req.pid}-${randomBytes(3).toString('hex')}`;
    const tm = new TaskManagerRecord(id, req);
    this.taskManagers.set(id, tm);
    this.log.info({ taskManager: id, pid: req.pid, slots: req.slots }, `Registering TaskManager with ResourceID ${id} (pid ${req.pid}, ${req.slots} slot${req.slots === 1 ? '' : 's'}) at ResourceManager`);
    // Jobs waiting for a slot are deployed now rather than at their next restart attempt.
    for (const job of this.jobs.values()) {
      if (job.state === 'RESTARTING' && job.waitingForResources && tm.freeSlots > 0) {
        if (job.restartTimer) clearTimeout(job.restartTimer);
        this.deploy(job);
      }
    }
    return { id, heartbeatIntervalMs: this.heartbeatIntervalMs, heartbeatTimeoutMs: this.heartbeatTimeoutMs };
  }

  taskManager(id: string): TaskManagerRecord {
    const tm = this.taskManagers.get(id);
    if (!tm) throw notFound(`TaskManager ${id} is not registered`);
    return tm;
  }

  /** A heartbeat: task metrics in, commands out (waiting up to one interval for some). */
  async heartbeat(tmId: string, tasks: TaskReport[], abort: AbortSignal): Promise<Command[]> {
    const tm = this.taskManager(tmId);
    tm.lastHeartbeat = Date.now();
    tm.connectionClosedAt = 0;
    const reported = new Set<string>();
    for (const t of tasks) {
      reported.add(t.jobId);
      const job = this.jobs.get(t.jobId);
      const placed = tm.tasks.get(t.jobId);
      if (!job || !placed || placed.attempt !== t.attempt) {
        // A task this jobmanager does not know here (an earlier attempt, an earlier jobmanager): stop it.
        const key = `${t.jobId}/${t.attempt}`;
        if (!tm.cancelled.has(key) && t.state !== 'FINISHED' && t.state !== 'CANCELED' && t.state !== 'FAILED') {
          tm.cancelled.add(key);
          this.log.info({ taskManager: tm.id, jobId: t.jobId, attempt: t.attempt }, 'cancelling a task this jobmanager did not place there');
          tm.push({ type: 'cancel', jobId: t.jobId, attempt: t.attempt });
        }
        continue;
      }
      job.operators = t.operators;
    }
    for (const [jobId, placed] of tm.tasks) {
      if (placed.delivered && !reported.has(jobId)) {
        const job = this.jobs.get(jobId);
        if (job) this.fail(job, { name: 'TaskDeploymentException', message: `TaskManager ${tm.id} does not run attempt #${placed.attempt}: the deployment was lost` });
      }
    }
    return tm.poll(this.heartbeatIntervalMs, abort);
  }

  /** The connection of a pending heartbeat closed: if no new heartbeat follows shortly, the taskmanager is gone. */
  heartbeatConnectionClosed(tmId: string): void {
    const tm = this.taskManagers.get(tmId);
    if (tm) tm.connectionClosedAt = Date.now();
  }

  deregister(tmId: string): void {
    const tm = this.taskManager(tmId);
    this.lose(tm, 'it shut down');
  }

  private checkTaskManagers(): void {
    const now = Date.now();
    for (const tm of this.taskManagers.values()) {
      if (now - tm.lastHeartbeat > this.heartbeatTimeoutMs) this.lose(tm, `The heartbeat of TaskManager with id ${tm.id} timed out.`);
      else if (tm.info.host === this.host && !processExists(tm.info.pid)) this.lose(tm, `its process (pid ${tm.info.pid}) exited`);
      else if (tm.connectionClosedAt && now - tm.connectionClosedAt > 1000 && tm.lastHeartbeat < tm.connectionClosedAt) this.lose(tm, 'its connection closed');
    }
  }

  private lose(tm: TaskManagerRecord, reason: string): void {
    if (!this.taskManagers.delete(tm.id)) return;
    this.log.warn({ taskManager: tm.id, pid: tm.info.pid }, `TaskManager ${tm.id} is lost: ${reason}`);
    for (const [jobId] of tm.tasks) {
      const job = this.jobs.get(jobId);
      if (job) this.fail(job, { name: 'TaskManagerLostException', message: `TaskManager ${tm.id} (pid ${tm.info.pid}) is lost: ${reason}` });
    }
  }

  // ---- events from tasks --------------------------------------------------------------------------------

  /** Returns whether the event was accepted (a checkpoint: whether it completed). */
  async event(tmId: string, ev: TaskEvent): Promise<boolean> {
    this.taskManager(tmId);
    const job = this.jobs.get(ev.jobId);
    const current = !!job && job.attempt === ev.attempt && job.taskManager === tmId && !job.terminal;
    switch (ev.type) {
      case 'state': {
        if (!current) return false;
        const j = job!;
        j.taskState = ev.state;
        if (ev.state === 'RUNNING') {
          if (j.state === 'CREATED' || j.state === 'RESTARTING') this.transition(j, 'RUNNING');
        } else if (ev.state === 'FINISHED') {
          this.transition(j, j.state === 'CANCELLING' ? 'CANCELED' : 'FINISHED');
        } else if (ev.state === 'CANCELED') {
          const cancelledWithSavepoint = [...j.savepoints.values()].some((o) => o.then === 'cancel' && o.status === 'COMPLETED' && o.location);
          if (j.state === 'CANCELLING' || cancelledWithSavepoint) this.transition(j, 'CANCELED');
          else this.fail(j, ev.error ?? { name: 'TaskCancelledException', message: `the task was cancelled by TaskManager ${tmId}` });
        } else if (ev.state === 'FAILED') {
          this.fail(j, ev.error ?? { name: 'Error', message: 'the task failed' });
        }
        return true;
      }
      case 'checkpoint': {
        if (!current || job!.state !== 'RUNNING') {
          await rm(ev.path, { recursive: true, force: true });
          return false;
        }
        const j = job!;
        const history = intOption(j.config, 'web.checkpoints.history', 10, 1);
        j.recordCompleted(ev.info, ev.path, ev.endToEndMs, history);
        // At least two: the previous checkpoint stays until the sinks have committed the newest one's output
        // (the task commits before its next snapshot, so by the next acceptance they have).
        const retained = Math.max(2, intOption(j.config, 'state.checkpoints.num-retained', 3, 1));
        j.checkpoints.retained = [...j.checkpoints.retained, ev.info.id].slice(-retained);
        j.markDiscarded(await new CheckpointStorage(j.config['state.checkpoints.dir'], j.id).retain(j.checkpoints.retained));
        this.log.info({ jobId: j.id, path: ev.path }, `Completed checkpoint ${ev.info.id} for job ${j.id} (${ev.info.size} bytes, checkpointDuration=${ev.endToEndMs} ms).`);
        return true;
      }
      case 'checkpoint-failed': {
        if (!current) return false;
        job!.recordFailedCheckpoint(ev.id, false, ev.error.message, intOption(job!.config, 'web.checkpoints.history', 10, 1));
        this.log.warn({ jobId: job!.id, error: ev.error.message }, `Checkpoint ${ev.id} of job ${job!.id} failed.`);
        return true;
      }
      case 'savepoint': {
        const op = job?.savepoints.get(ev.triggerId);
        if (!job || !op || op.status !== 'IN_PROGRESS') return false;
        const history = intOption(job.config, 'web.checkpoints.history', 10, 1);
        if (ev.path && ev.info) {
          job.recordCompleted(ev.info, ev.path, ev.endToEndMs ?? 0, history);
          completeOperation(op, ev.path, null);
          this.log.info({ jobId: job.id, path: ev.path }, `Savepoint stored in ${ev.path}. Now ${op.then === 'stop' ? 'stopping' : op.then === 'cancel' ? 'cancelling' : 'resuming'} the job.`);
        } else {
          const error = ev.error ?? { name: 'CheckpointException', message: 'the savepoint failed' };
          job.recordFailedCheckpoint(ev.info?.id ?? job.checkpoints.nextId, true, error.message, history);
          completeOperation(op, null, error);
          this.log.warn({ jobId: job.id, error: error.message }, `Savepoint for job ${job.id} failed.`);
        }
        return true;
      }
    }
  }
}

function completeOperation(op: SavepointOperation, location: string | null, failure: ErrorInfo | null): void {
  op.status = 'COMPLETED';
  op.location = location;
  op.failure = failure;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Flink's programArgs string: split on whitespace, with single or double quotes grouping. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
