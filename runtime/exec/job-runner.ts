// Runs a job plan: builds its operators (operator-graph.ts), pumps batches from each source through them
// (source-pump.ts), fires processing-time timers and mini-batches, and takes consistent snapshots (source
// positions, operator state, watermarks) at batch boundaries for checkpoints and savepoints; commits
// two-phase sinks when a snapshot is stored or the input ends.
import type { StageCode } from '../core/kernels.js';
import { createLogger, type Logger } from '../core/log.js';
import { JobMetrics } from '../core/metrics.js';
import type { JobPlan } from '../core/plan.js';
import { UserError } from '../core/errors.js';
import { miniBatchSettings } from './mini-batch.js';
import { runtimeMode } from './runtime-mode.js';
import { buildGraph, closeGraph, type OperatorGraph } from './operator-graph.js';
import { captureSnapshot, completeCheckpoint } from './graph-snapshot.js';
import { Barrier, checkRestorable, subtaskRestore, type JobSnapshot, type SnapshotOptions } from './snapshot.js';
import type { ChainTimes, PumpControl } from './source-pump.js';

export interface RunOptions {
  /** Generated stages (compiler/codegen) or the interpreter's (interpret-plan.ts). */
  code: StageCode;
  log?: Logger;
  /** Stops the job: sources stop, sinks flush and close. */
  signal?: AbortSignal;
  /** A snapshot to resume from (checkpoint or savepoint). */
  restore?: JobSnapshot | null;
  /** Skip state in the snapshot that maps to no operator of this plan. */
  allowNonRestoredState?: boolean;
  /** Stopping through `signal` still commits the sinks' output (foreground runs, which take no checkpoints). */
  commitOnStop?: boolean;
  /** Advance event time after every this many rows, not after each source batch (reconcile's replay of lateness). */
  rowsPerWatermark?: number;
  /** Called when bounded input ends, before open windows fire (reconcile tells what the end of input fired). */
  onEndOfInput?: () => void;
}

/** What drives a run, a single task's (JobRunner) or parallel subtasks' (parallel/parallel-runner.ts). */
export type JobRun = Pick<JobRunner, 'metrics' | 'log' | 'times' | 'watermarks' | 'started' | 'run' | 'snapshot' | 'checkpointComplete'>;

export class JobRunner {
  readonly metrics = new JobMetrics();
  readonly log: Logger;
  private graph: OperatorGraph = { pumps: [], sinks: [], stateful: new Map(), procTimers: [], miniBatches: [] };
  private readonly pending: Promise<void>[] = [];
  private readonly controller = new AbortController();
  private readonly barrier = new Barrier();
  private draining = false;
  /** Whether this run is a batch (execution.runtime-mode; known once the sources are open). */
  get batch(): boolean { return this.graph.batch ?? false; }
  /** Per source id: the time its chain spent idle, busy and backpressured. */
  readonly times = new Map<string, ChainTimes>();
  /** Per source id: the last watermark it emitted (ms), for the watermark metrics. */
  readonly watermarks = new Map<string, number>();
  private markStarted!: () => void;
  /** Resolves once sources and sinks are open and records flow: a snapshot before that would be empty. */
  readonly started = new Promise<void>((r) => (this.markStarted = r));

  constructor(readonly plan: JobPlan, private readonly options: RunOptions) {
    this.log = options.log ?? createLogger(plan.name);
    options.signal?.addEventListener('abort', () => this.controller.abort(), { once: true });
  }

  /** Runs until bounded sources are exhausted or the job is stopped. */
  async run(): Promise<void> {
    // The job's mini-batch settings, read here so that their errors are the run's.
    const miniBatch = miniBatchSettings(this.plan.config);
    if (this.options.restore && !this.options.allowNonRestoredState) checkRestorable(this.plan, this.options.restore);
    const restore = this.options.restore ? subtaskRestore(this.options.restore, 0, 1, this.plan) : null;
    // buildGraph closes what it opened when it fails.
    this.graph = await buildGraph(this.plan, {
      code: this.options.code, metrics: this.metrics, restore, miniBatch, pending: this.pending, log: this.log, signal: this.controller.signal,
      mode: runtimeMode(this.plan.config),
    });
    const g = this.graph;
    for (const p of g.pumps) this.times.set(p.node.id, p.times);
    this.markStarted();
    const tick = Math.min(20, miniBatch?.latencyMs ?? 20);
    const timer = g.procTimers.length || g.miniBatches.length ? setInterval(() => this.onTimer(), tick) : null;
    const ctl: PumpControl = { signal: this.controller.signal, draining: () => this.draining, barrier: this.barrier, drainPending: () => this.drainPending(), watermarks: this.watermarks,
      rowsPerWatermark: this.options.rowsPerWatermark, onEndOfInput: this.options.onEndOfInput };
    try {
      // One failing source stops the others: the job fails as a whole (and restarts from a checkpoint).
      await Promise.all(g.pumps.map((p) => p.run(ctl).catch((e) => { this.controller.abort(); throw e; })));
      // A stopped job's last changes go out with the rest of its output (an ended input has flushed already).
      for (const a of g.miniBatches) a.flush();
      await this.drainPending();
      for (const s of g.sinks) await s.writer.flush();
      // The end of input completes the job's output: two-phase sinks commit what the final flush pre-committed
      // (a stop-with-savepoint commits with its savepoint instead; a cancelled job commits nothing).
      // A foreground run has no checkpoints: there, Ctrl-C stops at a batch boundary and publishes the output
      // produced so far. Source positions are not committed: open windows' state ends with the process.
      if (!this.controller.signal.aborted || this.options.commitOnStop) {
        for (const s of g.sinks) await s.writer.checkpointComplete?.(s.writer.snapshot?.() ?? null);
      }
    } finally {
      if (timer) clearInterval(timer);
      await closeGraph(this.graph);
    }
  }

  /** A consistent snapshot: every source parked at a batch boundary, sinks flushed. */
  async snapshot(opts: SnapshotOptions = {}): Promise<JobSnapshot> {
    const g = this.graph;
    if (opts.drain) this.draining = true;
    let persisted = false;
    await this.barrier.raise(g.pumps.filter((p) => !p.done).length);
    try {
      // Changes held for a mini-batch reach the sinks before the snapshot: restored state assumes them emitted.
      for (const a of g.miniBatches) a.flush();
      await this.drainPending();
      for (const s of g.sinks) await s.writer.flush();
      const snap = captureSnapshot(g);
      if (opts.persist) await opts.persist(snap);
      persisted = true;
      return snap;
    } finally {
      // Aborting before the release: parked sources see it and stop without polling again.
      if (opts.stop && persisted) this.controller.abort();
      this.barrier.lower();
    }
  }

  /**
   * A checkpoint or savepoint holding `snap` is stored: two-phase sinks commit the output they pre-committed
   * for it (a rejection is the job's failure and rejects here), then sources commit their positions (Kafka
   * offsets; only a mirror for monitoring, so a failure there is logged, not fatal). Call it before the next
   * snapshot().
   */
  async checkpointComplete(snap: JobSnapshot): Promise<void> {
    await completeCheckpoint(this.graph, snap, this.log);
  }

  private async drainPending(): Promise<void> {
    while (this.pending.length) await Promise.all(this.pending.splice(0));
  }

  /** Fires processing-time windows and sends out mini-batches whose latency has passed. */
  private onTimer(): void {
    // Not while a snapshot is taken: output between the sinks' flush and the state capture.
    if (this.barrier.raised) return;
    const now = Date.now();
    for (const w of this.graph.procTimers) if (w.nextFireTime() <= now) w.fire(now);
    for (const a of this.graph.miniBatches) a.flushIfDue(now);
  }
}
