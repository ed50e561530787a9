// Slot allocation: which taskmanager runs a job's next attempt, and what the pool looks like when none can.
// The taskmanagers' slots are the resource; a placed task holds one until its attempt ends.
import type { JobRecord } from './job-record.js';
import type { TaskManagerRecord } from './taskmanager-registry.js';

export class SlotPool {
  constructor(private readonly taskManagers: ReadonlyMap<string, TaskManagerRecord>) {}

  /** Takes a slot for a job's attempt on the taskmanager with the most free slots; null when none is free. */
  allocate(jobId: string, attempt: number): TaskManagerRecord | null {
    const tm = [...this.taskManagers.values()].filter((t) => t.freeSlots > 0).sort((a, b) => b.freeSlots - a.freeSlots)[0];
    if (!tm) return null;
    tm.tasks.set(jobId, { attempt, delivered: false });
    return tm;
  }

  /** Frees the slot of the job's current attempt, if it still holds one. */
  release(job: JobRecord): void {
    if (!job.taskManager) return;
    const tm = this.taskManagers.get(job.taskManager);
    if (tm && tm.tasks.get(job.id)?.attempt === job.attempt) tm.tasks.delete(job.id);
  }

  /** Flink's wording of the pool's state, for the "could not acquire resources" log line. */
  status(): string {
    const tms = [...this.taskManagers.values()];
    const slots = tms.reduce((s, t) => s + t.info.slots, 0);
    const free = tms.reduce((s, t) => s + t.freeSlots, 0);
    return `Registered TMs: ${tms.length}, registered slots: ${slots} free slots: ${free}`;
  }
}
