// The taskmanagers this jobmanager knows: registration, heartbeats (task reports in, commands out) and
// loss (heartbeat timeout, a local process that exited, a closed heartbeat connection, deregistration).
// What a registration or a lost task means for a job is the job lifecycle's business, told through TaskManagerListener.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/log.js';
import { intOption } from '../core/options.js';
import { notFound } from './errors.js';
import type { JobRecord } from './job-record.js';
import type { Command, ErrorInfo, RegisterRequest, RegisterResponse, TaskReport } from './protocol.js';
import { TaskManagerRecord } from './taskmanager-registry.js';

export interface TaskManagerListener {
  /** A taskmanager registered: its slots are free. */
  registered(tm: TaskManagerRecord): void;
  /** The job's current attempt is gone with its taskmanager or its deployment. */
  attemptLost(job: JobRecord, error: ErrorInfo): void;
  /** A heartbeat's task reports, after the tracker handled them. */
  reported(tm: TaskManagerRecord, tasks: TaskReport[]): void;
  /** A taskmanager is lost (after its attempts were). */
  lost(tm: TaskManagerRecord): void;
}

export interface HeartbeatSettings {
  intervalMs: number;
  timeoutMs: number;
}

export class TaskManagerTracker {
  readonly taskManagers = new Map<string, TaskManagerRecord>();
  private readonly host = hostname();
  private monitor: NodeJS.Timeout | null = null;

  constructor(
    private readonly jobs: ReadonlyMap<string, JobRecord>,
    private readonly heartbeats: HeartbeatSettings,
    private readonly listener: TaskManagerListener,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.monitor = setInterval(() => this.check(), Math.min(500, this.heartbeats.intervalMs));
  }

  stop(): void {
    if (this.monitor) clearInterval(this.monitor);
  }

  get(id: string): TaskManagerRecord {
    const tm = this.taskManagers.get(id);
    if (!tm) throw notFound(`TaskManager ${id} is not registered`);
    return tm;
  }

  register(req: RegisterRequest): RegisterResponse {
    const id = `taskmanager-${req.index ?? req.pid}-${randomBytes(3).toString('hex')}`;
    const tm = new TaskManagerRecord(id, req);
    this.taskManagers.set(id, tm);
    this.log.info({ taskManager: id, pid: req.pid, slots: req.slots }, `Registering TaskManager with ResourceID ${id} (pid ${req.pid}, ${req.slots} slot${req.slots === 1 ? '' : 's'}) at ResourceManager`);
    this.listener.registered(tm);
    return { id, heartbeatIntervalMs: this.heartbeats.intervalMs, heartbeatTimeoutMs: this.heartbeats.timeoutMs };
  }

  /** A heartbeat: task metrics in, commands out (waiting up to one interval for some). */
  async heartbeat(tmId: string, tasks: TaskReport[], abort: AbortSignal): Promise<Command[]> {
    const tm = this.get(tmId);
    tm.lastHeartbeat = Date.now();
    tm.connectionClosedAt = 0;
    const reported = new Set<string>();
    for (const t of tasks) {
      reported.add(t.jobId);
      const job = this.jobs.get(t.jobId);
      const placed = tm.tasks.get(t.jobId);
      if (!job || !placed || placed.attempt !== t.attempt) {
        // A task this jobmanager does not know here (an earlier attempt, an earlier jobmanager): stop it.
        const key = `${t.jobId}/${t.attempt}`;
        if (!tm.cancelled.has(key) && t.state !== 'FINISHED' && t.state !== 'CANCELED' && t.state !== 'FAILED') {
          tm.cancelled.add(key);
          this.log.info({ taskManager: tm.id, jobId: t.jobId, attempt: t.attempt }, 'cancelling a task this jobmanager did not place there');
          tm.push({ type: 'cancel', jobId: t.jobId, attempt: t.attempt });
        }
        continue;
      }
      // The coordinating task's figures are the job's (a helper's subtasks report through it).
      if (job.taskManager !== tm.id) continue;
      job.operators = t.operators;
      job.subtaskOperators = t.subtasks ?? [];
      // Problems that did not fail the job (an accepted loss of records) go into its exceptions history.
      for (const o of t.operators) for (const i of o.incidents ?? []) job.recordException(i, o.name, intOption(job.config, 'web.exception-history-size', 16, 1));
      for (const o of t.operators) if (o.outputSample?.length) job.recordOutputSample(o.id, o.outputSample);
    }
    for (const [jobId, placed] of tm.tasks) {
      if (placed.delivered && !reported.has(jobId)) {
        const job = this.jobs.get(jobId);
        if (job) this.listener.attemptLost(job, { name: 'TaskDeploymentException', message: `TaskManager ${tm.id} does not run attempt #${placed.attempt}: the deployment was lost` });
      }
    }
    this.listener.reported(tm, tasks);
    return tm.poll(this.heartbeats.intervalMs, abort);
  }

  /** The connection of a pending heartbeat closed: if no new heartbeat follows shortly, the taskmanager is gone. */
  connectionClosed(tmId: string): void {
    const tm = this.taskManagers.get(tmId);
    if (tm) tm.connectionClosedAt = Date.now();
  }

  deregister(tmId: string): void {
    this.lose(this.get(tmId), 'it shut down');
  }

  private check(): void {
    const now = Date.now();
    for (const tm of this.taskManagers.values()) {
      if (now - tm.lastHeartbeat > this.heartbeats.timeoutMs) this.lose(tm, `The heartbeat of TaskManager with id ${tm.id} timed out.`);
      else if (tm.info.host === this.host && !processExists(tm.info.pid)) this.lose(tm, `its process (pid ${tm.info.pid}) exited`);
      else if (tm.connectionClosedAt && now - tm.connectionClosedAt > 1000 && tm.lastHeartbeat < tm.connectionClosedAt) this.lose(tm, 'its connection closed');
    }
  }

  private lose(tm: TaskManagerRecord, reason: string): void {
    if (!this.taskManagers.delete(tm.id)) return;
    this.log.warn({ taskManager: tm.id, pid: tm.info.pid }, `TaskManager ${tm.id} is lost: ${reason}`);
    for (const [jobId] of tm.tasks) {
      const job = this.jobs.get(jobId);
      if (job) this.listener.attemptLost(job, { name: 'TaskManagerLostException', message: `TaskManager ${tm.id} (pid ${tm.info.pid}) is lost: ${reason}` });
    }
    this.listener.lost(tm);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
