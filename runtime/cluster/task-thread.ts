// A task as the taskmanager's main thread sees it: the job runs in its own worker thread of this process
// (task-worker.ts), as Flink runs each task in a thread of the taskmanager. The main thread keeps
// heartbeating whatever the job does; module state (UDF registry, connectors) is the task's own; and a task
// that does not stop within task.cancellation.timeout after a cancel is terminated outright.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../core/log.js';
import { errorInfo, type DeployCommand, type ErrorInfo, type SavepointCommand, type TaskEvent, type TaskReport, type TaskState } from './protocol.js';
import type { FromTask, ToTask } from './task-worker.js';

const ENTRY = new URL('./task-worker.ts', import.meta.url).href;
// The runtime is TypeScript run through tsx: a thread registers tsx's loader itself (exec/thread-boot.mjs), then loads its entry.
const BOOT = new URL('../exec/thread-boot.mjs', import.meta.url);
const TSX = import.meta.resolve('tsx/esm/api');

export interface TaskThreadHost {
  log: Logger;
  /** The taskmanager's log name, for the task's own log lines. */
  logName: string;
  cancellationTimeoutMs: number;
  send(event: TaskEvent): Promise<boolean>;
}

export class TaskThread {
  state: TaskState = 'DEPLOYING';
  private report_: TaskReport;
  private readonly worker: Worker;
  private killTimer: NodeJS.Timeout | null = null;
  private cancelled = false;
  private resolveEnded!: () => void;
  /** Resolves once the task has reported its final state. */
  readonly ended = new Promise<void>((r) => (this.resolveEnded = r));

  constructor(readonly command: DeployCommand, private readonly host: TaskThreadHost) {
    this.report_ = { jobId: command.jobId, attempt: command.attempt, state: 'DEPLOYING', operators: [] };
    this.worker = new Worker(BOOT, { workerData: { command, logName: host.logName, entry: ENTRY, tsx: TSX } });
    this.worker.on('message', (m: FromTask) => this.onMessage(m));
    this.worker.on('error', (e) => this.end('FAILED', errorInfo(e)));
    this.worker.on('exit', (code) => this.end(this.cancelled ? 'CANCELED' : 'FAILED', { name: 'TaskThreadExit', message: `the task's thread exited (code ${code}) before the task ended` }));
  }

  get jobId(): string {
    return this.command.jobId;
  }

  get attempt(): number {
    return this.command.attempt;
  }

  get done(): boolean {
    return this.state === 'FINISHED' || this.state === 'CANCELED' || this.state === 'FAILED';
  }

  report(): TaskReport {
    return { ...this.report_, state: this.state };
  }

  cancel(): void {
    if (this.done || this.cancelled) return;
    this.cancelled = true;
    this.post({ type: 'cancel' });
    this.killTimer = setTimeout(() => {
      this.host.log.error({ jobId: this.jobId, attempt: this.attempt }, `the task did not stop within ${this.host.cancellationTimeoutMs} ms of its cancellation: terminating its thread`);
      void this.worker.terminate();
    }, this.host.cancellationTimeoutMs);
  }

  savepoint(command: SavepointCommand): void {
    this.post({ type: 'savepoint', command });
  }

  private post(m: ToTask): void {
    if (!this.done) this.worker.postMessage(m);
  }

  private onMessage(m: FromTask): void {
    if (m.type === 'report') this.report_ = m.report;
    else if (m.type === 'done') void this.worker.terminate();
    else {
      const ev = m.event;
      if (ev.type === 'state') {
        this.state = ev.state;
        if (this.done) this.finished();
      }
      void this.host.send(ev).then((accepted) => this.post({ type: 'event-result', id: m.id, accepted }));
    }
  }

  /** The thread ended without the task saying how: report it on the task's behalf. */
  private end(state: TaskState, error?: ErrorInfo): void {
    if (this.done) return;
    this.state = state;
    this.finished();
    void this.host.send({ type: 'state', jobId: this.jobId, attempt: this.attempt, state, ...(state === 'FAILED' && error ? { error } : {}) });
    void this.worker.terminate();
  }

  private finished(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.resolveEnded();
  }
}
