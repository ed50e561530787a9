// The jobmanager's view of its taskmanagers: slots and the tasks placed on them, when each was last heard
// from, and the commands waiting for its next heartbeat. A heartbeat is a long poll: it returns as soon as a
// command is queued, or after one heartbeat interval, so commands reach a taskmanager at once without it
// running a server.
import type { ProcessReport } from './process-metrics.js';
import type { Command, RegisterRequest } from './protocol.js';

export class TaskManagerRecord {
  readonly registeredAt = Date.now();
  lastHeartbeat = Date.now();
  /** Set when a heartbeat's connection closed before its answer: the process may be gone. */
  connectionClosedAt = 0;
  /** The process's own figures from its last heartbeat (heap, CPU, event loop). */
  process: ProcessReport | null = null;
  /**
   * Tasks placed here by job id. `delivered` once a heartbeat answer carried the deployment: from then on
   * every heartbeat must report the task, or the deployment was lost on the way.
   */
  readonly tasks = new Map<string, { attempt: number; delivered: boolean; slots: number }>();
  /** Orphan tasks (unknown to this jobmanager) a cancel was sent for, by `jobId/attempt`. */
  readonly cancelled = new Set<string>();
  private queue: Command[] = [];
  private wake: (() => void) | null = null;

  constructor(readonly id: string, readonly info: RegisterRequest) {}

  get freeSlots(): number {
    let used = 0;
    for (const t of this.tasks.values()) used += t.slots;
    return this.info.slots - used;
  }

  push(command: Command): void {
    this.queue.push(command);
    this.wake?.();
  }

  /** Waits up to `ms` for commands (or until `abort`), then hands over everything queued. */
  async poll(ms: number, abort: AbortSignal): Promise<Command[]> {
    if (this.queue.length === 0 && !abort.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); abort.removeEventListener('abort', done); this.wake = null; resolve(); };
        const timer = setTimeout(done, ms);
        abort.addEventListener('abort', done, { once: true });
        // A newer poll from the same taskmanager replaces an older one.
        this.wake?.();
        this.wake = done;
      });
    }
    if (abort.aborted) return [];
    const out = this.queue;
    this.queue = [];
    for (const c of out) {
      const t = c.type === 'deploy' ? this.tasks.get(c.jobId) : undefined;
      if (t && t.attempt === c.attempt) t.delivered = true;
    }
    return out;
  }
}
