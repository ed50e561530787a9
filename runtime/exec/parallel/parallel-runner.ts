// Runs a job as n parallel subtasks on one machine (SPEC §10, `-p n`): the coordinator, in the thread that
// would run a single task (the foreground `sluice run`, a taskmanager's task thread). Same surface as
// JobRunner (run, snapshot, checkpointComplete, metrics), so the CLI and the cluster's Task drive either.
//
// Design (docs/architecture.md, "Parallel subtasks"):
// - The plan is cut into vertices at every exchange that is not forward (compiler/passes/insert-exchanges.ts
//   puts a hash exchange in front of every keyed operator). Worker thread i runs subtask i of EVERY vertex,
//   as Flink's slot sharing puts one subtask of each vertex into one slot: forward edges stay calls within
//   the thread, exactly as at parallelism 1, and only the cuts cross threads (channels.ts: bounded,
//   credit-based, carrying batches, watermarks, idleness, barriers and the end of input, in order).
// - Keyed state lives where Flink's KeyGroupRangeAssignment puts the key (key-groups.ts): subtask i owns the
//   contiguous key-group range i of n. Aggregates pre-aggregate before the exchange (local-global.ts).
// - Sources read their share of the splits (SourceContext.subtask: Kafka partitions, datagen ranges, files);
//   sinks write per subtask (SinkContext.subtask: part files, Kafka transactional ids).
// - A checkpoint is Flink's aligned-barrier protocol (subtask-runner.ts); the job's snapshot holds one part
//   per subtask (JobSnapshot.subtasks) and is complete when all parts are; only then do sinks commit.
// - At parallelism 1 none of this runs: the job is one JobRunner in its thread, as fast as before.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { UserError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/log.js';
import { JobMetrics } from '../../core/metrics.js';
import { OutputSample } from '../../core/output-sample.js';
import type { JobPlan } from '../../core/plan.js';
import type { JobRun, RunOptions } from '../job-runner.js';
import { checkRestorable, subtaskRestore, type JobSnapshot, type SnapshotOptions } from '../snapshot.js';
import type { ChainTimes } from '../source-pump.js';
import { checkParallelizable } from './exchange-plan.js';
import type { TopicReader, TopicWriter, TransportSpec } from './kafka-transport.js';
import { kafkaTransport } from './load-kafka-transport.js';
import { fromWire, SUBTASK_PROTOCOL, type FromSubtask, type SubtaskData, type SubtaskReport, type ToSubtask } from './subtask-protocol.js';


export interface ParallelRunOptions extends Omit<RunOptions, 'code'> {
  parallelism: number;
  /**
   * The job's bundle: every subtask thread starts from it (its main runs the subtask, subtask-thread.ts), on the
   * bundle's own runtime, which carries the connectors the plan names.
   */
  bundle: string;
  unfused?: boolean;
  /**
   * The subtasks are spread over taskmanagers: these run here (subtask 0, whose process coordinates, among
   * them), the others in other processes (subtask-host.ts), reached through Kafka (kafka-transport.ts).
   */
  placement?: { hosted: number[]; transport: TransportSpec };
}

/** A subtask as the coordinator sees it: a thread here, or one in another process. */
interface Subtask {
  post(m: ToSubtask): void;
  report: SubtaskReport | null;
  done: boolean;
  exited: Promise<void>;
}

/** How long a stopped job waits for subtasks elsewhere to say they are done (their process may be gone). */
const REMOTE_STOP_GRACE_MS = 5000;
/** How often the coordinator greets subtasks elsewhere until each has answered that it started. */
const HELLO_MS = 1000;

/** One MessageChannel per pair of the subtasks `hosted` (of `p`), both directions; null where there is none. */
export function localPorts(p: number, hosted: readonly number[]): (MessagePort | null)[][] {
  const ports: (MessagePort | null)[][] = Array.from({ length: p }, () => new Array(p).fill(null));
  for (const i of hosted) {
    for (const j of hosted) {
      if (j <= i) continue;
      const { port1, port2 } = new MessageChannel();
      ports[i][j] = port1;
      ports[j][i] = port2;
    }
  }
  return ports;
}

/**
 * A subtask's thread, started on the job's bundle: the bundle's main sees the workerData and runs the subtask on the
 * bundle's own runtime (subtask-thread.ts), so nothing is compiled or loaded through tsx at run time.
 */
export function spawnSubtask(data: Omit<SubtaskData, 'sluiceSubtask'>): Worker {
  const full: SubtaskData = { ...data, sluiceSubtask: SUBTASK_PROTOCOL };
  return new Worker(data.bundle, { workerData: full, transferList: data.ports.filter((x): x is MessagePort => x !== null) });
}

/** One subtask's figures in the shape of a runner's. */
export type SubtaskView = Pick<JobRun, 'metrics' | 'times' | 'watermarks'>;

function viewOf(r: SubtaskReport): SubtaskView {
  const metrics = new JobMetrics();
  for (const o of r.operators) {
    const m = metrics.operator(o.id, o.name);
    [m.recordsIn, m.recordsOut, m.lateRecordsDropped, m.badRecordsSkipped, m.recordsLost, m.pendingRecords] =
      [o.recordsIn, o.recordsOut, o.lateRecordsDropped, o.badRecordsSkipped, o.recordsLost, o.pendingRecords];
  }
  return { metrics, times: new Map(r.times), watermarks: new Map(r.watermarks) };
}

export class ParallelRunner implements JobRun {
  readonly metrics = new JobMetrics();
  readonly log: Logger;
  readonly times = new Map<string, ChainTimes>();
  readonly watermarks = new Map<string, number>();
  private subtasks: Subtask[] = [];
  private readonly replies = new Map<number, { resolve: (v: JobSnapshot | undefined) => void; reject: (e: Error) => void }>();
  private nextRid = 0;
  private nextSnapshot = 0;
  private stopped = false;
  /** Ends the wait for subtask i in another process. */
  private readonly remoteDone: (() => void)[] = [];
  private markStarted!: () => void;
  /** Resolves once every subtask has opened its sources and sinks. */
  readonly started = new Promise<void>((r) => (this.markStarted = r));
  /** The coordinator's end of the control topic, when subtasks are in other processes. */
  private control: { writer: TopicWriter; reader: TopicReader } | null = null;

  constructor(readonly plan: JobPlan, private readonly options: ParallelRunOptions) {
    this.log = options.log ?? createLogger(plan.name);
  }

  get parallelism(): number {
    return this.options.parallelism;
  }

  /** Each subtask's last report as a runner's figures (what cluster/task-metrics.ts samples); null before its first. */
  subtaskViews(): (SubtaskView | null)[] {
    return this.subtasks.map((s) => (s.report ? viewOf(s.report) : null));
  }

  async run(): Promise<void> {
    const { plan, options: o } = this;
    const p = o.parallelism;
    checkParallelizable(plan);
    const restore = o.restore ?? null;
    if (restore && !o.allowNonRestoredState) checkRestorable(plan, restore);
    const hosted = o.placement?.hosted ?? Array.from({ length: p }, (_, i) => i);
    const transport = o.placement?.transport ?? null;
    const ports = localPorts(p, hosted);
    let failure: Error | null = null;
    const started = new Set<number>();
    const doneAll: Promise<void>[] = [];
    const fail = (e: Error) => {
      if (failure === null) { failure = e; this.stopAll(); }
    };
    let control: { writer: TopicWriter; reader: TopicReader } | null = null;
    let hello: NodeJS.Timeout | null = null;

    const onMessage = (index: number, s: Subtask, markDone: () => void, m: FromSubtask) => {
      switch (m.type) {
        case 'started':
          if (started.has(index)) break;
          started.add(index);
          if (started.size === p) {
            if (hello) clearInterval(hello);
            this.log.info({ parallelism: p }, 'all subtasks are running');
            for (const x of this.subtasks) x.post({ type: 'go' });
            this.markStarted();
          }
          break;
        case 'report':
          s.report = m.report;
          this.gatherSamples(index, m.report);
          this.aggregate();
          break;
        case 'reply': {
          const r = this.replies.get(m.rid);
          this.replies.delete(m.rid);
          if (m.error) r?.reject(fromWire(m.error));
          else r?.resolve(m.value);
          break;
        }
        case 'done':
          if (s.done) break;
          s.done = true;
          if (m.error) fail(fromWire(m.error));
          markDone();
          break;
      }
    };

    try {
      if (transport) {
        // The coordinator's side of the control topic: requests out to partition i, answers in on partition p.
        const { ensureTopics, internalTopics, TopicReader, TopicWriter } = await kafkaTransport();
        await ensureTopics(transport, this.log);
        const { control: topic } = internalTopics(transport.jobId, p);
        const writer = await TopicWriter.open(transport, topic, 'coordinator-out', this.log, fail);
        const reader = await TopicReader.open(transport, topic, [p], 'coordinator-in', this.log,
          (_partition, from, m) => { const s = this.subtasks[from]; if (s && !hosted.includes(from)) onMessage(from, s, this.remoteDone[from], m as FromSubtask); },
          async () => {}, fail);
        control = { writer, reader };
        this.control = control;
      }
    } catch (e) {
      await Promise.all([control?.reader.close(), control?.writer.close()]);
      throw e;
    }
    const remoteDone = this.remoteDone;
    this.subtasks = Array.from({ length: p }, (_, index): Subtask => {
      let markDone!: () => void;
      doneAll.push(new Promise<void>((r) => (markDone = r)));
      if (!hosted.includes(index)) {
        const c = control!;
        let exited!: () => void;
        const s: Subtask = { post: (m) => c.writer.post(index, -1, m), report: null, done: false, exited: new Promise((r) => (exited = r)) };
        remoteDone[index] = () => { markDone(); exited(); };
        return s;
      }
      const worker = spawnSubtask({
        plan, bundle: o.bundle, unfused: o.unfused ?? false, index, parallelism: p, restore: restore ? subtaskRestore(restore, index, p, plan) : null,
        commitOnStop: o.commitOnStop ?? false, ports: ports[index], remote: transport,
      });
      const s: Subtask = { post: (m) => worker.postMessage(m), report: null, done: false, exited: new Promise((r) => worker.once('exit', () => r())) };
      worker.on('message', (m: FromSubtask) => onMessage(index, s, markDone, m));
      worker.on('error', (e) => { s.done = true; fail(e); markDone(); });
      worker.on('exit', (code) => {
        if (!s.done) {
          s.done = true;
          // A bundle compiled before subtasks started from bundles exports its job and lets the thread end.
          fail(!started.has(index) && code === 0
            ? new UserError(`subtask ${index} of ${plan.name} ended before it started: ${o.bundle} does not run parallel subtasks`, 'recompile the job with this sluice (`sluice compile`)')
            : new Error(`subtask ${index} of ${plan.name} exited (code ${code}) before it ended`));
          markDone();
        }
        for (const r of this.replies.values()) r.reject(new Error(`subtask ${index} ended`));
      });
      return s;
    });
    if (control) {
      // Subtasks elsewhere may open before or after this reader: they answer every greeting once started.
      const greet = () => { for (let i = 0; i < p; i++) if (!hosted.includes(i) && !started.has(i)) control!.writer.post(i, -1, { type: 'hello' }); };
      greet();
      hello = setInterval(greet, HELLO_MS);
    }
    o.signal?.addEventListener('abort', () => this.stopAll(), { once: true });
    if (o.signal?.aborted) this.stopAll();
    try {
      await Promise.all(doneAll);
      for (const s of this.subtasks) s.post({ type: 'exit' });
      await Promise.all(this.subtasks.map((s) => s.exited));
      await control?.writer.flushed();
    } finally {
      if (hello) clearInterval(hello);
      this.control = null;
      await Promise.all([control?.reader.close(), control?.writer.close()]);
      // A request to a subtask in another process that is gone is never answered (a snapshot waiting for it ends).
      for (const r of this.replies.values()) r.reject(new Error(`${plan.name} stopped before a subtask answered`));
      this.replies.clear();
    }
    if (failure !== null) throw failure;
  }

  /** A consistent snapshot of all subtasks (aligned barriers); see SnapshotOptions. */
  async snapshot(opts: SnapshotOptions = {}): Promise<JobSnapshot> {
    const id = ++this.nextSnapshot;
    let persisted = false;
    try {
      const parts = await Promise.all(this.subtasks.map((s) => this.call(s, (rid) => ({ type: 'snapshot', rid, id, drain: opts.drain ?? false }))));
      // Every answer up to the parts is read: the control records before them go once the checkpoint is complete.
      this.control?.reader.mark();
      const snap: JobSnapshot = { sources: {}, operators: {}, watermarks: {}, parallelism: this.parallelism, subtasks: parts as JobSnapshot[] };
      if (opts.persist) await opts.persist(snap);
      persisted = true;
      return snap;
    } finally {
      for (const s of this.subtasks) this.send(s, { type: 'release', id, stop: (opts.stop ?? false) && persisted });
    }
  }

  /** The checkpoint holding `snap` is stored: every subtask commits its sinks' output and its sources' positions. */
  async checkpointComplete(snap: JobSnapshot): Promise<void> {
    void this.control?.reader.trim();
    await Promise.all(this.subtasks.map((s, i) => this.call(s, (rid) => ({ type: 'commit', rid, part: snap.subtasks![i] }))));
  }

  private call(s: Subtask, msg: (rid: number) => ToSubtask): Promise<JobSnapshot | undefined> {
    if (s.done) return Promise.reject(new Error('the subtask has ended'));
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      this.replies.set(rid, { resolve, reject });
      s.post(msg(rid));
    });
  }

  private send(s: Subtask, m: ToSubtask): void {
    s.post(m);
  }

  private stopAll(): void {
    for (const s of this.subtasks) if (!s.done) this.send(s, { type: 'stop' });
    if (this.stopped || !this.options.placement) return;
    this.stopped = true;
    // A subtask elsewhere whose process is gone never answers: the job does not wait for it forever.
    const remote = this.subtasks.filter((_, i) => !this.options.placement!.hosted.includes(i));
    setTimeout(() => {
      for (const s of remote) if (!s.done) { s.done = true; this.remoteGone(s); }
    }, REMOTE_STOP_GRACE_MS).unref();
  }

  private remoteGone(s: Subtask): void {
    const i = this.subtasks.indexOf(s);
    this.log.warn({ subtask: i }, `subtask ${i} (in another process) did not answer the stop within ${REMOTE_STOP_GRACE_MS} ms`);
    this.remoteDone[i]?.();
  }

  /** A sink's output sample (what REST and the dashboard show of its rows) takes in every subtask's. */
  private gatherSamples(subtask: number, r: SubtaskReport): void {
    for (const [id, rows] of r.samples) {
      const m = this.metrics.operator(id, r.operators.find((o) => o.id === id)?.name ?? id);
      (m.outputSample ??= new OutputSample([])).append(rows, subtask);
    }
  }

  /** Job-wide figures: counts summed over subtasks, times the busiest subtask's, watermarks the least. */
  private aggregate(): void {
    const reports = this.subtasks.map((s) => s.report).filter((r): r is SubtaskReport => r !== null);
    const sums = new Map<string, { name: string; v: [number, number, number, number, number]; pending: number | null }>();
    const wms = new Map<string, number[]>();
    this.times.clear();
    for (const r of reports) {
      for (const m of r.operators) {
        const s = sums.get(m.id) ?? { name: m.name, v: [0, 0, 0, 0, 0], pending: null };
        s.v[0] += m.recordsIn; s.v[1] += m.recordsOut; s.v[2] += m.lateRecordsDropped; s.v[3] += m.badRecordsSkipped; s.v[4] += m.recordsLost;
        if (m.pendingRecords !== null) s.pending = (s.pending ?? 0) + m.pendingRecords;
        sums.set(m.id, s);
        if (m.incidents.length) this.metrics.operator(m.id, m.name).incidents.push(...m.incidents);
      }
      for (const [id, t] of r.times) {
        const cur = this.times.get(id);
        this.times.set(id, cur ? { idleMs: Math.max(cur.idleMs, t.idleMs), busyMs: Math.max(cur.busyMs, t.busyMs), backPressuredMs: Math.max(cur.backPressuredMs, t.backPressuredMs) } : { ...t });
      }
      for (const [id, wm] of r.watermarks) wms.set(id, [...(wms.get(id) ?? []), wm]);
    }
    for (const [id, s] of sums) {
      const m = this.metrics.operator(id, s.name);
      [m.recordsIn, m.recordsOut, m.lateRecordsDropped, m.badRecordsSkipped, m.recordsLost] = s.v;
      m.pendingRecords = s.pending;
    }
    for (const [id, list] of wms) if (list.length === reports.length) this.watermarks.set(id, Math.min(...list));
  }
}
