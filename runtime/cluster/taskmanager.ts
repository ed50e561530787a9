// The taskmanager process: registers with the jobmanager (found through the cluster directory's
// jobmanager.json, or given), then heartbeats in a loop (a long poll that brings commands back), runs the
// tasks it is given in this process, and sends their events in order, retrying until delivered. It fences
// itself: if the jobmanager no longer knows it (404) or cannot be reached for longer than the heartbeat
// timeout, it cancels its tasks (the jobmanager has restarted them elsewhere or lost them) and registers anew.
import { hostname } from 'node:os';
import type { Logger } from '../core/log.js';
import { SECRET_ENV, SECRET_HEADER, SECRET_KEY } from './cluster-secret.js';
import { RestClient, RestError } from './jobmanager-client.js';
import { readJobmanagerState, type ClusterPaths } from './cluster-dir.js';
import type { Command, RegisterResponse, TaskEvent } from './protocol.js';
import { TaskThread } from './task-thread.js';
import { sampleProcess } from './process-metrics.js';

export interface TaskManagerOptions {
  paths: ClusterPaths;
  slots: number;
  /** Daemon slot (taskmanager-<index>.pid) when started by the CLI. */
  index: number | null;
  /** REST URL of the jobmanager; default: read from the cluster directory. */
  jobmanagerUrl: string | null;
  token: string | null;
  /** The cluster secret, read again at each registration (a restarted jobmanager has a new one). */
  clusterSecret: () => string | null;
  logFile: string | null;
  log: Logger;
  /** The name the task threads log under (taskmanager-<index>). */
  logName: string;
  /** task.cancellation.timeout: a cancelled task still running after this is terminated. */
  cancellationTimeoutMs: number;
}

export class TaskManager {
  private client: RestClient | null = null;
  private registration: RegisterResponse | null = null;
  /** Bumped at each registration: events of an earlier registration are dropped, not retried. */
  private generation = 0;
  private readonly tasks = new Map<string, TaskThread>();
  private events: Promise<unknown> = Promise.resolve();
  private lastContact = Date.now();
  private readonly stopping = new AbortController();

  constructor(private readonly options: TaskManagerOptions) {}

  get id(): string | null {
    return this.registration?.id ?? null;
  }

  /** Runs until stop(); then cancels the tasks and deregisters. */
  async run(): Promise<void> {
    const { log } = this.options;
    while (!this.stopping.signal.aborted) {
      if (!this.registration) {
        if (!(await this.register())) await sleep(1000, this.stopping.signal);
        continue;
      }
      const { id, heartbeatIntervalMs, heartbeatTimeoutMs } = this.registration;
      try {
        const reports = [...this.tasks.values()].map((t) => t.report());
        const res = await this.client!.post<{ commands: Command[] }>(`/internal/taskmanagers/${id}/heartbeat`, { tasks: reports, process: sampleProcess() }, {
          timeoutMs: heartbeatIntervalMs + heartbeatTimeoutMs, signal: this.stopping.signal,
        });
        this.lastContact = Date.now();
        for (const c of res.commands) this.handle(c);
      } catch (e) {
        if (this.stopping.signal.aborted) break;
        if (e instanceof RestError && e.status === 404) {
          log.warn('the jobmanager no longer knows this taskmanager: cancelling its tasks and registering again');
          await this.fence();
        } else if (Date.now() - this.lastContact > heartbeatTimeoutMs) {
          log.warn({ error: (e as Error).message }, `lost the jobmanager (no answer for ${heartbeatTimeoutMs} ms): cancelling tasks`);
          await this.fence();
        } else {
          await sleep(Math.min(500, heartbeatIntervalMs), this.stopping.signal);
        }
      }
    }
    await this.shutdown();
  }

  stop(): void {
    this.stopping.abort();
  }

  private async register(): Promise<boolean> {
    const { options } = this;
    const url = options.jobmanagerUrl ?? readJobmanagerState(options.paths)?.url;
    const secret = options.clusterSecret();
    if (!url || !secret) return false;
    const client = new RestClient(url, options.token, { [SECRET_HEADER]: secret });
    try {
      const res = await client.post<RegisterResponse>('/internal/taskmanagers', {
        pid: process.pid, host: hostname(), slots: options.slots, index: options.index, logFile: options.logFile,
      }, { timeoutMs: 5000 });
      this.client = client;
      this.registration = res;
      this.generation++;
      this.lastContact = Date.now();
      options.log.info({ id: res.id, jobmanager: url, slots: options.slots }, `Successful registration at resource manager ${url} under registration id ${res.id}.`);
      return true;
    } catch (e) {
      if (e instanceof RestError && e.status === 401) options.log.error(`the jobmanager refused this taskmanager: ${e.message} (the REST token is SLUICE_REST_TOKEN or rest.auth.token, the cluster secret ${SECRET_ENV} or ${SECRET_KEY}, as the jobmanager has them)`);
      else options.log.debug({ error: (e as Error).message }, 'jobmanager not reachable yet');
      return false;
    }
  }

  /**
   * Cancels every task and forgets the registration (its events go nowhere now). Registers again only once
   * the tasks have stopped: a new attempt of the same job may come back here and must not meet the old one
   * still writing (its sink restores the files the old one writes to).
   */
  private async fence(): Promise<void> {
    const tasks = [...this.tasks.values()];
    for (const t of tasks) t.cancel();
    this.tasks.clear();
    this.registration = null;
    this.generation++;
    // Each ends by itself or is terminated after the cancellation timeout.
    await Promise.all(tasks.map((t) => t.ended));
  }

  private handle(c: Command): void {
    const key = `${c.jobId}/${c.attempt}`;
    switch (c.type) {
      case 'deploy': {
        if (this.tasks.has(key)) return;
        this.options.log.info({ jobId: c.jobId, attempt: c.attempt, restore: c.restore }, `Received task ${c.plan.name} (${c.jobId}), attempt #${c.attempt}.`);
        // A task's events belong to the registration that deployed it, never to a later one.
        const generation = this.generation;
        const task = new TaskThread(c, {
          log: this.options.log, logName: this.options.logName, cancellationTimeoutMs: this.options.cancellationTimeoutMs, send: (ev) => this.send(ev, generation),
        });
        this.tasks.set(key, task);
        // Forgotten once its last event is out, so the final state still goes with the heartbeats until then.
        void task.ended.then(() => this.events.then(() => { if (this.tasks.get(key) === task) this.tasks.delete(key); }));
        return;
      }
      case 'cancel':
        this.tasks.get(key)?.cancel();
        return;
      case 'savepoint': {
        const task = this.tasks.get(key);
        if (task) task.savepoint(c);
        else void this.send({ type: 'savepoint', jobId: c.jobId, attempt: c.attempt, triggerId: c.triggerId, error: { name: 'CheckpointException', message: 'the task is not running here' } });
        return;
      }
    }
  }

  /** Queues an event; resolves with the jobmanager's answer, or false if its registration ended first. */
  private send(ev: TaskEvent, generation = this.generation): Promise<boolean> {
    const delivered = this.events.then(async () => {
      while (generation === this.generation && this.registration && !this.stopping.signal.aborted) {
        try {
          const res = await this.client!.post<{ accepted: boolean }>(`/internal/taskmanagers/${this.registration.id}/events`, ev, { timeoutMs: 10_000 });
          return res.accepted;
        } catch (e) {
          if (e instanceof RestError && e.status === 404) return false;
          if (e instanceof RestError && e.status < 500) {
            this.options.log.error({ error: e.message, event: ev.type }, 'the jobmanager rejected an event');
            return false;
          }
          await sleep(500, this.stopping.signal);
        }
      }
      return false;
    });
    this.events = delivered.catch(() => false);
    return delivered;
  }

  private async shutdown(): Promise<void> {
    const { log } = this.options;
    log.info('shutting down: cancelling tasks');
    const running = [...this.tasks.values()];
    for (const t of running) t.cancel();
    await Promise.race([Promise.all(running.map((t) => t.ended)), sleep(10_000)]);
    if (this.registration && this.client) {
      await this.client.request('DELETE', `/internal/taskmanagers/${this.registration.id}`, { timeoutMs: 2000 }).catch(() => {});
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
