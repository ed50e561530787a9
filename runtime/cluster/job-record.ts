// What the jobmanager knows about one job: its state with the time it entered each one, the attempt that
// runs it and where, the restart strategy's memory, checkpoint statistics, the exception history and the
// savepoint operations triggered through the REST API. Plain data: the REST layer renders it in Flink's shapes.
import { OUTPUT_SAMPLE_ROWS } from '../core/output-sample.js';
import type { JobPlan } from '../core/plan.js';
import type { CheckpointInfo } from '../state/checkpoint-storage.js';
import type { Config } from './config.js';
import type { ErrorInfo, OperatorReport, TaskState } from './protocol.js';
import type { Draining } from './attempt-drain.js';
import type { RestartStrategy } from './restart-strategy.js';

export const JOB_STATES = ['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING', 'SUSPENDED', 'RECONCILING'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL: ReadonlySet<JobState> = new Set(['FAILED', 'CANCELED', 'FINISHED']);

export interface ExceptionEntry {
  exceptionName: string;
  message: string;
  stacktrace: string;
  timestamp: number;
  taskName: string | null;
  /** The taskmanager the failed attempt ran on. */
  taskManagerId: string | null;
}

export interface CheckpointStat {
  id: number;
  status: 'COMPLETED' | 'FAILED';
  isSavepoint: boolean;
  triggerTimestamp: number;
  latestAckTimestamp: number;
  size: number;
  endToEndDuration: number;
  externalPath: string | null;
  discarded: boolean;
  failureMessage: string | null;
}

export interface InternalTopics {
  properties: Record<string, string>;
  parallelisms: number[];
}

export interface SavepointOperation {
  triggerId: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  location: string | null;
  failure: ErrorInfo | null;
  then: 'continue' | 'cancel' | 'stop';
}

export class JobRecord {
  state: JobState = 'CREATED';
  readonly timestamps: Partial<Record<JobState, number>> = {};
  /** Set from the job store when a restarted jobmanager recovers the job. */
  startTime = Date.now();
  endTime = -1;
  lastModification = Date.now();
  /** Deployment attempt; each restart deploys a new one. */
  attempt = 0;
  /** The taskmanager running the current attempt (with subtask 0, which coordinates it). */
  taskManager: string | null = null;
  /** Where the current attempt's subtasks run, when spread over several taskmanagers (else empty). */
  placements: { taskManager: string; subtasks: number[] }[] = [];
  /**
   * The job's internal topics, once an attempt was spread (they go with the job): the Kafka cluster holding
   * them and the parallelisms they were made for (their names carry it, so a rescaled job has several sets).
   * Kept in the job store: a restarted jobmanager deletes them too. Null again once they are deleted.
   */
  internalTopics: InternalTopics | null = null;
  taskState: TaskState | null = null;
  operators: OperatorReport[] = [];
  /** The coordinating task's figures per subtask at parallelism > 1 (empty at 1, where `operators` are subtask 0's). */
  subtaskOperators: OperatorReport[][] = [];
  numRestarts = 0;
  restartTimer: NodeJS.Timeout | null = null;
  /** A failed attempt's tasks still being cancelled: the next attempt waits for them (attempt-drain.ts). */
  draining: Draining | null = null;
  /** Subtasks per vertex: the slots each attempt needs (slot-pool.ts). */
  parallelism = 1;
  /**
   * A rescale (PUT /jobs/:jobid/resource-requirements) under way: the stop-with-savepoint it triggered and the
   * parallelism the job is deployed at once that savepoint is stored.
   */
  rescaling: { to: number; triggerId: string } | null = null;
  /** The next attempt waits for slots: since when, until when (slot.request.timeout) and why; null when it does not. */
  waitingForResources: { since: number; deadline: number; reason: string } | null = null;
  readonly exceptions: ExceptionEntry[] = [];
  /** Per sink id, the newest rows it wrote (OUTPUT_SAMPLE_ROWS at most), oldest first: GET /jobs/:jobid/output-sample. */
  readonly outputSamples = new Map<string, string[]>();
  readonly savepoints = new Map<string, SavepointOperation>();
  readonly checkpoints = {
    nextId: 1,
    counts: { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 },
    history: [] as CheckpointStat[],
    latestCompleted: null as CheckpointStat | null,
    latestSavepoint: null as CheckpointStat | null,
    latestFailed: null as CheckpointStat | null,
    restored: null as { id: number; restoreTimestamp: number; isSavepoint: boolean; externalPath: string } | null,
    /** Where the next attempt restores from: the latest completed checkpoint, else the savepoint the job started from. */
    restorePath: null as string | null,
    /** The completed checkpoints kept on disk (state.checkpoints.num-retained), oldest first. */
    retained: [] as CheckpointStat[],
    lastRestoreTimestamp: -1,
  };
  /** Told of every change worth keeping (job-store.ts saves the status then). */
  onChange: (() => void) | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly plan: JobPlan,
    readonly config: Config,
    readonly bundle: string,
    readonly strategy: RestartStrategy,
    readonly checkpointIntervalMs: number,
    readonly allowNonRestoredState: boolean,
    readonly savepointPath: string | null,
  ) {
    this.timestamps.INITIALIZING = this.startTime;
    this.timestamps.CREATED = this.startTime;
    this.checkpoints.restorePath = savepointPath;
  }

  get terminal(): boolean {
    return TERMINAL.has(this.state);
  }

  /** Moves to `to`; returns the state it left. */
  transition(to: JobState): JobState {
    const from = this.state;
    this.state = to;
    const now = Date.now();
    this.timestamps[to] = now;
    this.lastModification = now;
    if (TERMINAL.has(to)) this.endTime = now;
    this.onChange?.();
    return from;
  }

  get duration(): number {
    return (this.endTime >= 0 ? this.endTime : Date.now()) - this.startTime;
  }

  recordException(error: ErrorInfo, taskName: string | null, historySize: number): void {
    this.exceptions.unshift({
      exceptionName: error.name,
      message: error.message,
      stacktrace: error.stack ?? `${error.name}: ${error.message}`,
      timestamp: Date.now(),
      taskName,
      taskManagerId: this.taskManager,
    });
    this.exceptions.length = Math.min(this.exceptions.length, historySize);
    this.onChange?.();
  }

  /** Appends a sink's sampled rows from a report, keeping the newest OUTPUT_SAMPLE_ROWS; ids not in the plan are ignored. */
  recordOutputSample(sinkId: string, rows: string[]): void {
    if (!this.plan.nodes.some((n) => n.kind === 'sink' && n.id === sinkId)) return;
    const tail = [...(this.outputSamples.get(sinkId) ?? []), ...rows];
    this.outputSamples.set(sinkId, tail.slice(-OUTPUT_SAMPLE_ROWS));
  }

  addCheckpointStat(stat: CheckpointStat, historySize: number): void {
    this.checkpoints.history.unshift(stat);
    this.checkpoints.history.length = Math.min(this.checkpoints.history.length, historySize);
  }

  recordCompleted(info: CheckpointInfo, path: string, endToEndMs: number, historySize: number): CheckpointStat {
    const c = this.checkpoints;
    const stat: CheckpointStat = {
      id: info.id, status: 'COMPLETED', isSavepoint: info.kind === 'savepoint', triggerTimestamp: info.timestamp,
      latestAckTimestamp: info.timestamp + endToEndMs, size: info.size, endToEndDuration: endToEndMs,
      externalPath: path, discarded: false, failureMessage: null,
    };
    c.counts.total++;
    c.counts.completed++;
    c.nextId = Math.max(c.nextId, info.id + 1);
    if (stat.isSavepoint) c.latestSavepoint = stat;
    else {
      c.latestCompleted = stat;
      c.restorePath = path;
    }
    this.addCheckpointStat(stat, historySize);
    this.onChange?.();
    return stat;
  }

  recordFailedCheckpoint(id: number, isSavepoint: boolean, message: string, historySize: number): void {
    const c = this.checkpoints;
    const now = Date.now();
    const stat: CheckpointStat = {
      id, status: 'FAILED', isSavepoint, triggerTimestamp: now, latestAckTimestamp: now, size: 0, endToEndDuration: 0,
      externalPath: null, discarded: true, failureMessage: message,
    };
    c.counts.total++;
    c.counts.failed++;
    c.nextId = Math.max(c.nextId, id + 1);
    c.latestFailed = stat;
    this.addCheckpointStat(stat, historySize);
    this.onChange?.();
  }

  /** Marks history entries of checkpoints deleted by retention. */
  markDiscarded(ids: number[]): void {
    for (const s of this.checkpoints.history) if (!s.isSavepoint && ids.includes(s.id)) s.discarded = true;
    if (ids.length) this.onChange?.();
  }
}
