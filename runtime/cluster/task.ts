// One attempt of a job inside a taskmanager (in a task thread, see task-thread.ts): imports the job's bundle,
// runs its plan with a JobRunner, takes a checkpoint every `execution.checkpointing.interval` and reports it to the jobmanager
// (sources commit, e.g. Kafka offsets, only once the jobmanager has accepted it), takes savepoints on
// request (then continues, cancels, or stops), and reports its state. Snapshots run one at a time.
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { CompiledBundle } from '../core/bundle.js';
import * as functions from '../core/functions.js';
import type { Logger } from '../core/log.js';
import { udfFunctions } from '../core/udf.js';
import { JobRunner, type JobRun } from '../exec/job-runner.js';
import { ParallelRunner } from '../exec/parallel/parallel-runner.js';
import { SubtaskHost } from '../exec/parallel/subtask-host.js';
import { CheckpointStorage, completeSnapshot, readCheckpoint, writeSavepoint } from '../state/checkpoint-storage.js';
import { errorInfo, type DeployCommand, type ErrorInfo, type SavepointCommand, type TaskEvent, type TaskReport, type TaskState } from './protocol.js';
import { TaskMetrics } from './task-metrics.js';

export interface TaskHost {
  log: Logger;
  /** Sends an event to the jobmanager, in order, retried until delivered; resolves with whether it was accepted. */
  send(event: TaskEvent): Promise<boolean>;
}

export class Task {
  state: TaskState = 'DEPLOYING';
  readonly log: Logger;
  private runner: JobRun | null = null;
  private readonly controller = new AbortController();
  private cancelled = false;
  /** Set by a savepoint that ends the job (cancel-job, stop): how the run's end is reported. */
  private ending: 'cancel' | 'stop' | null = null;
  private ops: Promise<void> = Promise.resolve();
  private nextId: number;
  private timer: NodeJS.Timeout | null = null;
  /** The runner returned: nothing is left to snapshot. */
  private runDone = false;
  /** Set when a sink could not commit a checkpoint's output: the job fails (and restarts from a checkpoint). */
  private failure: unknown = null;
  private readonly metrics: TaskMetrics;
  /** Per subtask at parallelism > 1 (each keeps its own previous sample for its rates). */
  private readonly subtaskMetrics: TaskMetrics[] = [];
  private readonly storage: CheckpointStorage;
  private readonly operatorIds: string[];

  constructor(readonly cmd: DeployCommand, private readonly host: TaskHost) {
    this.log = host.log.child({ jobId: cmd.jobId, attempt: cmd.attempt });
    this.nextId = cmd.checkpoints.nextId;
    this.metrics = new TaskMetrics(cmd.plan);
    this.storage = new CheckpointStorage(cmd.checkpoints.dir, cmd.jobId);
    this.operatorIds = cmd.plan.nodes.map((n) => n.id);
  }

  get jobId(): string {
    return this.cmd.jobId;
  }

  get attempt(): number {
    return this.cmd.attempt;
  }

  get ended(): boolean {
    return this.state === 'FINISHED' || this.state === 'CANCELED' || this.state === 'FAILED';
  }

  report(): TaskReport {
    const views = this.runner instanceof ParallelRunner ? this.runner.subtaskViews() : null;
    return {
      jobId: this.jobId, attempt: this.attempt, state: this.state, operators: this.metrics.sample(this.runner),
      ...(views ? { subtasks: views.map((v, i) => (this.subtaskMetrics[i] ??= new TaskMetrics(this.cmd.plan)).sample(v)) } : {}),
    };
  }

  /** Runs the attempt to its end and reports every state change; never rejects. */
  async run(): Promise<void> {
    let error: unknown = null;
    try {
      const runner = await this.load();
      if (runner) {
        this.runner = runner;
        const done = runner.run();
        // RUNNING once sources and sinks are open; a run that fails while opening them never was.
        const opened = await Promise.race([runner.started.then(() => true), done.then(() => true, () => false)]);
        if (opened && !this.cancelled) {
          this.setState('RUNNING');
          this.log.info(`${this.cmd.plan.name} (attempt #${this.attempt}) switched from DEPLOYING to RUNNING.`);
          this.scheduleCheckpoint();
        }
        await done;
      }
    } catch (e) {
      this.runDone = true;
      error = e;
    } finally {
      this.runDone = true;
      if (this.timer) clearTimeout(this.timer);
      // A savepoint that stopped the job reports before the job's end does.
      await this.ops.catch(() => {});
    }
    if (this.failure !== null) error = this.failure;
    if (this.cancelled && this.failure === null) this.finish('CANCELED');
    else if (error !== null) {
      this.log.error({ err: error }, `${this.cmd.plan.name} (attempt #${this.attempt}) failed`);
      this.finish('FAILED', errorInfo(error));
    } else this.finish(this.ending === 'cancel' ? 'CANCELED' : 'FINISHED');
  }

  /** Imports the bundle and opens the snapshot to restore; null when cancelled meanwhile. */
  private async load(): Promise<JobRun | null> {
    const mod = (await import(pathToFileURL(this.cmd.bundle).href)) as { job?: CompiledBundle };
    if (!mod.job || typeof mod.job.factory !== 'function') throw new Error(`${this.cmd.bundle} is not a sluice bundle`);
    // The bundle's UDF modules registered their functions in this thread's registry when imported.
    const udfs = udfFunctions(this.cmd.plan.udfs);
    const restore = this.cmd.restore ? (await readCheckpoint(this.cmd.restore)).snapshot : null;
    // An earlier attempt cut off mid-checkpoint may have left a directory the jobmanager never heard of.
    this.nextId = Math.max(this.nextId, (await this.storage.highestId()) + 1);
    if (this.cancelled) return null;
    const options = { log: this.log, signal: this.controller.signal, restore, allowNonRestoredState: this.cmd.allowNonRestoredState };
    // Parallel subtasks are threads of this task's thread, each importing the bundle (exec/parallel/).
    const parallelism = this.cmd.parallelism ?? 1;
    const { subtasks, exchange } = this.cmd;
    // Spread over taskmanagers: subtask 0's task coordinates; the others host their subtasks for it.
    if (subtasks && exchange && !subtasks.includes(0)) {
      return new SubtaskHost(this.cmd.plan, { ...options, parallelism, bundle: this.cmd.bundle, hosted: subtasks, transport: exchange });
    }
    const placement = subtasks && exchange ? { hosted: subtasks, transport: exchange } : undefined;
    if (parallelism > 1) return new ParallelRunner(this.cmd.plan, { ...options, parallelism, bundle: this.cmd.bundle, placement });
    return new JobRunner(this.cmd.plan, { ...options, code: mod.job.factory({ fn: functions }, udfs) });
  }

  /** Fails the running job from outside its run (a sink's commit failed). */
  private fail(e: unknown): void {
    if (this.failure !== null || this.ended) return;
    this.log.error({ err: e }, 'a sink could not commit a checkpoint\'s output: failing the job');
    this.failure = e;
    this.controller.abort();
  }

  cancel(): void {
    if (this.ended || this.cancelled) return;
    this.log.info(`cancelling ${this.cmd.plan.name} (attempt #${this.attempt})`);
    this.cancelled = true;
    this.controller.abort();
  }

  private setState(state: TaskState, error?: ErrorInfo): void {
    this.state = state;
    void this.host.send({ type: 'state', jobId: this.jobId, attempt: this.attempt, state, ...(error ? { error } : {}) });
  }

  private finish(state: TaskState, error?: ErrorInfo): void {
    this.log.info(`${this.cmd.plan.name} (attempt #${this.attempt}) switched to ${state}.`);
    this.setState(state, error);
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    this.ops = this.ops.then(op, op);
    return this.ops;
  }

  private scheduleCheckpoint(): void {
    // Checkpoints of a job spread over taskmanagers are taken by the task holding subtask 0.
    if (this.cmd.subtasks && !this.cmd.subtasks.includes(0)) return;
    const interval = this.cmd.checkpoints.intervalMs;
    if (!interval || this.ended || this.cancelled) return;
    this.timer = setTimeout(() => void this.enqueue(() => this.checkpoint()).finally(() => this.scheduleCheckpoint()), interval);
  }

  private async checkpoint(): Promise<void> {
    const runner = this.runner;
    if (this.state !== 'RUNNING' || this.ending || this.cancelled || this.runDone || !runner) return;
    const id = this.nextId++;
    const started = Date.now();
    try {
      // Serialized while the sources are parked: nothing can change the state under it.
      let text = '';
      const snap = await runner.snapshot({ persist: async (s) => { text = JSON.stringify(s); } });
      const durationMs = Date.now() - started;
      const stored = await this.storage.write({ id, jobName: this.cmd.plan.name, timestamp: started, durationMs, operatorIds: this.operatorIds }, text);
      const accepted = await this.host.send({ type: 'checkpoint', jobId: this.jobId, attempt: this.attempt, info: stored.info, sha256: stored.sha256, endToEndMs: Date.now() - started });
      // Only a checkpoint the jobmanager completed is one a restore can come back to: only its output is committed.
      if (!accepted) return;
      const committed = await runner.checkpointComplete(snap).then(() => true, (e) => { this.fail(e); return false; });
      if (committed) void this.host.send({ type: 'checkpoint-committed', jobId: this.jobId, attempt: this.attempt, id });
    } catch (e) {
      if (this.state !== 'RUNNING' || this.cancelled) return;
      this.log.warn({ err: e }, `checkpoint ${id} failed`);
      void this.host.send({ type: 'checkpoint-failed', jobId: this.jobId, attempt: this.attempt, id, error: errorInfo(e) });
    }
  }

  savepoint(cmd: SavepointCommand): void {
    void this.enqueue(async () => {
      const base = { type: 'savepoint' as const, jobId: this.jobId, attempt: this.attempt, triggerId: cmd.triggerId };
      const runner = this.runner;
      if (this.state !== 'RUNNING' || this.ending || this.cancelled || this.runDone || !runner) {
        void this.host.send({ ...base, error: { name: 'CheckpointException', message: `the task is ${this.cancelled ? 'cancelling' : this.runDone ? 'finishing' : this.state}` } });
        return;
      }
      const id = this.nextId++;
      const started = Date.now();
      try {
        const out: { written?: Awaited<ReturnType<typeof writeSavepoint>>; commitError?: unknown } = {};
        await runner.snapshot({
          stop: cmd.then !== 'continue',
          drain: cmd.drain,
          persist: async (s) => {
            out.written = await writeSavepoint(cmd.targetDirectory, { id, jobId: this.jobId, jobName: this.cmd.plan.name, timestamp: started, durationMs: Date.now() - started, operatorIds: this.operatorIds }, s);
            // A savepoint belongs to the user: its output is committed now, while sources and sinks are still
            // open (a stop closes them right after), and only then is it complete. One whose output could not
            // be committed is no restore point and is removed.
            try {
              await runner.checkpointComplete(s);
              await completeSnapshot(out.written);
            } catch (e) {
              out.commitError = e;
              await rm(out.written.path, { recursive: true, force: true });
            }
            if (cmd.then !== 'continue') this.ending = cmd.then;
          },
        });
        if (out.commitError !== undefined) {
          void this.host.send({ ...base, error: errorInfo(out.commitError) });
          this.fail(out.commitError);
          return;
        }
        const { path, info } = out.written!;
        this.log.info({ path }, `savepoint ${id} written`);
        void this.host.send({ ...base, path, info, endToEndMs: Date.now() - started });
      } catch (e) {
        this.log.warn({ err: e }, `savepoint ${id} failed`);
        void this.host.send({ ...base, error: errorInfo(e) });
      }
    });
  }
}
