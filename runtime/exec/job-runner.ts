// Runs a job plan: opens sources and sinks, wires the operator graph (fused stages from generated code, or
// one interpreted stage per node), pumps batches from each source through it, advances watermarks and
// processing-time timers, and takes consistent snapshots (source positions, operator state, watermarks)
// at batch boundaries for checkpoints and savepoints.
import type { SinkWriter, SourceReader } from '../core/connector.js';
import type { StageCode, GroupIngest, MapStage, WindowIngest } from '../core/kernels.js';
import { createLogger, type Logger } from '../core/log.js';
import { JobMetrics } from '../core/metrics.js';
import { durationOption } from '../core/options.js';
import { inputsOf, type JobPlan, type PlanNode, type SourceNode } from '../core/plan.js';
import type { Row, RowKind } from '../core/row.js';
import { BadRecordError, UserError } from '../core/errors.js';
import { findConnector } from '../connectors/registry.js';
import { WatermarkTracker } from '../time/watermark-tracker.js';
import { aggKernel } from '../state/agg-kernel.js';
import { unfusedCalcStage, unfusedIngestStage } from './interpret-plan.js';
import { miniBatchSettings, type MiniBatchSettings } from './mini-batch.js';
import { GroupAggProcessor, MapProcessor, SinkProcessor, UnionProcessor, WindowAggProcessor, type Processor, type Stateful } from './processors.js';

export interface RunOptions {
  /** Generated stages (fused) or the interpreter's (unfused). */
  code: StageCode;
  fused: boolean;
  log?: Logger;
  /** Stops the job: sources stop, sinks flush and close. */
  signal?: AbortSignal;
  /** A snapshot to resume from (checkpoint or savepoint). */
  restore?: JobSnapshot | null;
  /** Skip state in the snapshot that maps to no operator of this plan. */
  allowNonRestoredState?: boolean;
  /** Stopping through `signal` still commits the sinks' output (foreground runs, which take no checkpoints). */
  commitOnStop?: boolean;
}

export interface JobSnapshot {
  /** Source positions by operator id. */
  sources: Record<string, unknown>;
  /** Operator state by operator id. */
  operators: Record<string, unknown>;
  /** Watermark trackers by source operator id. */
  watermarks: Record<string, unknown>;
}

interface Pump {
  node: SourceNode;
  reader: SourceReader;
  tracker: WatermarkTracker | null;
  outputs: Processor[];
  done: boolean;
  /** The job keeps none of the batch's rows once processed: hand them back to the reader (SourceReader.recycle). */
  recycle: boolean;
}

/**
 * Where a source's chain spends its time (cumulative ms): waiting for input (idle), processing (busy), or
 * waiting for sinks whose buffers are full (backpressured). The cluster turns these into Flink's
 * busy/idle/backPressuredTimeMsPerSecond and the backpressure level.
 */
export interface ChainTimes {
  idleMs: number;
  busyMs: number;
  backPressuredMs: number;
}

/** How snapshot() ends: keep running (checkpoint, savepoint), or stop right after it (stop-with-savepoint). */
export interface SnapshotOptions {
  /** Sources stop at the barrier, so nothing after the snapshot reaches a sink. */
  stop?: boolean;
  /** First end every source's input as if it were exhausted (windows fire, as Flink's MAX_WATERMARK). */
  drain?: boolean;
  /**
   * Runs while the sources are still parked (e.g. writes the savepoint). If it throws, a stop is called off:
   * the sources resume as if nothing happened (after a drain their input has ended, so the job finishes),
   * and the error goes to the caller.
   */
  persist?: (snapshot: JobSnapshot) => Promise<void>;
}

export class JobRunner {
  readonly metrics = new JobMetrics();
  readonly log: Logger;
  private readonly nodes: Map<string, PlanNode>;
  private readonly pumps: Pump[] = [];
  private readonly sinks: { id: string; writer: SinkWriter }[] = [];
  private readonly stateful = new Map<string, Stateful>();
  private readonly procTimeWindows: WindowAggProcessor[] = [];
  /** The job's mini-batch settings (null: off), read from its configuration by build(), whose errors are the run's. */
  private miniBatch: MiniBatchSettings | null = null;
  /** Aggregates emitting per mini-batch: the timer sends out those that are due, snapshots flush them. */
  private readonly miniBatches: GroupAggProcessor[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly controller = new AbortController();
  private barrier: { remaining: number; release: Promise<void>; allParked: () => void } | null = null;
  private draining = false;
  /** Per source id: the time its chain spent idle, busy and backpressured. */
  readonly times = new Map<string, ChainTimes>();
  /** Per source id: the last watermark it emitted (ms), for the watermark metrics. */
  readonly watermarks = new Map<string, number>();
  private markStarted!: () => void;
  /** Resolves once sources and sinks are open and records flow: a snapshot before that would be empty. */
  readonly started = new Promise<void>((r) => (this.markStarted = r));

  constructor(readonly plan: JobPlan, private readonly options: RunOptions) {
    this.log = options.log ?? createLogger(plan.name);
    this.nodes = new Map(plan.nodes.map((n) => [n.id, n]));
    options.signal?.addEventListener('abort', () => this.controller.abort(), { once: true });
  }

  /** Runs until bounded sources are exhausted or the job is stopped. */
  async run(): Promise<void> {
    await this.build();
    this.markStarted();
    const tick = Math.min(20, this.miniBatch?.latencyMs ?? 20);
    const timer = this.procTimeWindows.length || this.miniBatches.length ? setInterval(() => this.onTimer(), tick) : null;
    try {
      // One failing source stops the others: the job fails as a whole (and restarts from a checkpoint).
      await Promise.all(this.pumps.map((p) => this.pump(p).catch((e) => { this.controller.abort(); throw e; })));
      // A stopped job's last changes go out with the rest of its output (an ended input has flushed already).
      for (const a of this.miniBatches) a.flush();
      await this.drainPending();
      for (const s of this.sinks) await s.writer.flush();
      // The end of input completes the job's output: two-phase sinks commit what the final flush pre-committed
      // (a stop-with-savepoint commits with its savepoint instead; a cancelled job commits nothing).
      // A foreground run has no checkpoints: there, Ctrl-C stops at a batch boundary and publishes the output
      // produced so far. Source positions are not committed: open windows' state ends with the process.
      if (!this.controller.signal.aborted || this.options.commitOnStop) {
        for (const s of this.sinks) await s.writer.checkpointComplete?.(s.writer.snapshot?.() ?? null);
      }
    } finally {
      if (timer) clearInterval(timer);
      await Promise.allSettled(this.pumps.map((p) => p.reader.close()));
      await Promise.allSettled(this.sinks.map((s) => s.writer.close()));
    }
  }

  /** A consistent snapshot: every source parked at a batch boundary, sinks flushed. */
  async snapshot(opts: SnapshotOptions = {}): Promise<JobSnapshot> {
    if (opts.drain) this.draining = true;
    let persisted = false;
    let resolveRelease!: () => void;
    const release = new Promise<void>((r) => (resolveRelease = r));
    await new Promise<void>((allParked) => {
      this.barrier = { remaining: this.pumps.filter((p) => !p.done).length, release, allParked };
      if (this.barrier.remaining === 0) allParked();
    });
    try {
      // Changes held for a mini-batch reach the sinks before the snapshot: restored state assumes them emitted.
      for (const a of this.miniBatches) a.flush();
      await this.drainPending();
      for (const s of this.sinks) await s.writer.flush();
      const snap: JobSnapshot = { sources: {}, operators: {}, watermarks: {} };
      for (const p of this.pumps) {
        snap.sources[p.node.id] = p.reader.snapshot();
        if (p.tracker) snap.watermarks[p.node.id] = p.tracker.snapshot();
      }
      for (const [id, s] of this.stateful) snap.operators[id] = s.snapshot();
      // Sinks that keep state (the filesystem sink's part file and length) restore to it after a failure.
      for (const s of this.sinks) if (s.writer.snapshot) snap.operators[s.id] = s.writer.snapshot();
      if (opts.persist) await opts.persist(snap);
      persisted = true;
      return snap;
    } finally {
      this.barrier = null;
      // Aborting before the release: parked sources see it and stop without polling again.
      if (opts.stop && persisted) this.controller.abort();
      resolveRelease();
    }
  }

  /**
   * A checkpoint or savepoint holding `snap` is stored: two-phase sinks commit the output they pre-committed
   * for it (a rejection is the job's failure and rejects here), then sources commit their positions (Kafka
   * offsets; only a mirror for monitoring, so a failure there is logged, not fatal). Call it before the next
   * snapshot().
   */
  async checkpointComplete(snap: JobSnapshot): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.writer.checkpointComplete?.(snap.operators[s.id] ?? null)));
    await Promise.all(this.pumps.map((p) => p.reader.checkpointComplete?.(snap.sources[p.node.id])
      ?.catch((e) => this.log.warn({ err: e, table: p.node.table }, 'the source could not commit its position'))));
  }

  private async pump(p: Pump): Promise<void> {
    const { node, reader } = p;
    const m = this.metrics.operator(node.id, `Source: ${node.table}`);
    const computed = this.options.code.computed[node.id];
    const rowtime = node.watermark?.column;
    const proctime = node.proctime;
    let lastWm = -Infinity;
    const times: ChainTimes = { idleMs: 0, busyMs: 0, backPressuredMs: 0 };
    this.times.set(node.id, times);
    try {
      while (!this.controller.signal.aborted && !this.draining) {
        const polling = performance.now();
        const batch = await reader.poll();
        if (batch === null) break;
        const processing = performance.now();
        // A poll that brought rows was reading and decoding; an empty one was waiting for input.
        if (batch.rows.length > 0) times.busyMs += processing - polling;
        else times.idleMs += processing - polling;
        for (const split of reader.splits()) p.tracker?.register(split);
        let rows = batch.rows;
        let kinds = batch.kinds ?? null;
        if (rows.length > 0) {
          m.recordsOut += rows.length;
          if (computed) computed(rows);
          if (proctime) { const now = Date.now(); for (const r of rows) r[proctime] = now; }
          if (rowtime) ({ rows, kinds } = this.observeRowtime(p, batch.split, rows, kinds, rowtime, m));
          for (const o of p.outputs) o.process(rows, kinds);
          if (p.recycle) reader.recycle!(batch.rows);
        }
        if (p.tracker) {
          const wm = p.tracker.watermark();
          if (wm > lastWm) { lastWm = wm; this.watermarks.set(node.id, wm); for (const o of p.outputs) o.watermark(wm); }
        }
        const waiting = performance.now();
        times.busyMs += waiting - processing;
        await this.drainPending();
        times.backPressuredMs += performance.now() - waiting;
        // Draining sources do not park: they leave the loop and end their input before the snapshot.
        if (this.barrier && !this.draining) await this.park();
      }
      if ((reader.bounded || this.draining) && !this.controller.signal.aborted) for (const o of p.outputs) o.endInput();
    } finally {
      p.done = true;
      this.arrive();
    }
  }

  /** A pump stops at the snapshot barrier until the snapshot is taken. */
  private async park(): Promise<void> {
    const release = this.barrier!.release;
    this.arrive();
    await release;
  }

  private arrive(): void {
    if (this.barrier && --this.barrier.remaining === 0) this.barrier.allParked();
  }

  /** Tracks the largest timestamp per split; rows without a rowtime cannot be placed in time and are skipped, counted. */
  private observeRowtime(p: Pump, split: string, rows: Row[], kinds: RowKind[] | null, column: string, m: { badRecordsSkipped: number }): { rows: Row[]; kinds: RowKind[] | null } {
    let max = -Infinity;
    let nulls = 0;
    for (const r of rows) {
      const ts = r[column] as number | null;
      if (ts === null || ts === undefined) nulls++;
      else if (ts > max) max = ts;
    }
    if (nulls > 0) {
      m.badRecordsSkipped += nulls;
      this.log.warn({ table: p.node.table, column, skipped: nulls }, 'rows with a NULL rowtime were skipped');
      const keep = rows.map((r) => r[column] !== null && r[column] !== undefined);
      kinds = kinds && kinds.filter((_, i) => keep[i]);
      rows = rows.filter((_, i) => keep[i]);
    }
    if (max > -Infinity) p.tracker!.observe(split, max);
    return { rows, kinds };
  }

  private async drainPending(): Promise<void> {
    while (this.pending.length) await Promise.all(this.pending.splice(0));
  }

  /** Fires processing-time windows and sends out mini-batches whose latency has passed. */
  private onTimer(): void {
    // Not while a snapshot is taken: output between the sinks' flush and the state capture.
    if (this.barrier) return;
    const now = Date.now();
    for (const w of this.procTimeWindows) if (w.state.nextFireTime() <= now) w.fire(now);
    for (const a of this.miniBatches) a.flushIfDue(now);
  }

  /** Opens connectors and wires processors along the plan (or its fused stages). */
  private async build(): Promise<void> {
    const { code, fused, restore } = this.options;
    const miniBatch = (this.miniBatch = miniBatchSettings(this.plan.config));
    if (restore && !this.options.allowNonRestoredState) {
      for (const id of [...Object.keys(restore.operators), ...Object.keys(restore.sources)]) {
        if (!this.nodes.has(id)) {
          throw new UserError(`the snapshot has state for operator ${id}, which is not in this job`, 'run with --allow-non-restored-state to skip it');
        }
      }
    }
    const entry = new Map<string, (input: string) => Processor>();
    const exit = new Map<string, { outputs: Processor[] }>();
    const consumers = (id: string) => this.plan.nodes.filter((n) => inputsOf(n).includes(id));

    for (const n of this.plan.nodes) {
      const name = describe(n);
      const m = this.metrics.operator(n.id, name);
      switch (n.kind) {
        case 'source': {
          const reader = await this.openSource(n, restore?.sources[n.id] ?? null);
          const delay = n.watermark?.delayMs ?? 0;
          const idle = idleTimeout(n, this.plan.config);
          const tracker = n.watermark ? new WatermarkTracker(delay, idle) : null;
          if (tracker && restore?.watermarks[n.id]) tracker.restore(restore.watermarks[n.id]);
          const recycle = fused && reader.recycle !== undefined && this.releasesRows(n.id, consumers(n.id));
          const pump: Pump = { node: n, reader, tracker, outputs: [], done: false, recycle };
          this.pumps.push(pump);
          exit.set(n.id, pump);
          break;
        }
        case 'calc': {
          if (fused) break;
          const p = new MapProcessor(code.stages[unfusedCalcStage(n.id)] as MapStage, m);
          entry.set(n.id, () => p);
          exit.set(n.id, p);
          break;
        }
        case 'groupAggregate': case 'windowAggregate': {
          const stage = fused ? this.plan.stages.find((s) => s.target === n.id)! : undefined;
          const ingest = code.stages[stage ? stage.id : unfusedIngestStage(n.id)];
          const input = this.nodes.get(n.input)!.schema;
          const p = n.kind === 'groupAggregate'
            ? new GroupAggProcessor(ingest as GroupIngest, aggKernel(n.aggs, input), n, input, m, miniBatch)
            : new WindowAggProcessor(ingest as WindowIngest, aggKernel(n.aggs, input), n, m);
          if (p instanceof WindowAggProcessor && p.processingTime) this.procTimeWindows.push(p);
          if (p instanceof GroupAggProcessor && miniBatch) this.miniBatches.push(p);
          if (restore?.operators[n.id] !== undefined) p.restore(restore.operators[n.id]);
          this.stateful.set(n.id, p);
          entry.set(n.id, () => p);
          exit.set(n.id, p);
          break;
        }
        case 'union': {
          const p = new UnionProcessor(n.inputs.length, m);
          entry.set(n.id, (input) => p.port(n.inputs.indexOf(input)));
          exit.set(n.id, p);
          break;
        }
        case 'sink': {
          const writer = await this.openSink(n, m);
          const p = new SinkProcessor(writer, m, this.pending);
          entry.set(n.id, () => p);
          break;
        }
      }
    }

    if (!fused) {
      for (const n of this.plan.nodes) for (const c of consumers(n.id)) exit.get(n.id)!.outputs.push(entry.get(c.id)!(n.id));
      return;
    }
    // Fused: each stage replaces its calcs; stages come in plan order, so a fan-out calc's stage (whose
    // processor becomes that calc's exit) is wired before the stages that read from it.
    const lastOf = (s: { input: string; calcs: string[] }) => (s.calcs.length ? s.calcs[s.calcs.length - 1] : s.input);
    for (const s of this.plan.stages) {
      const target = this.nodes.get(s.target)!;
      const from = exit.get(s.input)!;
      if (target.kind === 'groupAggregate' || target.kind === 'windowAggregate') {
        from.outputs.push(entry.get(target.id)!(lastOf(s)));
        continue;
      }
      const p = new MapProcessor(code.stages[s.id] as MapStage, this.metrics.operator(s.id, `Stage ${s.id}`));
      from.outputs.push(p);
      if (target.kind === 'calc') exit.set(target.id, p);
      else p.outputs.push(entry.get(target.id)!(lastOf(s)));
    }
    // Edges no stage covers: straight from a source, aggregate or union into a sink or union.
    for (const n of this.plan.nodes) {
      if (n.kind === 'source' || n.kind === 'calc') continue;
      const inputs = n.kind === 'union' ? n.inputs : [n.input];
      for (const i of inputs) {
        if (this.plan.stages.some((s) => s.target === n.id && lastOf(s) === i)) continue;
        exit.get(i)!.outputs.push(entry.get(n.id)!(i));
      }
    }
  }

  /** Whether every reader of the source's rows is a generated stage that keeps no reference to them. */
  private releasesRows(source: string, readers: readonly PlanNode[]): boolean {
    const releasing = new Set(this.options.code.releasesInput ?? []);
    return readers.every((c) => this.plan.stages.some((s) => s.input === source && (s.calcs[0] ?? s.target) === c.id && releasing.has(s.id)));
  }

  private async openSource(n: SourceNode, restored: unknown): Promise<SourceReader> {
    const connector = findConnector(n.connector);
    if (!connector) throw new UserError(`table '${n.table}': unknown connector '${n.connector}'`);
    const impl = await connector.load();
    if (!impl.createSource) throw new UserError(`connector '${n.connector}' cannot be a source (table '${n.table}')`);
    const reader = impl.createSource({
      table: n.table, declared: n.declared, fields: n.physical, primaryKey: n.upsertKey ?? [], options: n.options,
      metrics: this.metrics.operator(n.id, `Source: ${n.table}`), log: this.log.child({ table: n.table }), signal: this.controller.signal,
    });
    await reader.open(restored);
    return reader;
  }

  private async openSink(n: Extract<PlanNode, { kind: 'sink' }>, m: ReturnType<JobMetrics['operator']>): Promise<SinkWriter> {
    const connector = findConnector(n.connector);
    if (!connector) throw new UserError(`table '${n.table}': unknown connector '${n.connector}'`);
    const impl = await connector.load();
    if (!impl.createSink) throw new UserError(`connector '${n.connector}' cannot be a sink (table '${n.table}')`);
    const input = this.nodes.get(n.input)!;
    const writer = impl.createSink({
      table: n.table, declared: n.schema, schema: n.schema, primaryKey: n.primaryKey, options: n.options,
      changelog: input.changelog, metrics: m, log: this.log.child({ table: n.table }), signal: this.controller.signal,
    });
    await writer.open(this.options.restore ? (this.options.restore.operators[n.id] ?? null) : null);
    this.sinks.push({ id: n.id, writer });
    return writer;
  }
}

function idleTimeout(n: SourceNode, config: Record<string, string>): number {
  return durationOption(n.options, 'scan.watermark.idle-timeout', durationOption(config, 'table.exec.source.idle-timeout', 0));
}

export function describe(n: PlanNode): string {
  switch (n.kind) {
    case 'source': return `Source: ${n.table}`;
    case 'sink': return `Sink: ${n.table}`;
    case 'calc': return `Calc(${n.projections.map((p) => p.name).join(', ')})`;
    case 'groupAggregate': return `GroupAggregate(groupBy=[${n.keys.join(', ')}])`;
    case 'windowAggregate': return `WindowAggregate(${n.window.type}, groupBy=[${n.keys.join(', ')}])`;
    case 'union': return 'Union';
  }
}

export { BadRecordError };
export type { RowKind };
