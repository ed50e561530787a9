// One parallel subtask: subtask i of every vertex of the job, in one worker thread (parallel-runner.ts says
// why). It builds the job's operator graph as a single task does (operator-graph.ts), with the parts that
// differ (subtask-parts below): sources opened for their share of the splits, sinks per subtask, exchanges
// that cross subtasks as Outbox/Inbox pairs (channels.ts), and local-global aggregation (local-global.ts).
// Checkpoints follow Flink's aligned barriers: the sources park at a batch boundary; an exchange passes the
// barrier on once everything feeding it here is at the barrier (sources parked, inboxes aligned); when all
// the subtask's inputs are, the state is captured. Everything then waits for the coordinator's release, so
// the job's snapshot is one consistent cut (and a stop-with-savepoint lets nothing through after it).
import type { Logger } from '../../core/log.js';
import { JobMetrics } from '../../core/metrics.js';
import type { StageCode } from '../../core/kernels.js';
import type { ExchangeNode, JobPlan } from '../../core/plan.js';
import { aggKernel } from '../../state/agg-kernel.js';
import { captureSnapshot, completeCheckpoint } from '../graph-snapshot.js';
import { maxParallelismOf } from '../key-groups.js';
import { miniBatchSettings } from '../mini-batch.js';
import { runtimeMode } from '../runtime-mode.js';
import { buildGraph, closeGraph, type OperatorGraph, type SubtaskParts } from '../operator-graph.js';
import { GroupAggProcessor } from '../processors.js';
import { Barrier, type JobSnapshot } from '../snapshot.js';
import type { ChainTimes, PumpControl } from '../source-pump.js';
import { Inbox, Outbox, router, type ChannelMessage, type PeerLinks } from './channels.js';
import { crosses, exchangePlan, type ExchangePlan } from './exchange-plan.js';
import { LocalAggregate, mergeIngest, partialKeys } from './local-global.js';

export interface SubtaskOptions {
  plan: JobPlan;
  code: StageCode;
  index: number;
  parallelism: number;
  /** This subtask's part of the snapshot to resume from. */
  restore: JobSnapshot | null;
  log: Logger;
  links: PeerLinks;
  /** Stopping still commits the sinks' output (foreground runs). */
  commitOnStop: boolean;
}

const TICK_MS = 20;

export class SubtaskRunner {
  readonly metrics = new JobMetrics();
  readonly times = new Map<string, ChainTimes>();
  readonly watermarks = new Map<string, number>();
  readonly controller = new AbortController();
  private graph: OperatorGraph = { pumps: [], sinks: [], stateful: new Map(), procTimers: [], miniBatches: [] };
  private readonly pending: Promise<void>[] = [];
  private readonly barrier = new Barrier();
  private draining = false;
  private readonly xplan: ExchangePlan;
  private readonly outboxes = new Map<string, Outbox>();
  private readonly inboxes = new Map<string, Inbox>();
  /** The pre-aggregating ends of accumulate steps, by fused node id (the input of their exchange). */
  private readonly locals = new Map<string, LocalAggregate>();
  /** Channel messages that came before the graph was built. */
  private early: [number, ChannelMessage][] | null = [];
  private markStarted!: () => void;
  readonly started = new Promise<void>((r) => (this.markStarted = r));
  /** Sources start once every subtask has started (go()), so none races ahead of subtasks still opening. */
  private markGo!: () => void;
  private readonly going = new Promise<void>((r) => (this.markGo = r));
  private readonly aborted: Promise<void>;

  constructor(private readonly o: SubtaskOptions) {
    this.xplan = exchangePlan(o.plan);
    this.aborted = new Promise((r) => this.controller.signal.addEventListener('abort', () => r(), { once: true }));
  }

  /** A message from subtask `from`: a credit for an outbox here, anything else for an inbox here. */
  onPeer(from: number, m: ChannelMessage): void {
    if (this.early !== null) { this.early.push([from, m]); return; }
    const cut = this.xplan.cuts[m.x].node.id;
    if (m.t === 'credit') this.outboxes.get(cut)!.onCredit(from, m.n);
    else this.inboxes.get(cut)!.handle(from, m);
  }

  async run(): Promise<void> {
    const { plan, code, index, parallelism } = this.o;
    const miniBatch = miniBatchSettings(plan.config);
    // buildGraph closes what it opened when it fails.
    this.graph = await buildGraph(plan, {
      code, metrics: this.metrics, restore: this.o.restore, miniBatch, mode: runtimeMode(plan.config), pending: this.pending, log: this.o.log,
      signal: this.controller.signal, subtask: { index, parallelism }, subtasks: this.parts(),
    });
    const g = this.graph;
    for (const p of g.pumps) this.times.set(p.node.id, p.times);
    const early = this.early!;
    this.early = null;
    for (const [from, m] of early) this.onPeer(from, m);
    this.markStarted();
    await Promise.race([this.going, this.aborted]);
    const timer = setInterval(() => this.onTimer(), TICK_MS);
    const ctl: PumpControl = { signal: this.controller.signal, draining: () => this.draining, barrier: this.barrier, drainPending: () => this.drainPending(), watermarks: this.watermarks };
    const stopped = this.aborted;
    try {
      await Promise.all(g.pumps.map((p) => p.run(ctl).catch((e) => { this.controller.abort(); throw e; })));
      // What comes from other subtasks ends when their input does; a stopped job does not wait for it.
      await Promise.race([Promise.all([...this.inboxes.values()].map((i) => i.ended)), stopped]);
      for (const a of g.miniBatches) a.flush();
      await this.drainPending();
      await Promise.race([Promise.all([...this.outboxes.values()].map((x) => x.drained())), stopped]);
      for (const s of g.sinks) await s.writer.flush();
      if (!this.controller.signal.aborted || this.o.commitOnStop) {
        for (const s of g.sinks) await s.writer.checkpointComplete?.(s.writer.snapshot?.() ?? null);
      }
    } finally {
      clearInterval(timer);
      await closeGraph(this.graph);
    }
  }

  go(): void {
    this.markGo();
  }

  stop(): void {
    this.controller.abort();
  }

  /** Takes this subtask's part of checkpoint `id` at the aligned barriers; call release() once the job's snapshot is stored. */
  async snapshot(id: number, drain: boolean): Promise<JobSnapshot> {
    if (drain) this.draining = true;
    const g = this.graph;
    const arrived = new Set<string>();
    const passed = new Set<string>();
    let allArrived!: () => void;
    const all = new Promise<void>((r) => (allArrived = r));
    const arrive = (input: string) => {
      arrived.add(input);
      // An aggregate holding a mini-batch behind this inbox emits it before the barrier passes on.
      for (const n of this.o.plan.nodes) {
        const a = n.kind === 'groupAggregate' && n.input === input ? g.stateful.get(n.id) : undefined;
        if (a instanceof GroupAggProcessor && g.miniBatches.includes(a)) a.flush();
      }
      for (const cut of this.xplan.cuts) {
        if (!passed.has(cut.node.id) && cut.feeders.every((f) => arrived.has(f))) {
          passed.add(cut.node.id);
          // Partials of rows before the barrier go out before it.
          this.locals.get(cut.node.input)?.flush();
          this.outboxes.get(cut.node.id)!.barrier(id);
        }
      }
      if (arrived.size === this.xplan.inputs.length) allArrived();
    };
    for (const [x, inbox] of this.inboxes) inbox.align(id, () => arrive(x));
    await this.barrier.raise(g.pumps.filter((p) => !p.done).length);
    for (const p of g.pumps) arrive(p.node.id);
    await all;
    for (const a of g.miniBatches) a.flush();
    await this.drainPending();
    for (const s of g.sinks) await s.writer.flush();
    return captureSnapshot(g);
  }

  /** The job's snapshot is stored (or failed): go on, or stop here (stop-with-savepoint) letting nothing more through. */
  release(stop: boolean): void {
    if (stop) this.controller.abort();
    else for (const inbox of this.inboxes.values()) inbox.unblock();
    this.barrier.lower();
  }

  async checkpointComplete(part: JobSnapshot): Promise<void> {
    await completeCheckpoint(this.graph, part, this.o.log);
  }

  /** Resolves once the sinks behind this subtask have room (a reader of the exchange topic waits for it). */
  room(): Promise<void> {
    return this.drainPending();
  }

  /** The input watermark of every inbox here (for per-subtask watermarks). */
  inboxWatermarks(): Record<string, number> {
    return Object.fromEntries([...this.inboxes].map(([x, i]) => [x, i.watermark]));
  }

  private parts(): SubtaskParts {
    const { index, parallelism, plan, links } = this.o;
    const max = maxParallelismOf(plan.config);
    return {
      crosses: (n) => crosses(n),
      exchange: (n: ExchangeNode, m) => {
        const cut = this.xplan.byId.get(n.id)!;
        const keys = n.distribution.kind === 'hash' ? n.distribution.keys : [];
        const keyTypes = keys.map((k) => n.schema.find((f) => f.name === k)!.type);
        const consumer = plan.nodes.find((c) => (c.kind === 'groupAggregate' || c.kind === 'windowAggregate') && c.input === n.id);
        const keyOf = cut.partial && consumer && (consumer.kind === 'groupAggregate' || consumer.kind === 'windowAggregate')
          ? (partialKeys(consumer) as (e: unknown) => unknown[])
          : (r: Record<string, unknown>) => keys.map((k) => r[k]);
        const out = new Outbox(cut.index, index, parallelism, router(n.distribution, keyTypes, keyOf, max), links, this.pending, m);
        const inbox = new Inbox(cut.index, index, parallelism, links, () => this.drainPending(), () => this.pending.length > 0, m);
        out.local = inbox;
        this.outboxes.set(n.id, out);
        this.inboxes.set(n.id, inbox);
        return { entry: out, exit: inbox };
      },
      localAggregate: (n, agg, ingest, m) => {
        const local = new LocalAggregate(ingest as never, agg, aggKernel(agg.aggs, n.schema, agg.kind === 'groupAggregate' && agg.retracting, this.o.code.udfs), n.schema, m);
        this.locals.set(n.id, local);
        return local;
      },
      mergeIngest,
    };
  }

  private async drainPending(): Promise<void> {
    while (this.pending.length) await Promise.all(this.pending.splice(0));
  }

  /** Processing-time windows, due mini-batches, local partials, and the idleness of what this subtask sends on. */
  private onTimer(): void {
    if (this.barrier.raised) return;
    const now = Date.now();
    for (const w of this.graph.procTimers) if (w.nextFireTime() <= now) w.fire(now);
    for (const a of this.graph.miniBatches) a.flushIfDue(now);
    for (const l of this.locals.values()) l.flush();
    for (const cut of this.xplan.cuts) this.outboxes.get(cut.node.id)?.setIdle(cut.feeders.every((f) => this.idle(f)));
  }

  private idle(input: string): boolean {
    const inbox = this.inboxes.get(input);
    if (inbox) return inbox.idle;
    const pump = this.graph.pumps.find((p) => p.node.id === input);
    if (!pump || pump.done) return true;
    return pump.tracker !== null && pump.polled && pump.tracker.idle();
  }
}
