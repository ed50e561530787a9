// A job through Flink's job states: deployment of each attempt into slots (waiting for them when none are
// free), the task's reported states, cancellation, and failures. A failure (a task that failed, a taskmanager
// that died, no slots within slot.request.timeout) goes to the job's restart strategy: RESTARTING and a new
// attempt after the strategy's delay, or FAILED.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/log.js';
import { deleteTopics, exchangeProperties } from '../exec/parallel/kafka-transport.js';
import { durationOption, intOption } from '../core/options.js';
import { cancelAttempt, stoppedIn } from './attempt-drain.js';
import { namePoisonRecord } from './poison-record.js';
import type { Config } from './config.js';
import type { CheckpointCoordinator } from './checkpoint-coordinator.js';
import { conflict } from './errors.js';
import type { JobRecord, JobState } from './job-record.js';
import type { ErrorInfo, TaskReport, TaskState } from './protocol.js';
import type { SavepointTriggers } from './savepoint-triggers.js';
import { DEFAULT_SLOT_REQUEST_TIMEOUT_MS, type SlotPool } from './slot-pool.js';
import type { TaskManagerListener } from './taskmanager-tracker.js';
import type { TaskManagerRecord } from './taskmanager-registry.js';

const NO_RESOURCES: ErrorInfo = {
  name: 'NoResourceAvailableException',
  message: 'Could not acquire the minimum required resources.',
};

/** Failures of an attempt's restore point, by error name: why the attempt cannot continue from it. */
const RESTORE_FAILURES: Record<string, string> = {
  UncommittedCheckpointError: 'holds output its sinks never committed',
  UnreadableCheckpointError: 'cannot be read',
};

export class JobLifecycle implements TaskManagerListener {
  constructor(
    private readonly jobs: Map<string, JobRecord>,
    private readonly slots: SlotPool,
    private readonly taskManagers: ReadonlyMap<string, TaskManagerRecord>,
    private readonly checkpoints: CheckpointCoordinator,
    private readonly savepoints: SavepointTriggers,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** A new job: registered and its first attempt deployed. */
  submit(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.deploy(job);
  }

  /** Stops pending restarts (the jobmanager shuts down). */
  close(): void {
    for (const job of this.jobs.values()) if (job.restartTimer) clearTimeout(job.restartTimer);
  }

  /**
   * Whether the job's subtasks may run on several taskmanagers: their exchanges across processes need a
   * Kafka cluster (its tables', or exchange.kafka.bootstrap-servers); a job without one needs one taskmanager.
   */
  private spreadable(job: JobRecord): Record<string, string> | null {
    if (job.parallelism < 2) return null;
    try {
      return exchangeProperties(job.plan, job.config);
    } catch {
      return null;
    }
  }

  /** Places the job's next attempt in free slots, or makes it wait for them. */
  private deploy(job: JobRecord): void {
    job.restartTimer = null;
    if (job.terminal || job.state === 'CANCELLING') return;
    if (job.draining) {
      if (!job.draining.deployDue) this.log.info({ jobId: job.id, attempt: job.draining.attempt, taskManagers: [...job.draining.hosts] }, `${job.name} (${job.id}) waits for attempt #${job.draining.attempt} to be cancelled on ${[...job.draining.hosts].join(', ')} before deploying the next one.`);
      job.draining.deployDue = true;
      return;
    }
    const properties = this.spreadable(job);
    const placements = this.slots.allocate(job, job.attempt + 1, properties !== null);
    if (!placements) return this.waitForSlots(job);
    job.attempt++;
    const tm = placements[0].tm;
    job.taskManager = tm.id;
    job.placements = placements.length > 1 ? placements.map((p) => ({ taskManager: p.tm.id, subtasks: p.subtasks })) : [];
    job.taskState = 'DEPLOYING';
    job.waitingForResources = null;
    job.operators = [];
    job.subtaskOperators = [];
    const restore = this.checkpoints.restoreFor(job);
    const command = {
      type: 'deploy' as const, jobId: job.id, attempt: job.attempt, bundle: job.bundle, plan: job.plan, config: job.config,
      restore, allowNonRestoredState: job.allowNonRestoredState, parallelism: job.parallelism,
      checkpoints: { dir: job.config['state.checkpoints.dir'], intervalMs: job.checkpointIntervalMs, nextId: job.checkpoints.nextId },
    };
    if (placements.length === 1) {
      tm.push(command);
      this.log.info({ jobId: job.id, attempt: job.attempt, taskManager: tm.id }, `Deploying ${job.name} (attempt #${job.attempt}) to ${tm.id} (pid ${tm.info.pid}).`);
    } else {
      this.recordInternalTopics(job, properties!);
      // A new epoch per attempt: the internal topics' readers skip what an earlier attempt still writes.
      const exchange = { jobId: job.id, epoch: `${job.attempt}-${randomBytes(4).toString('hex')}`, parallelism: job.parallelism, properties: properties! };
      for (const p of placements) p.tm.push({ ...command, subtasks: p.subtasks, exchange });
      this.log.info({ jobId: job.id, attempt: job.attempt, epoch: exchange.epoch }, `Deploying ${job.name} (attempt #${job.attempt}) to ${placements.map((p) => `${p.tm.id} (subtasks ${p.subtasks.join(', ')})`).join(', ')}; subtask 0 coordinates, exchanges between taskmanagers go through Kafka.`);
    }
    this.placeWaiting();
  }

  /**
   * No taskmanager has the slots: the attempt waits for them, as Flink's slot requests do, up to
   * slot.request.timeout; then it fails with NoResourceAvailableException and the restart strategy decides.
   */
  private waitForSlots(job: JobRecord): void {
    const timeoutMs = durationOption(job.config, 'slot.request.timeout', DEFAULT_SLOT_REQUEST_TIMEOUT_MS);
    const since = Date.now();
    job.waitingForResources = { since, deadline: since + timeoutMs, reason: this.slots.reason(job, this.spreadable(job) !== null) };
    this.log.warn({ jobId: job.id, slotRequestTimeoutMs: timeoutMs }, `${job.name} (${job.id}) is ${job.waitingForResources.reason}. It waits up to slot.request.timeout (${timeoutMs} ms).`);
    job.restartTimer = setTimeout(() => {
      job.restartTimer = null;
      job.waitingForResources = null;
      this.log.warn({ jobId: job.id }, `Could not acquire the minimum required resources, failing slot requests. Acquired: []. Current slot pool status: ${this.slots.status()}`);
      this.fail(job, NO_RESOURCES, { noResources: true });
    }, timeoutMs);
  }

  /** Slots freed up or a taskmanager registered: jobs waiting for slots are placed, longest waiting first. */
  private placeWaiting(): void {
    const waiting = [...this.jobs.values()].filter((j) => j.waitingForResources && !j.terminal)
      .sort((a, b) => a.waitingForResources!.since - b.waitingForResources!.since);
    for (const job of waiting) {
      if (!job.waitingForResources) continue;
      const spread = this.spreadable(job) !== null;
      if (this.slots.fits(job, spread)) {
        if (job.restartTimer) clearTimeout(job.restartTimer);
        this.deploy(job);
      } else job.waitingForResources.reason = this.slots.reason(job, spread);
    }
  }

  /** A taskmanager registered: jobs waiting for slots are deployed at once. */
  registered(_tm: TaskManagerRecord): void {
    this.placeWaiting();
  }

  attemptLost(job: JobRecord, error: ErrorInfo): void {
    this.fail(job, error);
  }

  /** A taskmanager running some of the attempt's subtasks (not the coordinator) reports their state. */
  helperStateChanged(job: JobRecord, state: TaskState, error: ErrorInfo | undefined, tmId: string): void {
    // The attempt has failed already (its hosts' cancellation follows): nothing more to decide.
    if (job.taskState === null) return;
    // Running, or finished with the job: the coordinator speaks for the job. Anything else ends the attempt.
    if (state === 'FINISHED') {
      // Its subtasks ended with their input: its slots are free, and its heartbeats no longer carry the task.
      const tm = this.taskManagers.get(tmId);
      if (tm?.tasks.get(job.id)?.attempt === job.attempt) tm.tasks.delete(job.id);
      this.placeWaiting();
    } else if (state === 'FAILED' || (state === 'CANCELED' && job.state !== 'CANCELLING')) {
      this.fail(job, error ?? { name: 'TaskCancelledException', message: `the subtasks on TaskManager ${tmId} were cancelled` }, {}, tmId);
    }
  }

  private transition(job: JobRecord, to: JobState): void {
    if (job.state === to) return;
    const from = job.transition(to);
    this.log.info({ jobId: job.id }, `Job ${job.name} (${job.id}) switched from state ${from} to ${to}.`);
    if (job.terminal) void this.finished(job);
  }

  /** The task of the job's current attempt reports a state. */
  taskStateChanged(job: JobRecord, state: TaskState, error: ErrorInfo | undefined, tmId: string): void {
    job.taskState = state;
    switch (state) {
      case 'DEPLOYING':
        return;
      case 'RUNNING':
        if (job.state === 'CREATED' || job.state === 'RESTARTING') this.transition(job, 'RUNNING');
        return;
      case 'FINISHED': {
        const location = job.rescaling && job.state === 'RUNNING' ? job.savepoints.get(job.rescaling.triggerId)?.location : null;
        if (location) return this.redeployAt(job, job.rescaling!.to, location);
        job.rescaling = null;
        return this.transition(job, job.state === 'CANCELLING' ? 'CANCELED' : 'FINISHED');
      }
      case 'CANCELED': {
        const cancelledWithSavepoint = [...job.savepoints.values()].some((o) => o.then === 'cancel' && o.status === 'COMPLETED' && o.location);
        if (job.state === 'CANCELLING' || cancelledWithSavepoint) return this.transition(job, 'CANCELED');
        return this.fail(job, error ?? { name: 'TaskCancelledException', message: `the task was cancelled by TaskManager ${tmId}` }, {}, tmId);
      }
      case 'FAILED':
        return this.fail(job, error ?? { name: 'Error', message: 'the task failed' }, {}, tmId);
      default: {
        const never: never = state;
        throw new Error(`unknown task state ${String(never)}`);
      }
    }
  }

  /**
   * The second half of a rescale: the attempt stopped at the savepoint `location`; the job goes RESTARTING (as
   * Flink's adaptive scheduler does) and its next attempt runs at `parallelism`, restored from that savepoint,
   * whose state redistribute.ts splits among the new subtasks. Not a failure: no restart is counted.
   */
  private redeployAt(job: JobRecord, parallelism: number, location: string): void {
    job.rescaling = null;
    this.release(job);
    this.log.info({ jobId: job.id, from: job.parallelism, to: parallelism, savepoint: location }, `Rescaling job ${job.id} from parallelism ${job.parallelism} to ${parallelism}, restoring from ${location}.`);
    job.parallelism = parallelism;
    job.checkpoints.restorePath = location;
    this.transition(job, 'RESTARTING');
    this.deploy(job);
  }

  /**
   * A failure of the job's current attempt: record it, cancel the attempt's tasks still running (on every
   * taskmanager but `endedOn`, whose task reported its end), then restart per the strategy or fail the job.
   */
  private fail(job: JobRecord, error: ErrorInfo, opts: { noResources?: boolean } = {}, endedOn: string | null = null): void {
    if (job.terminal) return;
    if (job.taskState !== null) job.draining = cancelAttempt(job, this.taskManagers, endedOn);
    // A restore point the attempt could not continue from is skipped; the exception says what happens instead.
    const why = RESTORE_FAILURES[error.name];
    const skipped = why ? this.checkpoints.skipRestorePoint(job, why) : null;
    const recorded = !why ? namePoisonRecord(job.exceptions, error)
      : { ...error, message: `${error.message} (${skipped ?? 'the job was started from it and has no other restore point'})` };
    job.recordException(recorded, job.plan.name, intOption(this.config, 'web.exception-history-size', 16, 1));
    this.release(job);
    this.savepoints.abortOpen(job, `the job's task failed before the savepoint completed: ${error.message}`);
    if (job.state === 'CANCELLING') return this.transition(job, 'CANCELED');
    const delay = why && skipped === null ? null : job.strategy.onFailure(Date.now());
    if (delay === null) {
      const reason = why && skipped === null ? 'it has no other restore point' : `the restart strategy ${job.strategy.description} allows no further restart`;
      this.log.warn({ jobId: job.id }, `${job.name} (${job.id}) failed (${error.name}: ${error.message}); ${reason}.`);
      this.transition(job, 'FAILING');
      this.transition(job, 'FAILED');
      return;
    }
    if (!opts.noResources) this.log.warn({ jobId: job.id }, `${job.name} (${job.id}) failed: ${error.name}: ${error.message}`);
    else this.log.info({ jobId: job.id }, `${error.name}: ${error.message}`);
    this.transition(job, 'RESTARTING');
    job.numRestarts++;
    this.log.info({ jobId: job.id, delayMs: delay }, `Restarting job ${job.id} in ${delay} ms (${job.strategy.description}).`);
    job.restartTimer = setTimeout(() => this.deploy(job), delay);
  }

  /**
   * A taskmanager's task of attempt `attempt` ended (its final state, or a heartbeat without it running), or
   * the taskmanager is gone: once no task of a failed attempt is left, the next attempt may deploy.
   */
  attemptEnded(job: JobRecord, tmId: string, attempt: number): void {
    const d = job.draining;
    if (!d || d.attempt !== attempt || !d.hosts.delete(tmId) || d.hosts.size) return;
    job.draining = null;
    this.log.info({ jobId: job.id, attempt, waitedMs: Date.now() - d.since }, `Attempt #${attempt} of ${job.name} (${job.id}) is cancelled on every taskmanager.`);
    if (d.deployDue) this.deploy(job);
  }

  /** A heartbeat's task reports: a draining attempt it no longer runs is acknowledged. */
  reported(tm: TaskManagerRecord, tasks: TaskReport[]): void {
    for (const job of this.jobs.values()) {
      if (job.draining?.hosts.has(tm.id) && stoppedIn(job.draining, job.id, tasks)) this.attemptEnded(job, tm.id, job.draining.attempt);
    }
  }

  /** A taskmanager is lost: nothing of it is waited for any longer. */
  lost(tm: TaskManagerRecord): void {
    for (const job of this.jobs.values()) if (job.draining?.hosts.has(tm.id)) this.attemptEnded(job, tm.id, job.draining.attempt);
  }

  /** Frees the slots of the job's current attempt; a job waiting for slots may take them. */
  private release(job: JobRecord): void {
    this.slots.release(job);
    job.taskState = null;
    this.placeWaiting();
  }

  /** A job reached a terminal state: free its slot, fail open savepoint requests, apply checkpoint retention. */
  private async finished(job: JobRecord): Promise<void> {
    if (job.restartTimer) clearTimeout(job.restartTimer);
    job.restartTimer = null;
    job.waitingForResources = null;
    job.draining = null;
    this.release(job);
    this.savepoints.abortOpen(job, `the job is ${job.state}`);
    await this.checkpoints.jobTerminated(job);
    await this.dropInternalTopics(job);
  }

  /**
   * The attempt's taskmanagers create the job's internal topics for its parallelism (kafka-transport.ts): which
   * ones is stored with the job's status, so that they go with the job also when a restarted jobmanager ends it.
   * (A jobmanager killed between this deploy and the status write recovers the job and deploys it again, at
   * the same parallelism: that attempt records them.)
   */
  private recordInternalTopics(job: JobRecord, properties: Record<string, string>): void {
    const known = job.internalTopics?.parallelisms ?? [];
    if (known.includes(job.parallelism)) return;
    job.internalTopics = { properties, parallelisms: [...known, job.parallelism] };
    job.onChange?.();
  }

  /** Deletes a terminated job's internal topics, if it has any left (a restarted jobmanager retries what failed). */
  async dropInternalTopics(job: JobRecord): Promise<void> {
    const topics = job.internalTopics;
    if (!topics) return;
    try {
      await deleteTopics(job.id, topics.parallelisms, topics.properties, this.log);
      job.internalTopics = null;
      job.onChange?.();
    } catch (e) {
      this.log.warn({ jobId: job.id, error: (e as Error).message }, `the internal topics of job ${job.id} could not be deleted: ${(e as Error).message}`);
    }
  }

  cancel(job: JobRecord): void {
    if (job.terminal) throw conflict(`Job ${job.id} is ${job.state}: it has already terminated`);
    if (job.state === 'CANCELLING') return;
    this.transition(job, 'CANCELLING');
    const tm = job.taskManager ? this.taskManagers.get(job.taskManager) : undefined;
    if (job.taskState && tm) {
      tm.push({ type: 'cancel', jobId: job.id, attempt: job.attempt });
      for (const p of job.placements) if (p.taskManager !== tm.id) this.taskManagers.get(p.taskManager)?.push({ type: 'cancel', jobId: job.id, attempt: job.attempt });
    } else this.transition(job, 'CANCELED');
  }
}
