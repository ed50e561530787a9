// The subtasks of a job that run in a taskmanager other than the coordinator's (the one holding subtask 0,
// parallel-runner.ts): a thread per hosted subtask, as there, with MessageChannels between the hosted ones
// and the job's exchange topic to all others. It has no say in the job: it relays the coordinator's requests
// (snapshot, release, commit, go, stop) from its partitions of the control topic to the threads, and their
// answers and reports back on the coordinator's partition (kafka-transport.ts). It answers every greeting of
// the coordinator with `started` for the subtasks that have started, whichever of the two opened first, and
// deletes the control records of its partitions that completed checkpoints no longer need.
// It ends when all its subtasks have; a cancelled task (the jobmanager failed or cancelled the attempt)
// stops them.
import type { Worker } from 'node:worker_threads';
import { createLogger, type Logger } from '../../core/log.js';
import { JobMetrics } from '../../core/metrics.js';
import type { JobPlan } from '../../core/plan.js';
import { subtaskRestore, type JobSnapshot } from '../snapshot.js';
import type { ChainTimes } from '../source-pump.js';
import { checkParallelizable } from './exchange-plan.js';
import type { TopicReader, TransportSpec } from './kafka-transport.js';
import { kafkaTransport } from './load-kafka-transport.js';
import { localPorts, spawnSubtask } from './parallel-runner.js';
import { fromWire, type FromSubtask, type ToSubtask } from './subtask-protocol.js';

export interface SubtaskHostOptions {
  parallelism: number;
  bundle: string;
  unfused?: boolean;
  hosted: number[];
  transport: TransportSpec;
  restore?: JobSnapshot | null;
  log?: Logger;
  signal?: AbortSignal;
}

export class SubtaskHost {
  /** The coordinator reports the job's figures; a host has none of its own. */
  readonly metrics = new JobMetrics();
  readonly log: Logger;
  readonly times = new Map<string, ChainTimes>();
  readonly watermarks = new Map<string, number>();
  private markStarted!: () => void;
  /** Resolves once every hosted subtask has opened its sources and sinks. */
  readonly started = new Promise<void>((r) => (this.markStarted = r));

  constructor(readonly plan: JobPlan, private readonly o: SubtaskHostOptions) {
    this.log = o.log ?? createLogger(plan.name);
  }

  async run(): Promise<void> {
    const { plan, o } = this;
    const p = o.parallelism;
    checkParallelizable(plan);
    const { ensureTopics, internalTopics, TopicReader, TopicWriter } = await kafkaTransport();
    await ensureTopics(o.transport, this.log);
    const { control } = internalTopics(o.transport.jobId, p);
    let failure: Error | null = null;
    const workers = new Map<number, Worker>();
    const exits: Promise<void>[] = [];
    const started = new Set<number>();
    const done = new Set<number>();
    const stop = () => { for (const [i, w] of workers) if (!done.has(i)) w.postMessage({ type: 'stop' } satisfies ToSubtask); };
    const fail = (e: Error) => { failure ??= e; stop(); };
    const writer = await TopicWriter.open(o.transport, control, `host-${o.hosted.join('-')}-out`, this.log, fail);
    const toCoordinator = (from: number, m: FromSubtask) => writer.post(p, from, m);
    let reader: TopicReader | null = null;
    try {
      reader = await TopicReader.open(o.transport, control, o.hosted, `host-${o.hosted.join('-')}-in`, this.log, (to, _from, raw) => {
        const m = raw as ToSubtask;
        if (m.type === 'hello') { if (started.has(to)) toCoordinator(to, { type: 'started' }); return; }
        // Threads end when all hosted subtasks are done (their channels to each other stay open until then).
        if (m.type === 'exit') return;
        // A snapshot request marks how far the control partitions are read; its commit (the checkpoint is
        // complete) deletes the records below (TopicReader.trim).
        if (m.type === 'snapshot') reader?.mark();
        else if (m.type === 'commit') void reader?.trim();
        if (!done.has(to)) workers.get(to)?.postMessage(m);
      }, async () => {}, fail);

      const ports = localPorts(p, o.hosted);
      const restore = o.restore ?? null;
      const ended = o.hosted.map((index) => new Promise<void>((resolve) => {
        const worker = spawnSubtask({
          plan, bundle: o.bundle, unfused: o.unfused ?? false, index, parallelism: p, restore: restore ? subtaskRestore(restore, index, p, plan) : null,
          commitOnStop: false, ports: ports[index], remote: o.transport,
        });
        workers.set(index, worker);
        exits.push(new Promise((r) => worker.once('exit', () => r())));
        const finish = (error?: Error) => {
          if (done.has(index)) return;
          done.add(index);
          if (error) failure ??= error;
          resolve();
        };
        worker.on('message', (m: FromSubtask) => {
          if (m.type === 'started') {
            started.add(index);
            if (started.size === o.hosted.length) this.markStarted();
          }
          toCoordinator(index, m);
          if (m.type === 'done') finish(m.error ? fromWire(m.error) : undefined);
        });
        worker.on('error', (e) => {
          toCoordinator(index, { type: 'done', error: { name: e.name, message: e.message, stack: e.stack } });
          finish(e);
        });
        worker.on('exit', (code) => {
          const e = new Error(`subtask ${index} of ${plan.name} exited (code ${code}) before it ended`);
          if (!done.has(index)) toCoordinator(index, { type: 'done', error: { name: e.name, message: e.message } });
          finish(e);
        });
      }));
      o.signal?.addEventListener('abort', stop, { once: true });
      if (o.signal?.aborted) stop();
      await Promise.all(ended);
      for (const w of workers.values()) w.postMessage({ type: 'exit' } satisfies ToSubtask);
      await Promise.all(exits);
      await writer.flushed();
    } finally {
      await Promise.all([reader?.close(), writer.close()]);
    }
    if (failure !== null && !o.signal?.aborted) throw failure;
  }

  /** Checkpoints are the coordinator's: its requests reach these subtasks through the control topic. */
  snapshot(): Promise<JobSnapshot> {
    return Promise.reject(new Error('a subtask host takes no snapshots: the coordinator does'));
  }

  checkpointComplete(): Promise<void> {
    return Promise.resolve();
  }
}
