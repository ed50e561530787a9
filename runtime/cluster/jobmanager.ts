// The jobmanager: accepts jobs, places each on a taskmanager slot, follows them through Flink's job states
// and recovers them. It never runs job code; tasks run in taskmanagers. This file wires the parts and is
// what the REST layer calls: job submission (job-submission.ts), the job lifecycle and restarts
// (job-lifecycle.ts, slot-pool.ts), checkpoint acceptance and retention (checkpoint-coordinator.ts),
// savepoint triggers (savepoint-triggers.ts) and the taskmanagers' registration and heartbeats
// (taskmanager-tracker.ts). Task events are dispatched here after fencing off stale attempts. Every job is
// kept in the job store (job-store.ts) and recovered by a restarted jobmanager.
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../core/log.js';
import { durationOption } from '../core/options.js';
import { maxParallelismOf } from '../exec/key-groups.js';
import { snapshotLayout } from '../exec/redistribute.js';
import { CheckpointCoordinator } from './checkpoint-coordinator.js';
import type { ClusterPaths } from './cluster-dir.js';
import type { Config } from './config.js';
import { badRequest, conflict, notFound } from './errors.js';
import { HEX32, newTriggerId } from './ids.js';
import { JarStore } from './jars.js';
import { JobLifecycle } from './job-lifecycle.js';
import { JobRecord, type SavepointOperation } from './job-record.js';
import { taskEnded } from './attempt-drain.js';
import { applyStatus, JobStore, type StoredJob } from './job-store.js';
import { JobSubmission, type RunJarRequest } from './job-submission.js';
import { restartStrategy } from './restart-strategy.js';
import type { Command, RegisterRequest, RegisterResponse, TaskEvent, TaskReport } from './protocol.js';
import { SavepointTriggers } from './savepoint-triggers.js';
import { SlotPool } from './slot-pool.js';
import type { TaskManagerRecord } from './taskmanager-registry.js';
import { TaskManagerTracker } from './taskmanager-tracker.js';

export class JobManager {
  readonly jars: JarStore;
  readonly jobs = new Map<string, JobRecord>();
  readonly startedAt = Date.now();
  private readonly tracker: TaskManagerTracker;
  private readonly lifecycle: JobLifecycle;
  private readonly checkpoints: CheckpointCoordinator;
  private readonly savepoints: SavepointTriggers;
  private readonly submission: JobSubmission;
  private readonly store: JobStore;

  constructor(readonly paths: ClusterPaths, readonly config: Config, readonly log: Logger) {
    this.jars = new JarStore(paths.jarsDir);
    const heartbeats = { intervalMs: durationOption(config, 'heartbeat.interval', 1000), timeoutMs: durationOption(config, 'heartbeat.timeout', 5000) };
    // The tracker tells the lifecycle about registrations and losses; the lifecycle needs the tracker's map.
    let lifecycle: JobLifecycle | null = null;
    this.tracker = new TaskManagerTracker(this.jobs, heartbeats, {
      registered: (tm) => lifecycle!.registered(tm),
      attemptLost: (job, error) => lifecycle!.attemptLost(job, error),
      reported: (tm, tasks) => lifecycle!.reported(tm, tasks),
      lost: (tm) => lifecycle!.lost(tm),
    }, log);
    const tms = this.tracker.taskManagers;
    this.store = new JobStore(paths.jobsDir, log);
    this.checkpoints = new CheckpointCoordinator(log, this.store);
    this.savepoints = new SavepointTriggers(tms, config, log);
    this.lifecycle = lifecycle = new JobLifecycle(this.jobs, new SlotPool(tms), tms, this.checkpoints, this.savepoints, config, log);
    this.submission = new JobSubmission(this.jars, paths, config, log);
  }

  /** The registered taskmanagers by id. */
  get taskManagers(): ReadonlyMap<string, TaskManagerRecord> {
    return this.tracker.taskManagers;
  }

  async open(): Promise<void> {
    await this.jars.open();
    await mkdir(this.paths.jobsDir, { recursive: true });
    for (const stored of await this.store.recover()) await this.recover(stored);
    this.tracker.start();
  }

  /**
   * A job an earlier jobmanager had, as Flink's HA recovery does: a terminated one is shown as it ended; one
   * being cancelled is cancelled; any other is deployed again as soon as taskmanagers (re)register, from its
   * latest completed checkpoint (else the savepoint it started from, else the start).
   */
  private async recover({ definition: d, status }: StoredJob): Promise<void> {
    const job = new JobRecord(d.id, d.name, d.plan, d.config, d.bundle, restartStrategy(d.config, d.checkpointIntervalMs > 0),
      d.checkpointIntervalMs, d.allowNonRestoredState, d.savepointPath);
    job.startTime = d.startTime;
    if (status) applyStatus(job, status);
    for (const op of job.savepoints.values()) {
      if (op.status === 'IN_PROGRESS') Object.assign(op, { status: 'COMPLETED', location: null, failure: { name: 'CheckpointException', message: 'the jobmanager was restarted before the savepoint completed' } });
    }
    this.store.watch(job);
    if (job.terminal) {
      this.jobs.set(job.id, job);
      // Its internal topics, if the jobmanager died before they were deleted.
      void this.lifecycle.dropInternalTopics(job);
      return;
    }
    const was = job.state;
    await this.checkpoints.recovered(job);
    const from = job.checkpoints.restorePath ?? 'the start';
    if (was === 'CANCELLING' || was === 'FAILING') {
      job.transition(was === 'CANCELLING' ? 'CANCELED' : 'FAILED');
      this.jobs.set(job.id, job);
      await this.checkpoints.jobTerminated(job);
      void this.lifecycle.dropInternalTopics(job);
    } else {
      job.transition('RESTARTING');
      this.lifecycle.submit(job);
    }
    this.log.info({ jobId: job.id, state: was, restore: from }, `Recovered job ${job.name} (${job.id}) from the job store: it was ${was}${job.terminal ? `, now ${job.state}` : `; it restarts from ${from}`}.`);
  }

  close(): void {
    this.tracker.stop();
    this.lifecycle.close();
  }

  // ---- the REST API's calls -----------------------------------------------------------------------------

  job(jobId: string): JobRecord {
    if (!HEX32.test(jobId)) throw badRequest(`'${jobId}' is not a job id: expected 32 hexadecimal digits`);
    const job = this.jobs.get(jobId);
    if (!job) throw notFound(`Job ${jobId} not found`);
    return job;
  }

  async runJar(jarId: string, req: RunJarRequest): Promise<string> {
    const job = await this.submission.build(jarId, req, (id) => this.jobs.has(id));
    // Stored before it runs and before the submission is answered: a jobmanager killed from here on recovers it.
    try {
      await this.store.create(job);
    } catch (e) {
      await this.store.remove(job.id).catch(() => {});
      throw e;
    }
    this.store.watch(job);
    this.lifecycle.submit(job);
    return job.id;
  }

  cancel(jobId: string): void {
    this.lifecycle.cancel(this.job(jobId));
  }

  /** A savepoint (then continue or cancel) or a stop-with-savepoint; returns the trigger id. */
  triggerSavepoint(jobId: string, targetDirectory: string | null | undefined, then: SavepointOperation['then'], drain = false, triggerId?: string | null): Promise<string> {
    return this.savepoints.trigger(this.job(jobId), targetDirectory, then, drain, triggerId);
  }

  /**
   * Rescales a running job (PUT /jobs/:jobid/resource-requirements): a stop-with-savepoint, then the job's next
   * attempt at `parallelism` restored from it (job-lifecycle.ts redeployAt). Refused up front when its state
   * could not be split at another parallelism (a source without a split assignment, as redistribute.ts says).
   */
  async rescale(jobId: string, parallelism: number): Promise<void> {
    const job = this.job(jobId);
    if (job.rescaling) throw conflict(`Job ${job.id} is being rescaled to parallelism ${job.rescaling.to} already`);
    if (parallelism === job.parallelism) return;
    const max = maxParallelismOf(job.plan.config);
    if (parallelism > max) throw badRequest(`parallelism ${parallelism} is above the job's pipeline.max-parallelism ${max}`);
    for (const [id, source] of snapshotLayout(job.plan).sources) {
      if (!source.splits) {
        throw badRequest(`job ${job.id} cannot be rescaled: source ${id} (connector '${source.connector}') has no split assignment that carries its position to another parallelism (docs/operations.md, Scaling out)`);
      }
    }
    // Marked before the trigger: the task's answer can never find the job without it.
    const triggerId = newTriggerId();
    job.rescaling = { to: parallelism, triggerId };
    try {
      await this.savepoints.trigger(job, null, 'stop', false, triggerId);
    } catch (e) {
      job.rescaling = null;
      throw e;
    }
  }

  savepointStatus(jobId: string, triggerId: string): SavepointOperation {
    return this.savepoints.status(this.job(jobId), triggerId);
  }

  // ---- the taskmanager protocol's calls -----------------------------------------------------------------

  register(req: RegisterRequest): RegisterResponse {
    return this.tracker.register(req);
  }

  taskManager(id: string): TaskManagerRecord {
    return this.tracker.get(id);
  }

  heartbeat(tmId: string, tasks: TaskReport[], abort: AbortSignal): Promise<Command[]> {
    return this.tracker.heartbeat(tmId, tasks, abort);
  }

  heartbeatConnectionClosed(tmId: string): void {
    this.tracker.connectionClosed(tmId);
  }

  deregister(tmId: string): void {
    this.tracker.deregister(tmId);
  }

  /** An event from a task; returns whether it was accepted (a checkpoint: whether it completed). */
  async event(tmId: string, ev: TaskEvent): Promise<boolean> {
    this.tracker.get(tmId);
    const job = this.jobs.get(ev.jobId);
    // Only the current attempt, where it was placed, speaks for the job; a failed one (released, its tasks
    // being cancelled before the next deploys) no longer does.
    const live = !!job && job.attempt === ev.attempt && !job.terminal && job.taskState !== null;
    const current = live && job.taskManager === tmId;
    // A taskmanager with some of the attempt's subtasks (not subtask 0): only its state counts.
    const helper = live && !current && job.placements.some((p) => p.taskManager === tmId);
    switch (ev.type) {
      case 'state':
        if (helper) {
          this.lifecycle.helperStateChanged(job!, ev.state, ev.error, tmId);
          return true;
        }
        // A failed attempt's task that ended: the next attempt may be waiting for it (attempt-drain.ts).
        if (!current && job && taskEnded(ev.state)) this.lifecycle.attemptEnded(job, tmId, ev.attempt);
        if (!current) return false;
        this.lifecycle.taskStateChanged(job!, ev.state, ev.error, tmId);
        return true;
      case 'checkpoint':
        return this.checkpoints.acknowledge(job, current, ev.info, ev.sha256, ev.endToEndMs);
      case 'checkpoint-committed':
        if (!current) return false;
        await this.checkpoints.committed(job!, ev.id);
        return true;
      case 'checkpoint-failed':
        if (!current) return false;
        this.checkpoints.failed(job!, ev.id, ev.error.message);
        return true;
      case 'savepoint':
        return this.savepoints.completed(job, ev);
      default: {
        const never: never = ev;
        throw new Error(`unknown task event ${JSON.stringify(never)}`);
      }
    }
  }
}
